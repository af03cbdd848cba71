package model

import (
	"time"
)

// Credential is a one-time enrolment credential: an EST password or an ACME
// external account binding key. Only a hash of the secret is stored.
type Credential struct {
	ID           int64      `db:"id"`
	EnrollmentID int64      `db:"enrollment_id"`
	Kind         string     `db:"kind"`
	KeyID        string     `db:"key_id"`
	SecretHash   string     `db:"secret_hash"`
	ExpiresAt    time.Time  `db:"expires_at"`
	UsedAt       *time.Time `db:"used_at"`
	RevokedAt    *time.Time `db:"revoked_at"`
	CreatedAt    time.Time  `db:"created_at"`
}
