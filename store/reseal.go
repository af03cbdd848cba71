package store

import (
	"bytes"
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/jobs"
)

// resealStep is the schema_migrations entry of the one-time step that binds
// data sealed before row-bound sealing (AAD "sello/people.pii" and
// "sello/enrollments.data", the same for every row) to its row, and seals
// or clears the e-mail jobs written in clear before the outbox sealed them. It is Go,
// not SQL, because it needs the data key; PendingMigrations lists only the
// SQL files, and Migrate runs it whenever it has not run.
const resealStep = "go:row-bound-sealing"

// legacyAAD is what each column was sealed with before it was bound to its
// row. It is accepted only here, never when reading.
var legacyAAD = map[string][]byte{
	"people.pii":       []byte("sello/people.pii"),
	"enrollments.data": []byte("sello/enrollments.data"),
}

// resealBatch bounds the rows read per transaction.
const resealBatch = 500

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
	for _, c := range []struct{ table, column string }{{"people", "pii"}, {"enrollments", "data"}} {
		var last int64
		for {
			var rows []struct {
				ID   int64  `db:"id"`
				Blob []byte `db:"blob"`
			}
			err := s.InTx(ctx, func(tx *Tx) error {
				rows = nil
				if err := tx.sel(ctx, &rows, "SELECT id, "+c.column+" AS blob FROM "+c.table+" WHERE id > ? ORDER BY id LIMIT ?",
					last, resealBatch); err != nil {
					return dbErr(err, c.table)
				}
				for _, r := range rows {
					if len(r.Blob) == 0 {
						continue
					}
					if _, err := s.box.Open(r.Blob, rowAAD(c.table, c.column, r.ID)); err == nil {
						continue
					}
					plain, err := s.box.Open(r.Blob, legacyAAD[c.table+"."+c.column])
					if err != nil {
						return errs.Wrap(errs.Internal, err, "%s %d: sealed %s cannot be opened (corrupt, another key, or copied from another row)", c.table, r.ID, c.column)
					}
					if _, err := tx.exec(ctx, "UPDATE "+c.table+" SET "+c.column+" = ? WHERE id = ?",
						s.box.Seal(plain, rowAAD(c.table, c.column, r.ID)), r.ID); err != nil {
						return dbErr(err, c.table)
					}
					resealed++
				}
				return nil
			})
			if err != nil {
				return false, err
			}
			if len(rows) < resealBatch {
				break
			}
			last = rows[len(rows)-1].ID
		}
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
