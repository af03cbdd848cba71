package model

import (
	"database/sql"
	"time"
)

// Document is a stored document's row: an applicant's document or
// biometric evidence (RULES R2, R5, R7, R8, R10), its content sealed by
// package ra/documents, which owns the format.
type Document struct {
	ID           int64         `db:"id"`
	OrgID        int64         `db:"org_id"`
	EnrollmentID sql.NullInt64 `db:"enrollment_id"`
	Kind         string        `db:"kind"`
	ContentType  string        `db:"content_type"`
	Size         int64         `db:"size"`
	SHA256       string        `db:"sha256"`
	UploadedBy   string        `db:"uploaded_by"`
	CreatedAt    time.Time     `db:"created_at"`
	SupersededAt sql.NullTime  `db:"superseded_at"`
	Sealed       []byte        `db:"sealed"` // only filled by Store.Document
}
