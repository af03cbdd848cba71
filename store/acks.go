package store

import (
	"context"

	"github.com/sello-pki/sello/internal/model"
)

// Acknowledgement is model.Acknowledgement.
type Acknowledgement = model.Acknowledgement

const ackCols = "id, folio, org_id, action, enrollment_id, certificate_id, verification_code, jws, filed_at, received_at"

// CreateAcknowledgement stores a signed acknowledgement.
func (tx *Tx) CreateAcknowledgement(ctx context.Context, a *Acknowledgement) error {
	a.FiledAt, a.ReceivedAt = dbTime(a.FiledAt), dbTime(a.ReceivedAt)
	id, err := tx.insert(ctx, `INSERT INTO acknowledgements (folio, org_id, action, enrollment_id, certificate_id, verification_code, jws, filed_at, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Folio, a.OrgID, a.Action, a.EnrollmentID, a.CertificateID, a.VerificationCode, a.JWS, a.FiledAt, a.ReceivedAt)
	if err != nil {
		return dbErr(err, "acknowledgement")
	}
	a.ID = id
	return nil
}

// AcknowledgementByCode finds an acknowledgement by its verification code
// (the online check of a printed document, RULES G4).
func (s *Store) AcknowledgementByCode(ctx context.Context, code string) (*Acknowledgement, error) {
	var a Acknowledgement
	if err := s.get(ctx, &a, "SELECT "+ackCols+" FROM acknowledgements WHERE verification_code = ?", code); err != nil {
		return nil, notFoundOr(err, "verification code %q", code)
	}
	return &a, nil
}

// AcknowledgementByFolio finds an acknowledgement by folio.
func (s *Store) AcknowledgementByFolio(ctx context.Context, folio string) (*Acknowledgement, error) {
	var a Acknowledgement
	if err := s.get(ctx, &a, "SELECT "+ackCols+" FROM acknowledgements WHERE folio = ?", folio); err != nil {
		return nil, notFoundOr(err, "folio %q", folio)
	}
	return &a, nil
}
