package store

import (
	"context"
	"math/big"
	"time"
)

// Reads inside a transaction. Code inside an InTx callback must read on the
// transaction's connection, never through the Store, or it waits for a
// second connection while holding the first (with a bounded pool,
// concurrent requests then deadlock). These methods have the names of the
// Store's reads, so an interface listing them is satisfied by both, and a
// caller handed only the Tx has no way to reach the pool.

// Person returns a person, read in the transaction.
func (tx *Tx) Person(ctx context.Context, id int64) (*Person, error) {
	return tx.read().Person(ctx, id)
}

// PeopleByIdentifier finds people by identifier, read in the transaction.
func (tx *Tx) PeopleByIdentifier(ctx context.Context, kind, value string) ([]*Person, error) {
	return tx.read().PeopleByIdentifier(ctx, kind, value)
}

// Organisation returns an organisation, read in the transaction.
func (tx *Tx) Organisation(ctx context.Context, id int64) (*Organisation, error) {
	return tx.read().Organisation(ctx, id)
}

// Enrollment returns an enrollment, read in the transaction.
func (tx *Tx) Enrollment(ctx context.Context, id int64) (*Enrollment, error) {
	return tx.read().Enrollment(ctx, id)
}

// Certificate returns a certificate, read in the transaction.
func (tx *Tx) Certificate(ctx context.Context, id int64) (*Certificate, error) {
	return tx.read().Certificate(ctx, id)
}

// StatusRequest returns a status request, read in the transaction.
func (tx *Tx) StatusRequest(ctx context.Context, id int64) (*StatusRequest, error) {
	return tx.read().StatusRequest(ctx, id)
}

// DocumentInfo returns a document's row without its content, read in the
// transaction.
func (tx *Tx) DocumentInfo(ctx context.Context, id int64) (*Document, error) {
	return tx.read().DocumentInfo(ctx, id)
}

// CertificatesOfAgent lists an agent's login certificates, read in the
// transaction.
func (tx *Tx) CertificatesOfAgent(ctx context.Context, agentID int64) ([]Certificate, error) {
	return tx.read().CertificatesOfAgent(ctx, agentID)
}

// UnexpiredCertificatesWithKey lists the unexpired certificates of a key,
// read in the transaction.
func (tx *Tx) UnexpiredCertificatesWithKey(ctx context.Context, keyFingerprint string, now time.Time) ([]Certificate, error) {
	return tx.read().UnexpiredCertificatesWithKey(ctx, keyFingerprint, now)
}

// CredentialsOf lists an enrollment's credentials, read in the transaction.
func (tx *Tx) CredentialsOf(ctx context.Context, enrollmentID int64) ([]Credential, error) {
	return tx.read().CredentialsOf(ctx, enrollmentID)
}

// ListCertificates lists certificates matching f, read in the transaction.
func (tx *Tx) ListCertificates(ctx context.Context, f CertificateFilter) ([]Certificate, error) {
	return tx.read().ListCertificates(ctx, f)
}

// ReserveSerial records a serial in the transaction: homologation enters
// another authority's certificate, whose serial nobody reserved here. A
// serial already recorded for the issuer is errs.Conflict.
func (tx *Tx) ReserveSerial(ctx context.Context, issuerID string, serial *big.Int, notAfter time.Time) error {
	_, err := tx.exec(ctx, "INSERT INTO serials (issuer_id, serial, not_after, reserved_at) VALUES (?, ?, ?, ?)",
		issuerID, SerialHex(serial), dbTime(notAfter), tx.s.Now())
	return dbErr(err, "serial "+SerialHex(serial))
}
