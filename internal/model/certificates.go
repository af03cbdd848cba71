package model

import (
	"database/sql"
	"math/big"
	"strings"
	"time"
)

// Certificate statuses.
const (
	CertValid     = "valid"
	CertSuspended = "suspended"
	CertRevoked   = "revoked"
	CertExpired   = "expired"
)

// SerialHex is the canonical text form of a serial number in the store:
// lowercase hex, no leading zeros.
func SerialHex(n *big.Int) string { return strings.ToLower(n.Text(16)) }

// Certificate is an issued certificate and its current status.
type Certificate struct {
	ID               int64          `db:"id"`
	IssuerID         string         `db:"issuer_id"`
	Serial           string         `db:"serial"`
	OrgID            sql.NullInt64  `db:"org_id"`
	PersonID         sql.NullInt64  `db:"person_id"`
	AgentID          sql.NullInt64  `db:"agent_id"`
	EnrollmentID     sql.NullInt64  `db:"enrollment_id"`
	Subject          string         `db:"subject"`
	KeyFingerprint   string         `db:"key_fingerprint"`
	CertFingerprint  string         `db:"cert_fingerprint"`
	Status           string         `db:"status"`
	NotBefore        time.Time      `db:"not_before"`
	NotAfter         time.Time      `db:"not_after"`
	IssuedAt         time.Time      `db:"issued_at"`
	StatusChangedAt  time.Time      `db:"status_changed_at"`
	RevokedAt        sql.NullTime   `db:"revoked_at"`
	RevocationReason sql.NullInt64  `db:"revocation_reason"`
	DER              []byte         `db:"der"`
	PolicyID         sql.NullString `db:"policy_id"`
	StatusReasonID   sql.NullString `db:"status_reason_id"`
	SuspendedUntil   sql.NullTime   `db:"suspended_until"`
	AppointmentCheck sql.NullTime   `db:"appointment_checked_at"`
	Origin           string         `db:"origin"` // "issued" here, or "homologated" (RULES O4)
	// DecisionDueAt: a suspension that does not escalate by itself ended its
	// period then and awaits an agent's decision (RULES S1).
	DecisionDueAt sql.NullTime `db:"decision_due_at"`
}

// CertificateCount is how many certificates of one issuer have one status.
type CertificateCount struct {
	IssuerID string `db:"issuer_id"`
	Status   string `db:"status"`
	Count    int    `db:"n"`
}
