package model

import (
	"database/sql"
	"time"
)

// Enrollment is a request for a certificate and where it stands. The
// request's own details (ID document seen, confirmations, appointment
// snapshot…) are in Data, sealed at rest; the RA owns their format.
type Enrollment struct {
	ID                 int64         `db:"id"`
	OrgID              int64         `db:"org_id"`
	PersonID           sql.NullInt64 `db:"person_id"`
	Folio              string        `db:"folio"`
	State              string        `db:"state"`
	Reason             string        `db:"reason"`
	PolicyID           string        `db:"policy_id"`
	Channel            string        `db:"channel"`
	Data               []byte        `db:"data"` // plaintext in memory; sealed in the database
	FiledAt            sql.NullTime  `db:"filed_at"`
	ReceivedAt         sql.NullTime  `db:"received_at"`
	EmailVerifiedAt    sql.NullTime  `db:"email_verified_at"`
	AssignedAgentID    sql.NullInt64 `db:"assigned_agent_id"`
	DeficiencyDeadline sql.NullTime  `db:"deficiency_deadline"`
	RefusalDueAt       sql.NullTime  `db:"refusal_due_at"`
	RefusalFlaggedAt   sql.NullTime  `db:"refusal_flagged_at"`
	HoldUntil          sql.NullTime  `db:"hold_until"`
	ApprovedBy         sql.NullInt64 `db:"approved_by"`
	SecondApprovedBy   sql.NullInt64 `db:"second_approved_by"`
	ApprovedAt         sql.NullTime  `db:"approved_at"`
	NotAfter           sql.NullTime  `db:"not_after"`
	CertificateID      sql.NullInt64 `db:"certificate_id"`
	RenewsCertificate  sql.NullInt64 `db:"renews_certificate_id"`
	ClosedAt           sql.NullTime  `db:"closed_at"`
	Version            int64         `db:"version"`
	CreatedAt          time.Time     `db:"created_at"`
	UpdatedAt          time.Time     `db:"updated_at"`
}

// NullTime wraps t; the zero time is NULL.
func NullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC().Truncate(time.Microsecond), Valid: true}
}

// NullInt wraps n; zero is NULL.
func NullInt(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: n != 0} }

// EnrollmentFilter selects enrollments for listings and searches.
type EnrollmentFilter struct {
	OrgID     int64    // 0: all organisations
	States    []string // empty: all
	AgentID   int64    // assigned to or approved by this agent
	PersonIDs []int64  // found by name or identifier
	Limit     int
}
