package model

import (
	"database/sql"
	"time"
)

// Acknowledgement is a filing's signed acuse de recibo (RULES G3, G4).
type Acknowledgement struct {
	ID               int64         `db:"id"`
	Folio            string        `db:"folio"`
	OrgID            int64         `db:"org_id"`
	Action           string        `db:"action"`
	EnrollmentID     sql.NullInt64 `db:"enrollment_id"`
	CertificateID    sql.NullInt64 `db:"certificate_id"`
	VerificationCode string        `db:"verification_code"`
	JWS              string        `db:"jws"`
	FiledAt          time.Time     `db:"filed_at"`
	ReceivedAt       time.Time     `db:"received_at"`
}
