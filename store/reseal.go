package store

import (
	"bytes"
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/internal/sealed"
)

// resealStep is the schema_migrations entry of the one-time step that binds
// data sealed before row-bound sealing (AAD "sello/people.pii",
// "sello/enrollments.data", the same for every row, and a document's kind
// and digest) to its row, and seals or clears the e-mail jobs written in
// clear before the outbox sealed them. It is Go, not SQL, because it needs
// the data key; Migrate runs it after the SQL files whenever it has not run,
// and PendingMigrations lists it until then.
const resealStep = "go:row-bound-sealing"

// sealedColumn is a column of sealed values and the contexts, old and new,
// they are sealed under. The old one is accepted only here, never when
// reading.
type sealedColumn struct {
	table, column string
	extra         string // more columns read with each row, for the contexts
	batch         int    // rows per transaction
	legacy        func(r resealRow) []byte
	current       func(r resealRow) []byte
}

type resealRow struct {
	ID   int64  `db:"id"`
	Blob []byte `db:"blob"`
	Kind string `db:"kind"`
	Sum  string `db:"sha256"`
}

var sealedColumns = []sealedColumn{
	{table: "people", column: "pii", batch: resealBatch,
		legacy:  func(resealRow) []byte { return []byte("sello/people.pii") },
		current: func(r resealRow) []byte { return rowAAD("people", "pii", r.ID) }},
	{table: "enrollments", column: "data", batch: resealBatch,
		legacy:  func(resealRow) []byte { return []byte("sello/enrollments.data") },
		current: func(r resealRow) []byte { return rowAAD("enrollments", "data", r.ID) }},
	// Documents are sealed by ra/documents; the contexts are its, old and new.
	{table: "documents", column: "sealed", extra: ", kind, sha256", batch: 20,
		legacy:  func(r resealRow) []byte { return []byte("sello/documents/" + r.Kind + "/" + r.Sum) },
		current: func(r resealRow) []byte { return sealed.RowAAD("documents", "sealed", r.ID, r.Kind, r.Sum) }},
}

// resealBatch bounds the rows read per transaction.
const resealBatch = 500

// resealColumn re-seals the values of c still sealed under its old context.
func (s *Store) resealColumn(ctx context.Context, c sealedColumn) (int, error) {
	n := 0
	var last int64
	for {
		var rows []resealRow
		err := s.InTx(ctx, func(tx *Tx) error {
			rows = nil
			if err := tx.sel(ctx, &rows, "SELECT id, "+c.column+" AS blob"+c.extra+" FROM "+c.table+" WHERE id > ? ORDER BY id LIMIT ?",
				last, c.batch); err != nil {
				return dbErr(err, c.table)
			}
			for _, r := range rows {
				if len(r.Blob) == 0 {
					continue
				}
				if _, err := s.box.Open(r.Blob, c.current(r)); err == nil {
					continue
				}
				plain, err := s.box.Open(r.Blob, c.legacy(r))
				if err != nil {
					return errs.Wrap(errs.Internal, err, "%s %d: sealed %s cannot be opened (corrupt, another key, or copied from another row)", c.table, r.ID, c.column)
				}
				if _, err := tx.exec(ctx, "UPDATE "+c.table+" SET "+c.column+" = ? WHERE id = ?", s.box.Seal(plain, c.current(r)), r.ID); err != nil {
					return dbErr(err, c.table)
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		if len(rows) < c.batch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}

// resealLegacy re-seals every value still sealed the old way for its row,
// and records that it ran. A value that opens under neither its row nor the
// old context is an Internal error and stops the migration: it was damaged
// or copied, and starting would only fail later, row by row.
//
// Values copied between rows before this step ran are bound to the row they
// were copied into: the old format could not tell them apart.
func (s *Store) resealLegacy(ctx context.Context) (bool, error) {
	if s.box == nil {
		return false, nil // nothing can be read without the key anyway
	}
	var n int
	if err := s.get(ctx, &n, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", resealStep); err != nil {
		return false, dbErr(err, "schema_migrations")
	}
	if n > 0 {
		return false, nil
	}
	resealed := 0
	for _, c := range sealedColumns {
		n, err := s.resealColumn(ctx, c)
		if err != nil {
			return false, err
		}
		resealed += n
	}
	sealedJobs, err := s.sealLegacyJobs(ctx)
	if err != nil {
		return false, err
	}
	resealed += sealedJobs
	err = s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			resealStep, s.Now().Format("2006-01-02T15:04:05.000000Z"))
		return dbErr(err, "schema_migrations")
	})
	if err != nil {
		return false, err
	}
	if resealed > 0 {
		s.log.InfoContext(ctx, "sealed personal data bound to its rows", "values", resealed)
	}
	return true, nil
}

// sealLegacyJobs treats the outbox jobs written in clear before their kind
// was sealed (e-mails): a pending one is sealed, so it is still delivered; a
// done or dead one is cleared, as it would have been.
func (s *Store) sealLegacyJobs(ctx context.Context) (int, error) {
	n := 0
	var last int64
	for {
		var rows []Job
		err := s.InTx(ctx, func(tx *Tx) error {
			rows = nil
			if err := tx.sel(ctx, &rows, "SELECT "+jobCols+" FROM outbox WHERE id > ? ORDER BY id LIMIT ?", last, resealBatch); err != nil {
				return dbErr(err, "outbox")
			}
			for _, j := range rows {
				if !jobs.Sensitive(j.Kind) || bytes.HasPrefix(j.Payload, sealedPayload) || bytes.Equal(j.Payload, clearedPayload) {
					continue
				}
				payload := clearedPayload
				if j.State == JobPending {
					payload = append(bytes.Clone(sealedPayload), s.box.Seal(j.Payload, outboxAAD(j.Kind, j.DedupKey))...)
				}
				if _, err := tx.exec(ctx, "UPDATE outbox SET payload = ? WHERE id = ?", payload, j.ID); err != nil {
					return dbErr(err, "outbox")
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		if len(rows) < resealBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}
