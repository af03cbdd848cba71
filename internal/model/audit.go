package model

import "fmt"

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
	Seq    int64  // the entry where the chain first goes wrong
	Kind   string // "altered", "missing", "inserted-or-reordered", "truncated", "checkpoint"
	Detail string
}

func (p *AuditProblem) Error() string {
	return fmt.Sprintf("audit log: entry %d: %s: %s", p.Seq, p.Kind, p.Detail)
}

// AuditReport summarises a verification of the audit chain.
type AuditReport struct {
	Entries     int64
	Head        int64
	Checkpoints int
	Problem     *AuditProblem // nil when the chain is intact
}
