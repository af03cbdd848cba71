package model

import (
	"time"
)

// Job is a unit of durable work: publish to LDAP, refresh OCSP, regenerate a
// CRL, send an e-mail. It is written in the same transaction as the change
// that caused it and deleted from nowhere: done jobs stay for the record.
type Job struct {
	ID          int64      `db:"id"`
	Kind        string     `db:"kind"`
	DedupKey    string     `db:"dedup_key"`
	Payload     []byte     `db:"payload"`
	State       string     `db:"state"`
	Attempts    int        `db:"attempts"`
	RunAfter    time.Time  `db:"run_after"`
	LockedUntil *time.Time `db:"locked_until"`
	LastError   string     `db:"last_error"`
	CreatedAt   time.Time  `db:"created_at"`
	DoneAt      *time.Time `db:"done_at"`
}

// Job states.
const (
	JobPending = "pending"
	JobDone    = "done"
	JobDead    = "dead"
)
