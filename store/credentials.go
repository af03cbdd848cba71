package store

import (
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Credential is model.Credential.
type Credential = model.Credential

const credCols = "id, enrollment_id, kind, key_id, secret_hash, expires_at, used_at, revoked_at, created_at"

// CreateCredential inserts c.
func (tx *Tx) CreateCredential(ctx context.Context, c *Credential) error {
	c.CreatedAt = tx.s.Now()
	c.ExpiresAt = dbTime(c.ExpiresAt)
	id, err := tx.insert(ctx, `INSERT INTO credentials (enrollment_id, kind, key_id, secret_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.EnrollmentID, c.Kind, c.KeyID, c.SecretHash, c.ExpiresAt, c.CreatedAt)
	if err != nil {
		return dbErr(err, "credential")
	}
	c.ID = id
	return nil
}

// RevokeCredentials withdraws an enrollment's unused credentials (on a
// resend, a cancellation or once one of them is used).
func (tx *Tx) RevokeCredentials(ctx context.Context, enrollmentID int64) error {
	_, err := tx.exec(ctx, "UPDATE credentials SET revoked_at = ? WHERE enrollment_id = ? AND used_at IS NULL AND revoked_at IS NULL",
		tx.s.Now(), enrollmentID)
	return dbErr(err, "credentials")
}

// LockCredential reads a credential by key id for update.
func (tx *Tx) LockCredential(ctx context.Context, keyID string) (*Credential, error) {
	q := "SELECT " + credCols + " FROM credentials WHERE key_id = ?"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var c Credential
	if err := tx.get(ctx, &c, q, keyID); err != nil {
		if errs.Has(dbErr(err, ""), errs.NotFound) {
			return nil, errs.New(errs.Unauthorized, "unknown or invalid enrolment credential")
		}
		return nil, dbErr(err, "credential")
	}
	return &c, nil
}

// UseCredential marks a credential used (once).
func (tx *Tx) UseCredential(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, "UPDATE credentials SET used_at = ? WHERE id = ? AND used_at IS NULL", tx.s.Now(), id)
	if err != nil {
		return dbErr(err, "credential")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.Unauthorized, "the enrolment credential was already used")
	}
	return nil
}

// ReleaseCredential undoes UseCredential when the issuance it was claimed
// for failed, so the holder can try again.
func (tx *Tx) ReleaseCredential(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, "UPDATE credentials SET used_at = NULL WHERE id = ?", id)
	return dbErr(err, "credential")
}

// CredentialsOf lists an enrollment's credentials.
func (s *Store) CredentialsOf(ctx context.Context, enrollmentID int64) ([]Credential, error) {
	var out []Credential
	if err := s.sel(ctx, &out, "SELECT "+credCols+" FROM credentials WHERE enrollment_id = ? ORDER BY id", enrollmentID); err != nil {
		return nil, dbErr(err, "credentials")
	}
	return out, nil
}
