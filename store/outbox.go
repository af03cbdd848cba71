package store

import (
	"bytes"
	"context"
	"strconv"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Job is model.Job.
type Job = model.Job

// Re-declared from package model.
const (
	JobPending = model.JobPending
	JobDone    = model.JobDone
	JobDead    = model.JobDead
)

const jobCols = "id, kind, dedup_key, payload, state, attempts, run_after, locked_until, last_error, created_at, done_at"

// Enqueue adds a job unless one with the same dedup key exists (idempotency:
// a retried request enqueues nothing twice). It reports whether it added one.
func (tx *Tx) Enqueue(ctx context.Context, kind, dedupKey string, payload []byte) (bool, error) {
	if kind == "" || dedupKey == "" {
		return false, errs.New(errs.Internal, "job needs a kind and a dedup key")
	}
	now := tx.s.Now()
	res, err := tx.exec(ctx, `INSERT INTO outbox (kind, dedup_key, payload, state, attempts, run_after, last_error, created_at)
		VALUES (?, ?, ?, 'pending', 0, ?, '', ?) ON CONFLICT (dedup_key) DO NOTHING`, kind, dedupKey, payload, now, now)
	if err != nil {
		return false, dbErr(err, "outbox job")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// sealedPayload starts every sealed payload, so Claim knows to open it and
// Complete knows to clear it; a plain payload is a JSON object ("{").
var sealedPayload = []byte("sealed:")

// clearedPayload replaces a sealed payload once its job is done or dead: the
// secret or personal data it held served its one purpose.
var clearedPayload = []byte("cleared")

// outboxAAD binds a sealed payload to its job: kind and dedup key (unique),
// so a payload copied into another job does not open.
func outboxAAD(kind, dedupKey string) []byte {
	return []byte("sello/outbox.payload/" + kind + "/" + dedupKey)
}

// EnqueueSealed is Enqueue for a payload that holds a secret or personal
// data (an e-mail's address, name, one-time password): it is stored sealed,
// opened by Claim for the worker that runs it, and cleared when the job is
// done or dead.
func (tx *Tx) EnqueueSealed(ctx context.Context, kind, dedupKey string, payload []byte) (bool, error) {
	box, err := tx.s.sealer()
	if err != nil {
		return false, err
	}
	if kind == "" || dedupKey == "" {
		return false, errs.New(errs.Internal, "job needs a kind and a dedup key")
	}
	return tx.Enqueue(ctx, kind, dedupKey, append(bytes.Clone(sealedPayload), box.Seal(payload, outboxAAD(kind, dedupKey))...))
}

// openPayload opens a sealed payload in place. One that does not open
// (damaged, another key, copied from another job) is logged and handed to
// the worker empty, which buries the job as undecodable. Without a data key
// nothing is opened: that is a configuration error, not the job's.
func (s *Store) openPayload(ctx context.Context, j *Job) error {
	if !bytes.HasPrefix(j.Payload, sealedPayload) {
		return nil
	}
	box, err := s.sealer()
	if err != nil {
		return err
	}
	plain, err := box.Open(j.Payload[len(sealedPayload):], outboxAAD(j.Kind, j.DedupKey))
	if err != nil {
		s.log.ErrorContext(ctx, "outbox: sealed payload does not open in its job: corrupt, another key, or copied from another job",
			"job", j.ID, "kind", j.Kind)
	}
	j.Payload = plain
	return nil
}

// Claim leases up to n pending jobs of kind that are due, for lease. Workers
// on several nodes never claim the same job: PostgreSQL uses FOR UPDATE SKIP
// LOCKED; SQLite has one writer at a time.
func (s *Store) Claim(ctx context.Context, kind string, n int, lease time.Duration) ([]Job, error) {
	var out []Job
	err := s.InTx(ctx, func(tx *Tx) error {
		now := s.Now()
		q := "SELECT " + jobCols + ` FROM outbox WHERE kind = ? AND state = 'pending' AND run_after <= ?
			AND (locked_until IS NULL OR locked_until <= ?) ORDER BY id LIMIT ?`
		if s.dialect == Postgres {
			q += " FOR UPDATE SKIP LOCKED"
		}
		if err := tx.sel(ctx, &out, q, kind, now, now, n); err != nil {
			return dbErr(err, "outbox")
		}
		until := now.Add(lease)
		for i := range out {
			if _, err := tx.exec(ctx, "UPDATE outbox SET locked_until = ?, attempts = attempts + 1 WHERE id = ?", until, out[i].ID); err != nil {
				return dbErr(err, "outbox")
			}
			out[i].Attempts++
			out[i].LockedUntil = &until
			if err := s.openPayload(ctx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// clearSealed is the SQL that empties a sealed payload (the first
// parameter is sealedPayload, the second clearedPayload) and leaves a plain
// one, which names things by id, for the record.
var clearSealed = "payload = CASE WHEN substr(payload, 1, " + strconv.Itoa(len(sealedPayload)) + ") = ? THEN ? ELSE payload END"

// Complete marks a job done and clears its payload if it was sealed.
func (s *Store) Complete(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE outbox SET state = 'done', done_at = ?, locked_until = NULL, "+clearSealed+" WHERE id = ?",
			s.Now(), sealedPayload, clearedPayload, id)
		return dbErr(err, "outbox job")
	})
}

// Retry records a failed attempt and schedules the next one after backoff; a
// job that failed maxAttempts times becomes dead (kept, visible, and
// re-armable by an operator) instead of being lost. A dead job's sealed
// payload is cleared like a done one's: its secret is not kept for a
// re-delivery that would need a new one anyway (a fresh credential, a new
// verification link), and its last error says what failed.
func (s *Store) Retry(ctx context.Context, j Job, cause error, backoff time.Duration, maxAttempts int) error {
	return s.InTx(ctx, func(tx *Tx) error {
		msg := cause.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		if maxAttempts > 0 && j.Attempts >= maxAttempts {
			_, err := tx.exec(ctx, "UPDATE outbox SET state = 'dead', last_error = ?, run_after = ?, locked_until = NULL, "+clearSealed+" WHERE id = ?",
				msg, s.Now().Add(backoff), sealedPayload, clearedPayload, j.ID)
			return dbErr(err, "outbox job")
		}
		_, err := tx.exec(ctx, "UPDATE outbox SET state = 'pending', last_error = ?, run_after = ?, locked_until = NULL WHERE id = ?",
			msg, s.Now().Add(backoff), j.ID)
		return dbErr(err, "outbox job")
	})
}

// PendingJobs counts pending jobs by kind (metrics, readiness).
func (s *Store) PendingJobs(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := s.sel(ctx, &rows, "SELECT kind, COUNT(*) AS n FROM outbox WHERE state = 'pending' GROUP BY kind"); err != nil {
		return nil, dbErr(err, "outbox")
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind] = r.N
	}
	return out, nil
}

// JobsByKind lists jobs of a kind (tests, operators), sealed payloads
// opened as Claim opens them.
func (s *Store) JobsByKind(ctx context.Context, kind string) ([]Job, error) {
	var out []Job
	if err := s.sel(ctx, &out, "SELECT "+jobCols+" FROM outbox WHERE kind = ? ORDER BY id", kind); err != nil {
		return nil, dbErr(err, "outbox")
	}
	for i := range out {
		if err := s.openPayload(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
