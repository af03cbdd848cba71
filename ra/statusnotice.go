package ra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/ra/notify"
)

// priorNoticeTerm is when a revocation announced today takes effect: the
// reason's prior_notice_days business days later, at the same hour (RULES
// S2, Zacatecas art. 66-IV: "previa comunicación ... en la que especifique
// la causa, fecha y hora en que se efectuará la revocación").
func priorNoticeTerm(pol *policies.Policy, reason policies.StatusReason, now time.Time) time.Time {
	return pol.Calendar().AddBusinessDays(now, reason.PriorNoticeDays)
}

// sendRevocationNotice e-mails the holder the prior notice of a revocation:
// its cause, and the date and hour at which it takes effect. The outbox job
// commits with the request that records it.
func (r *RA) sendRevocationNotice(ctx context.Context, tx Tx, cert *model.Certificate, pol *policies.Policy,
	reason policies.StatusReason, sr *model.StatusRequest) error {
	if !cert.PersonID.Valid {
		return errs.New(errs.Malformed, "certificate %s has no holder on record to give the prior notice to", cert.Serial)
	}
	req, err := holderMailRequest(ctx, tx, cert, pol, sr.Folio)
	if err != nil {
		return err
	}
	if req.Person.Data.Email == "" {
		return errs.New(errs.Malformed, "the holder of certificate %s has no e-mail address for the prior notice", cert.Serial)
	}
	cause := reason.ES
	if req.Data.Lang == notify.LangEN {
		cause = reason.EN
	}
	basis := pol.LegalBasis.Instrument
	if reason.Source != "" {
		basis += ", " + reason.Source
	}
	return r.notify(ctx, tx, req, nil, mail{template: notify.TemplateRevocationNotice, key: fmt.Sprintf("revocation-notice:%d", sr.ID),
		data: map[string]any{"Serial": cert.Serial, "Reason": cause, "EffectiveAt": sr.EffectiveAt.Time, "LegalBasis": basis}})
}

// withdrawRevocationNotice e-mails the holder that a prior notice of
// revocation was cancelled before its term.
func (r *RA) withdrawRevocationNotice(ctx context.Context, tx Tx, sr *model.StatusRequest) error {
	cert, err := tx.Certificate(ctx, sr.CertificateID)
	if err != nil {
		return err
	}
	pol, err := r.policies.Get(cert.PolicyID.String)
	if err != nil {
		return errs.Wrap(errs.BadConfig, err, "policy")
	}
	if !cert.PersonID.Valid {
		return nil
	}
	req, err := holderMailRequest(ctx, tx, cert, pol, sr.Folio)
	if err != nil || req.Person.Data.Email == "" {
		return err
	}
	return r.notify(ctx, tx, req, nil, mail{template: notify.TemplateRevocationNoticeCancelled, key: fmt.Sprintf("revocation-notice-cancelled:%d", sr.ID),
		data: map[string]any{"Serial": cert.Serial}})
}

// holderMailRequest is what r.notify needs to write to a certificate's
// holder: the holder, in the language of the request that led to the
// certificate, under the certificate's policy (its time zone).
func holderMailRequest(ctx context.Context, tx Tx, cert *model.Certificate, pol *policies.Policy, folio string) (*Request, error) {
	person, err := tx.Person(ctx, cert.PersonID.Int64)
	if err != nil {
		return nil, err
	}
	lang := "es"
	if cert.EnrollmentID.Valid {
		if e, err := tx.Enrollment(ctx, cert.EnrollmentID.Int64); err == nil {
			if d, err := decodeData(e); err == nil && d.Lang != "" {
				lang = d.Lang
			}
		}
	}
	return &Request{Enrollment: &model.Enrollment{OrgID: cert.OrgID.Int64, Folio: folio, PolicyID: pol.ID}, Data: EnrollmentData{Lang: lang}, Person: person}, nil
}

// checkRequesterPapers checks what RULES S4 (Zacatecas art. 68) asks of a
// request: a revocation filed for the holder or by their representative
// states the holder's address (68-I-c), and a representative's request
// rests on a power of attorney (68-II). The power of attorney is a
// document uploaded to a request of the certificate's holder, of kind
// POWER_OF_ATTORNEY and still current, given by its id: the document store
// already seals, versions and audits it, and the id ties the request to the
// very document an agent saw.
func checkRequesterPapers(ctx context.Context, tx Tx, cert *model.Certificate, in StatusInput) error {
	revoking := in.Kind == ChangeRevoke || in.Kind == ChangeExtinguish
	if revoking && (in.Requester == ByHolder || in.Requester == ByRepresentative) && strings.TrimSpace(in.Address) == "" {
		return errs.New(errs.Malformed, "a revocation request states the holder's address (RULES S4)")
	}
	if in.Requester != ByRepresentative {
		return nil
	}
	if in.PowerOfAttorney == 0 {
		return errs.New(errs.Malformed, "a representative's request needs the power-of-attorney document: upload it as POWER_OF_ATTORNEY and give its id (RULES S4)")
	}
	doc, err := tx.DocumentInfo(ctx, in.PowerOfAttorney)
	if errs.Has(err, errs.NotFound) {
		return errs.New(errs.Malformed, "document %d is not a power of attorney on record (RULES S4)", in.PowerOfAttorney)
	}
	if err != nil {
		return err
	}
	if doc.Kind != documents.PowerOfAttorney || doc.SupersededAt.Valid || doc.OrgID != cert.OrgID.Int64 || !doc.EnrollmentID.Valid {
		return errs.New(errs.Malformed, "document %d is not a current power of attorney of this organisation (RULES S4)", in.PowerOfAttorney)
	}
	e, err := tx.Enrollment(ctx, doc.EnrollmentID.Int64)
	if err != nil {
		return err
	}
	if !cert.PersonID.Valid || !e.PersonID.Valid || e.PersonID.Int64 != cert.PersonID.Int64 {
		return errs.New(errs.Malformed, "document %d belongs to another person's request, not to the holder of certificate %s (RULES S4)", in.PowerOfAttorney, cert.Serial)
	}
	return nil
}
