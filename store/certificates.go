package store

import (
	"context"
	"math/big"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Re-declared from package model.
const (
	CertValid     = model.CertValid
	CertSuspended = model.CertSuspended
	CertRevoked   = model.CertRevoked
	CertExpired   = model.CertExpired
)

// SerialHex is model.SerialHex.
func SerialHex(n *big.Int) string { return model.SerialHex(n) }

// Certificate is model.Certificate.
type Certificate = model.Certificate

const certCols = `id, issuer_id, serial, org_id, person_id, agent_id, enrollment_id, subject, key_fingerprint,
	cert_fingerprint, status, not_before, not_after, issued_at, status_changed_at, revoked_at, revocation_reason, der,
	policy_id, status_reason_id, suspended_until, appointment_checked_at, origin, decision_due_at`

// InsertCertificate records an issued certificate as valid. Its serial must
// have been reserved.
func (tx *Tx) InsertCertificate(ctx context.Context, c *Certificate) error {
	now := tx.s.Now()
	c.Status, c.IssuedAt, c.StatusChangedAt = CertValid, now, now
	c.NotBefore, c.NotAfter = dbTime(c.NotBefore), dbTime(c.NotAfter)
	var reserved int
	if err := tx.get(ctx, &reserved, "SELECT COUNT(*) FROM serials WHERE issuer_id = ? AND serial = ?", c.IssuerID, c.Serial); err != nil {
		return dbErr(err, "serial")
	}
	if reserved == 0 {
		return errs.New(errs.Internal, "serial %s was never reserved", c.Serial)
	}
	id, err := tx.insert(ctx, `INSERT INTO certificates (issuer_id, serial, org_id, person_id, agent_id, enrollment_id, subject,
		key_fingerprint, cert_fingerprint, status, not_before, not_after, issued_at, status_changed_at, der, policy_id, origin)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.IssuerID, c.Serial, c.OrgID, c.PersonID, c.AgentID, c.EnrollmentID, c.Subject, c.KeyFingerprint,
		c.CertFingerprint, c.Status, c.NotBefore, c.NotAfter, c.IssuedAt, c.StatusChangedAt, c.DER, c.PolicyID, originOf(c))
	if err != nil {
		return dbErr(err, "certificate "+c.Serial)
	}
	c.ID = id
	return nil
}

// CertificateBySerial returns a certificate by issuer and serial (hex).
func (s *Store) CertificateBySerial(ctx context.Context, issuerID, serial string) (*Certificate, error) {
	var c Certificate
	if err := s.get(ctx, &c, "SELECT "+certCols+" FROM certificates WHERE issuer_id = ? AND serial = ?", issuerID, strings.ToLower(serial)); err != nil {
		return nil, notFoundOr(err, "certificate %s", serial)
	}
	return &c, nil
}

// UnexpiredCertificatesWithKey returns the certificates not revoked and not
// expired at now that certify the key with this fingerprint: the duplicate-key
// check (RULES S2).
func (s *Store) UnexpiredCertificatesWithKey(ctx context.Context, keyFingerprint string, now time.Time) ([]Certificate, error) {
	var out []Certificate
	if err := s.sel(ctx, &out, "SELECT "+certCols+` FROM certificates WHERE key_fingerprint = ?
		AND status IN ('valid', 'suspended') AND not_after > ?`, keyFingerprint, dbTime(now)); err != nil {
		return nil, dbErr(err, "certificates")
	}
	return out, nil
}

// CertificatesOfAgent returns the certificates of an agent account.
func (s *Store) CertificatesOfAgent(ctx context.Context, agentID int64) ([]Certificate, error) {
	var out []Certificate
	if err := s.sel(ctx, &out, "SELECT "+certCols+" FROM certificates WHERE agent_id = ? ORDER BY id", agentID); err != nil {
		return nil, dbErr(err, "certificates")
	}
	return out, nil
}

// ReserveSerial records a serial before anything is signed with it
// (ca/local.SerialStore). A serial already reserved is errs.Conflict.
func (s *Store) ReserveSerial(ctx context.Context, issuerID string, serial *big.Int, notAfter time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "INSERT INTO serials (issuer_id, serial, not_after, reserved_at) VALUES (?, ?, ?, ?)",
			issuerID, SerialHex(serial), dbTime(notAfter), s.Now())
		return dbErr(err, "serial "+SerialHex(serial))
	})
}

// SaveLintCertificate stores the linted, throwaway-signed certificate before
// the real signature (ca/local.SerialStore), so a crash after signing leaves
// a record of what was meant.
func (s *Store) SaveLintCertificate(ctx context.Context, issuerID string, serial *big.Int, der []byte) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "INSERT INTO lint_certificates (issuer_id, serial, der, created_at) VALUES (?, ?, ?, ?)",
			issuerID, SerialHex(serial), der, s.Now())
		return dbErr(err, "lint certificate "+SerialHex(serial))
	})
}

// LintCertificate returns the stored lint certificate for a serial.
func (s *Store) LintCertificate(ctx context.Context, issuerID string, serial *big.Int) ([]byte, error) {
	var der []byte
	if err := s.get(ctx, &der, "SELECT der FROM lint_certificates WHERE issuer_id = ? AND serial = ?", issuerID, SerialHex(serial)); err != nil {
		return nil, notFoundOr(err, "lint certificate %s", SerialHex(serial))
	}
	return der, nil
}

func originOf(c *Certificate) string {
	if c.Origin == "" {
		return "issued"
	}
	return c.Origin
}

// CertificateCount is model.CertificateCount.
type CertificateCount = model.CertificateCount

// CertificateCounts counts the certificates by issuer and status (the
// metrics are per issuer).
func (s *Store) CertificateCounts(ctx context.Context) ([]CertificateCount, error) {
	var out []CertificateCount
	if err := s.sel(ctx, &out, "SELECT issuer_id, status, COUNT(*) AS n FROM certificates GROUP BY issuer_id, status"); err != nil {
		return nil, dbErr(err, "certificates")
	}
	return out, nil
}
