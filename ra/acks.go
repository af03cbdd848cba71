package ra

import (
	"context"
	"crypto"
	"crypto/x509"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/receipt"
)

// AckSigner signs acknowledgements for the RA (RULES G3, G4).
type AckSigner struct {
	Key   crypto.Signer
	Chain []*x509.Certificate // the signer's certificate first
}

// Acknowledgement is a filing's signed acuse de recibo.
type Acknowledgement struct {
	Ack  receipt.Acknowledgement
	JWS  string
	Code string // verification code printed on paper (RULES G4)
}

type ackInput struct {
	org           *model.Organisation
	pol           *policies.Policy
	folio         string
	action        string
	channel       string // receipt.ChannelOnline, ChannelInPerson or "" (not stated)
	enrollmentID  int64
	certificateID int64
	filedAt       time.Time
	receivedAt    time.Time
	filer         *model.Person
	place         string
	annexes       []receipt.Annex
}

var actionText = map[string][2]string{
	"enrollment.request": {"Solicitud de certificado electrónico", "Request for an electronic certificate"},
	"status.suspend":     {"Solicitud de suspensión de certificado", "Request to suspend a certificate"},
	"status.lift":        {"Solicitud de levantamiento de suspensión", "Request to lift a suspension"},
	"status.revoke":      {"Solicitud de revocación de certificado", "Request to revoke a certificate"},
	"status.extinguish":  {"Registro de extinción de certificado", "Record of a certificate's extinction"},
}

// acknowledge builds, signs and stores the acknowledgement of a filing.
func (r *RA) acknowledge(ctx context.Context, tx AckTx, in ackInput) (*Acknowledgement, error) {
	if r.ackSigner.Key == nil {
		return nil, errs.New(errs.BadConfig, "no acknowledgement signer configured")
	}
	place := in.place
	if place == "" {
		place = in.pol.Jurisdiction.Locality + ", " + in.pol.Jurisdiction.State
	}
	a := receipt.Acknowledgement{
		Folio: in.folio, Action: in.action, Channel: in.channel, ActionES: actionText[in.action][0], ActionEN: actionText[in.action][1], Place: place,
		FiledAt: in.filedAt, ReceivedAt: in.receivedAt, Annexes: in.annexes, TZ: in.pol.CalendarSpec.Timezone,
		ReceivingBody: receipt.ReceivingBody{Organisation: in.org.Name, Code: in.org.Code, Unit: in.org.ResponsibleUnit, Authority: in.pol.Jurisdiction.Authority},
	}
	if a.Annexes == nil {
		a.Annexes = []receipt.Annex{}
	}
	if in.filer != nil {
		id := map[string]string{"CURP": in.filer.Data.CURP, "RFC": in.filer.Data.RFC, "DNI": in.filer.Data.DNI}[in.pol.IdentifierKind()]
		if id != "" {
			id = in.pol.SerialNumber(id)
		}
		a.Filer = receipt.Filer{Name: in.filer.Data.FullName(), Identifier: receipt.Mask(id), Email: in.filer.Data.Email}
	}
	// The verification code is derived from the signed bytes, so the URL in
	// the QR code names the folio; the code is printed next to it.
	a.VerifyURL = r.portalURL + "/verificar/" + in.folio
	jws, err := receipt.Sign(a, r.ackSigner.Key, r.ackSigner.Chain)
	if err != nil {
		return nil, err
	}
	code := receipt.VerificationCode(jws)
	rec := &model.Acknowledgement{Folio: in.folio, OrgID: in.org.ID, Action: in.action, EnrollmentID: model.NullInt(in.enrollmentID),
		CertificateID: model.NullInt(in.certificateID), VerificationCode: code, JWS: jws, FiledAt: in.filedAt, ReceivedAt: in.receivedAt}
	if err := tx.CreateAcknowledgement(ctx, rec); err != nil {
		return nil, err
	}
	return &Acknowledgement{Ack: a, JWS: jws, Code: code}, nil
}

// VerifyDocument is the online check of a printed document (RULES G4): the
// folio and the verification code printed on it must match a signed
// acknowledgement. It returns the acknowledgement as signed.
func (r *RA) VerifyDocument(ctx context.Context, folio, code string) (*Acknowledgement, error) {
	a, err := r.verifyDocument(ctx, folio, code)
	if err != nil {
		return nil, r.refuse(ctx, Actor{Kind: ActorAnonymous}, "document.verify", "folio:"+truncate(folio, 64), err)
	}
	return a, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (r *RA) verifyDocument(ctx context.Context, folio, code string) (*Acknowledgement, error) {
	norm, ok := receipt.NormalizeCode(code)
	if !ok {
		return nil, errs.New(errs.Malformed, "the verification code is not well formed")
	}
	rec, err := r.store.AcknowledgementByFolio(ctx, folio)
	if err != nil {
		return nil, err
	}
	if rec.VerificationCode != norm {
		return nil, errs.New(errs.NotFound, "no document with folio %s and that verification code", folio)
	}
	chain := r.ackSigner.Chain
	if len(chain) == 0 {
		return nil, errs.New(errs.BadConfig, "no acknowledgement signer configured")
	}
	roots := x509.NewCertPool()
	for _, c := range chain[1:] {
		roots.AddCert(c)
	}
	if len(chain) == 1 {
		roots.AddCert(chain[0])
	}
	a, err := receipt.Verify(rec.JWS, roots)
	if err != nil {
		return nil, err
	}
	return &Acknowledgement{Ack: a, JWS: rec.JWS, Code: rec.VerificationCode}, nil
}

// SetAckSigner sets the acknowledgement signer (after `sello init` created it).
func (r *RA) SetAckSigner(s AckSigner) { r.ackSigner = s }
