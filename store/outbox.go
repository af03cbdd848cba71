package store

import (
	"context"
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
		}
		return nil
	})
	return out, err
}

// Complete marks a job done.
func (s *Store) Complete(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE outbox SET state = 'done', done_at = ?, locked_until = NULL WHERE id = ?", s.Now(), id)
		return dbErr(err, "outbox job")
	})
}

// Retry records a failed attempt and schedules the next one after backoff; a
// job that failed maxAttempts times becomes dead (kept, visible, and
// re-armable by an operator) instead of being lost.
func (s *Store) Retry(ctx context.Context, j Job, cause error, backoff time.Duration, maxAttempts int) error {
	return s.InTx(ctx, func(tx *Tx) error {
		state := JobPending
		if maxAttempts > 0 && j.Attempts >= maxAttempts {
			state = JobDead
		}
		msg := cause.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		_, err := tx.exec(ctx, "UPDATE outbox SET state = ?, last_error = ?, run_after = ?, locked_until = NULL WHERE id = ?",
			state, msg, s.Now().Add(backoff), j.ID)
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

// JobsByKind lists jobs of a kind (tests, operators).
func (s *Store) JobsByKind(ctx context.Context, kind string) ([]Job, error) {
	var out []Job
	if err := s.sel(ctx, &out, "SELECT "+jobCols+" FROM outbox WHERE kind = ? ORDER BY id", kind); err != nil {
		return nil, dbErr(err, "outbox")
	}
	return out, nil
}
