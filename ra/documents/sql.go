package documents

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/store"
)

// The queries live here rather than in package store, which this package
// must not edit; they run on store.Store's handle with Rebind.

const docCols = "id, org_id, enrollment_id, kind, content_type, size, sha256, uploaded_by, created_at, superseded_at"

type docRow struct {
	ID           int64         `db:"id"`
	OrgID        int64         `db:"org_id"`
	EnrollmentID sql.NullInt64 `db:"enrollment_id"`
	Kind         string        `db:"kind"`
	ContentType  string        `db:"content_type"`
	Size         int64         `db:"size"`
	SHA256       string        `db:"sha256"`
	UploadedBy   string        `db:"uploaded_by"`
	CreatedAt    time.Time     `db:"created_at"`
	SupersededAt sql.NullTime  `db:"superseded_at"`
	Sealed       []byte        `db:"sealed"` // only filled by queries that select it
}

func (r docRow) document() Document {
	d := Document{ID: r.ID, OrgID: r.OrgID, EnrollmentID: r.EnrollmentID.Int64, Kind: r.Kind, ContentType: r.ContentType,
		Size: r.Size, SHA256: r.SHA256, UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt.UTC()}
	if r.SupersededAt.Valid {
		t := r.SupersededAt.Time.UTC()
		d.SupersededAt = &t
	}
	return d
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// enrollmentOrg returns the organisation an enrollment belongs to, read in
// tx when there is one.
func (s *Service) enrollmentOrg(ctx context.Context, tx *store.Tx, id int64) (int64, error) {
	const q = "SELECT org_id FROM enrollments WHERE id = ?"
	var (
		org int64
		err error
	)
	if tx != nil {
		err = tx.Get(ctx, &org, q, id)
	} else {
		db := s.store.DB()
		err = dbErr(db.GetContext(ctx, &org, db.Rebind(q), id), "enrollment")
	}
	if errs.Has(err, errs.NotFound) {
		return 0, errs.New(errs.NotFound, "la solicitud %d no existe / enrollment %d not found", id, id)
	}
	return org, err
}

// insert stores d and its sealed content in tx, superseding the current
// version of the same kind for the same enrollment. It sets d.ID and returns
// the ids it superseded.
func insert(ctx context.Context, tx *store.Tx, d *Document, sealedData []byte) (superseded []int64, err error) {
	if d.EnrollmentID != 0 {
		if tx.Store().Dialect() == store.Postgres {
			// Serialises uploads for one enrollment, so two at once cannot both
			// find no current version; SQLite transactions are already
			// exclusive writers (_txlock=immediate).
			var id int64
			if err := tx.Get(ctx, &id, "SELECT id FROM enrollments WHERE id = ? FOR UPDATE", d.EnrollmentID); err != nil {
				return nil, err
			}
		}
		if err := tx.Select(ctx, &superseded, `UPDATE documents SET superseded_at = ?
			WHERE enrollment_id = ? AND kind = ? AND superseded_at IS NULL RETURNING id`, d.CreatedAt, d.EnrollmentID, d.Kind); err != nil {
			return nil, err
		}
	}
	d.ID, err = tx.Insert(ctx, `INSERT INTO documents (org_id, enrollment_id, kind, content_type, size, sha256, sealed,
		uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.OrgID, nullID(d.EnrollmentID), d.Kind, d.ContentType, d.Size, d.SHA256, sealedData, d.UploadedBy, d.CreatedAt)
	if err != nil {
		return nil, err
	}
	return superseded, nil
}

// row returns a document's row with its sealed content.
func (s *Service) row(ctx context.Context, id int64) (*docRow, error) {
	db := s.store.DB()
	var r docRow
	if err := db.GetContext(ctx, &r, db.Rebind("SELECT "+docCols+", sealed FROM documents WHERE id = ?"), id); err != nil {
		return nil, dbErr(err, "document")
	}
	return &r, nil
}

// rows returns an enrollment's documents' metadata, oldest first.
func (s *Service) rows(ctx context.Context, enrollmentID int64, all bool) ([]Document, error) {
	db := s.store.DB()
	q := "SELECT " + docCols + " FROM documents WHERE enrollment_id = ?"
	if !all {
		q += " AND superseded_at IS NULL"
	}
	var rs []docRow
	if err := db.SelectContext(ctx, &rs, db.Rebind(q+" ORDER BY id"), enrollmentID); err != nil {
		return nil, dbErr(err, "documents")
	}
	out := make([]Document, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.document())
	}
	return out, nil
}

// dbErr turns driver errors from queries outside a store.Tx into typed
// errors, as package store does.
func dbErr(err error, what string) error {
	var e *errs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return errs.New(errs.NotFound, "%s not found", what)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.Wrap(errs.Unavailable, err, "%s: request cancelled or timed out", what)
	}
	return errs.Wrap(errs.Unavailable, err, "database error on %s", what)
}
