package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/internal/sealed"
)

// WithSealer sets the box that seals personal data. Without one, people
// cannot be stored or read.
func WithSealer(b *sealed.Box) Option { return func(s *Store) { s.box = b } }

// PersonData is model.PersonData.
type PersonData = model.PersonData

// Person is model.Person.
type Person = model.Person

func (s *Store) sealer() (*sealed.Box, error) {
	if s.box == nil {
		return nil, errs.New(errs.BadConfig, "no data key configured: personal data cannot be stored")
	}
	return s.box, nil
}

func (s *Store) idx(ns, v string) any {
	if v == "" {
		return nil
	}
	return s.box.Index(ns, strings.ToUpper(strings.TrimSpace(v)))
}

// CreatePerson seals p.Data and inserts it. The data is sealed for the
// row's id (see seal.go), which the database gives only on insert: the row
// is inserted with an empty pii and sealed just after, in the same
// transaction.
func (tx *Tx) CreatePerson(ctx context.Context, p *Person) error {
	if _, err := tx.s.sealer(); err != nil {
		return err
	}
	raw, err := json.Marshal(p.Data)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "person data")
	}
	if p.DisplayName == "" {
		p.DisplayName = p.Data.FullName()
	}
	now := tx.s.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	id, err := tx.insert(ctx, `INSERT INTO people (display_name, curp_idx, rfc_idx, dni_idx, email_idx, pii, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.DisplayName, tx.s.idx("curp", p.Data.CURP), tx.s.idx("rfc", p.Data.RFC),
		tx.s.idx("dni", p.Data.DNI), tx.s.idx("email", p.Data.Email), []byte{}, now, now)
	if err != nil {
		return dbErr(err, "person")
	}
	pii, err := tx.s.sealRow("people", "pii", id, raw)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "UPDATE people SET pii = ? WHERE id = ?", pii, id); err != nil {
		return dbErr(err, "person")
	}
	p.ID = id
	return nil
}

type personRow struct {
	ID          int64     `db:"id"`
	DisplayName string    `db:"display_name"`
	PII         []byte    `db:"pii"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

func (s *Store) openPerson(ctx context.Context, r personRow) (*Person, error) {
	raw, err := s.openRow(ctx, "people", "pii", r.ID, r.PII)
	if err != nil {
		return nil, err
	}
	p := &Person{ID: r.ID, DisplayName: r.DisplayName, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(raw, &p.Data); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "person %d data", r.ID)
	}
	return p, nil
}

// Person returns the person with id, unsealed.
func (s *Store) Person(ctx context.Context, id int64) (*Person, error) {
	var r personRow
	if err := s.get(ctx, &r, "SELECT id, display_name, pii, created_at, updated_at FROM people WHERE id = ?", id); err != nil {
		return nil, notFoundOr(err, "person %d", id)
	}
	return s.openPerson(ctx, r)
}

// PeopleByIdentifier finds people by an exact identifier: kind is "curp",
// "rfc", "dni" or "email".
func (s *Store) PeopleByIdentifier(ctx context.Context, kind, value string) ([]*Person, error) {
	if _, err := s.sealer(); err != nil {
		return nil, err
	}
	col := map[string]string{"curp": "curp_idx", "rfc": "rfc_idx", "dni": "dni_idx", "email": "email_idx"}[kind]
	if col == "" {
		return nil, errs.New(errs.Malformed, "unknown identifier kind %q", kind)
	}
	var rows []personRow
	if err := s.sel(ctx, &rows, "SELECT id, display_name, pii, created_at, updated_at FROM people WHERE "+col+" = ? ORDER BY id",
		s.idx(kind, value)); err != nil {
		return nil, dbErr(err, "people")
	}
	out := make([]*Person, 0, len(rows))
	for _, r := range rows {
		p, err := s.openPerson(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PeopleByName returns the ids of people whose public display name contains
// every word of q (case-insensitive). Names are public in the registry
// (RULES G1), so they are kept in clear for this search.
func (s *Store) PeopleByName(ctx context.Context, q string, limit int) ([]int64, error) {
	words := strings.Fields(strings.ToUpper(q))
	if len(words) == 0 {
		return nil, errs.New(errs.Malformed, "give a name to search for")
	}
	query := "SELECT id FROM people WHERE 1 = 1"
	var args []any
	for _, w := range words {
		query += " AND UPPER(display_name) LIKE ?"
		args = append(args, "%"+strings.NewReplacer("%", "", "_", "").Replace(w)+"%")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var ids []int64
	err := s.sel(ctx, &ids, query+" ORDER BY id LIMIT "+strconv.Itoa(limit), args...)
	return ids, dbErr(err, "people")
}
