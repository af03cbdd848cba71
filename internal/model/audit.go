package model

import (
	"crypto"
	"fmt"
	"time"
)

// Audit outcomes.
const (
	OutcomeOK      = "ok"
	OutcomeRefused = "refused"
	OutcomeFailed  = "failed"
)

// Event is what happened, as the caller states it. Details must never carry
// personal data beyond identifiers the registry already shows: hash or omit.
type Event struct {
	Actor   string         // "agent:12", "admin:1", "system:appointment-monitor", "cli"
	Action  string         // "org.add", "agent.add", "cert.issue", …
	Object  string         // "org:3", "cert:<issuer>/<serial>", …
	Outcome string         // OutcomeOK, OutcomeRefused or OutcomeFailed
	Details map[string]any // small, JSON-encodable, no personal data
}

// AuditProblem is the first inconsistency found in the audit chain.
type AuditProblem struct {
	Seq  int64  // the entry where the chain first goes wrong
	Kind string // "altered", "missing", "inserted-or-reordered", "truncated", "checkpoint",
	// "unsealed" (too many or too old entries after the last checkpoint),
	// "state" (the checkpoint key signed a head the database lost), "heads"
	Detail string
	Cause  error `json:"-"` // Detail as a typed error, rendered in the reader's language
}

func (p *AuditProblem) Error() string {
	return fmt.Sprintf("audit log: entry %d: %s: %s", p.Seq, p.Kind, p.Detail)
}

// AuditReport summarises a verification of the audit chain.
type AuditReport struct {
	Entries     int64
	Head        int64
	Checkpoints int
	Keyed       bool          // the chain hashes are keyed (HMAC-SHA-256)
	LastSigned  int64         // the entry the last checkpoint in the database seals
	Tail        int64         // entries after the last checkpoint
	StateSeq    int64         // the last head the checkpoint key signed, per its state file
	Heads       int           // exported heads checked
	Problem     *AuditProblem // nil when the chain is intact
}

// AuditHead is a signed checkpoint of the chain: the entry it seals, that
// entry's hash, when it was signed and by which key. The same record is
// kept in the database, in the checkpoint key's state file and in the
// exported heads file (one JSON line each).
type AuditHead struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`
	Signature []byte    `json:"signature"`
}

// AuditVerify is what a verification of the chain checks against besides
// the database. A zero Every or Interval leaves that bound unchecked.
type AuditVerify struct {
	Keys []crypto.PublicKey // trusted checkpoint keys
	// CheckState says the checkpoint key keeps its last signed head outside
	// the database; State is that head (nil: it has signed nothing yet).
	CheckState bool
	State      *AuditHead
	Heads      []AuditHead // exported heads (sello audit verify --heads)
	// The checkpoint policy: at most Every entries, and none older than
	// Interval plus Slack, may follow the last checkpoint.
	Every    int
	Interval time.Duration
	Slack    time.Duration
	Progress func(done, total int64)
}
