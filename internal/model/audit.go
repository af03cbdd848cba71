package model

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
