package ra

import (
	"context"
	"fmt"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/receipt"
)

// PDF is a printed document: its file name and bytes.
type PDF struct {
	Name string
	Data []byte
}

// printLang is the language of a printed form: Spanish unless English is
// asked for.
func printLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "es"
}

// printContext loads what every printed form of a request needs.
func (r *RA) printContext(ctx context.Context, a Actor, id int64) (*Request, *model.Organisation, *policies.Policy, error) {
	q, err := r.Load(ctx, a, id)
	if err != nil {
		return nil, nil, nil, err
	}
	org, pol, err := r.orgAndPolicy(ctx, q.OrgID, q.PolicyID)
	if err != nil {
		return nil, nil, nil, err
	}
	return q, org, pol, nil
}

func (r *RA) orgAndPolicy(ctx context.Context, orgID int64, policyID string) (*model.Organisation, *policies.Policy, error) {
	org, err := r.store.Organisation(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	pol, err := r.policies.Get(policyID)
	if err != nil {
		return nil, nil, errs.Wrap(errs.BadConfig, err, "policy %s", policyID)
	}
	return org, pol, nil
}

func receivingBody(org *model.Organisation, pol *policies.Policy) receipt.ReceivingBody {
	return receipt.ReceivingBody{Organisation: org.Name, Code: org.Code, Unit: org.ResponsibleUnit, Authority: pol.Jurisdiction.Authority}
}

func place(pol *policies.Policy) string {
	return pol.Jurisdiction.Locality + ", " + pol.Jurisdiction.State
}

// verification returns the code and the online-check link printed on a
// document of folio (RULES G4): the link of its signed acknowledgement,
// which carries the public URL, so that the QR code leads somewhere. Empty
// when the folio has no acknowledgement.
func (r *RA) verification(ctx context.Context, folio string) (code, url string) {
	rec, err := r.store.AcknowledgementByFolio(ctx, folio)
	if err != nil {
		return "", ""
	}
	if a, err := r.verifyDocument(ctx, folio, rec.VerificationCode); err == nil && a.Ack.VerifyURL != "" {
		return a.Code, a.Ack.VerifyURL
	}
	return rec.VerificationCode, r.portalURL + "/verificar/" + folio
}

// officialName is how a printed document names the person who prints it:
// the agent's full name, or the audit actor when there is no record.
func (r *RA) officialName(ctx context.Context, a Actor) string {
	if a.Kind == ActorAgent {
		if ag, err := r.store.Agent(ctx, a.AgentID); err == nil {
			if p, err := r.store.Person(ctx, ag.PersonID); err == nil && p.Data.FullName() != "" {
				return p.Data.FullName()
			}
		}
	}
	return a.String()
}

func identifierOf(d model.PersonData, pol *policies.Policy) string {
	return map[string]string{"CURP": d.CURP, "RFC": d.RFC, "DNI": d.DNI}[pol.IdentifierKind()]
}

// AcknowledgementPDF prints a request's acknowledgement of receipt (RULES
// G3, G4).
func (r *RA) AcknowledgementPDF(ctx context.Context, a Actor, id int64, lang string) (*PDF, error) {
	pdf, err := r.acknowledgementPDF(ctx, a, id, lang)
	if err != nil {
		return nil, r.refusePrint(ctx, a, "print.acknowledgement", id, err)
	}
	return pdf, nil
}

func (r *RA) acknowledgementPDF(ctx context.Context, a Actor, id int64, lang string) (*PDF, error) {
	q, err := r.Load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	rec, err := r.store.AcknowledgementByFolio(ctx, q.Folio)
	if err != nil {
		return nil, err
	}
	ack, err := r.verifyDocument(ctx, q.Folio, rec.VerificationCode)
	if err != nil {
		return nil, err
	}
	pdf, err := receipt.AcknowledgementPDF(ack.Ack, ack.Code, printLang(lang))
	if err != nil {
		return nil, err
	}
	return &PDF{Name: "acuse-" + q.Folio + ".pdf", Data: pdf}, nil
}

// AcceptanceFormPDF prints the acceptance-of-responsibility form of an
// issued certificate (RULES R8).
func (r *RA) AcceptanceFormPDF(ctx context.Context, a Actor, id int64, lang string) (*PDF, error) {
	pdf, err := r.acceptanceFormPDF(ctx, a, id, lang)
	if err != nil {
		return nil, r.refusePrint(ctx, a, "print.acceptance_form", id, err)
	}
	return pdf, nil
}

func (r *RA) acceptanceFormPDF(ctx context.Context, a Actor, id int64, lang string) (*PDF, error) {
	q, org, pol, err := r.printContext(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !q.CertificateID.Valid {
		return nil, errs.New(errs.WrongState, "request %s has no certificate yet", q.Folio)
	}
	c, err := r.store.Certificate(ctx, q.CertificateID.Int64)
	if err != nil {
		return nil, err
	}
	f := receipt.AcceptanceForm{Folio: q.Folio, TZ: pol.CalendarSpec.Timezone, Body: receivingBody(org, pol), Position: q.Data.Title,
		Organisation: org.Name, CertificateSerial: c.Serial, NotBefore: c.NotBefore, NotAfter: c.NotAfter, Place: place(pol),
		Date: r.clk.Now(), AgentName: r.officialName(ctx, a)}
	f.Code, f.VerifyURL = r.verification(ctx, q.Folio)
	if q.Person != nil {
		d := q.Person.Data
		f.HolderName, f.RFC, f.Email = d.FullName(), d.RFC, d.Email
		f.Identifier = identifierOf(d, pol)
	}
	pdf, err := receipt.AcceptanceFormPDF(f, printLang(lang))
	if err != nil {
		return nil, err
	}
	return &PDF{Name: "aceptacion-" + q.Folio + ".pdf", Data: pdf}, nil
}

// RefusalPDF prints the written refusal with its grounds (RULES D2) or the
// "not presented" determination (RULES D1).
func (r *RA) RefusalPDF(ctx context.Context, a Actor, id int64, lang string) (*PDF, error) {
	pdf, err := r.refusalPDF(ctx, a, id, lang)
	if err != nil {
		return nil, r.refusePrint(ctx, a, "print.refusal", id, err)
	}
	return pdf, nil
}

func (r *RA) refusalPDF(ctx context.Context, a Actor, id int64, lang string) (*PDF, error) {
	q, org, pol, err := r.printContext(ctx, a, id)
	if err != nil {
		return nil, err
	}
	lang = printLang(lang)
	kind, grounds, notice := receipt.Improcedent, q.Data.Refusal, policies.NoticeRefusal
	switch q.State {
	case StateRefused:
	case StateNotPresented:
		kind, grounds, notice = receipt.NotPresented, q.Data.Deficiencies, policies.NoticeNotPresented
	default:
		return nil, errs.New(errs.WrongState, "request %s is %s, neither refused nor not presented", q.Folio, q.State)
	}
	// The reception shown is the legal one (RULES D4), unless the agent
	// decided an after-hours filing before it: then the filing's arrival,
	// which the decision always follows.
	received := q.ReceivedAt.Time
	if q.FiledAt.Valid && q.ClosedAt.Time.Before(received) {
		received = q.FiledAt.Time
	}
	rf := receipt.Refusal{Kind: kind, Folio: q.Folio, TZ: pol.CalendarSpec.Timezone, Body: receivingBody(org, pol), RequestFolio: q.Folio,
		ActionES: "Solicitud de certificado electrónico", ActionEN: "Request for an electronic certificate",
		FiledAt: received, IssuedAt: q.ClosedAt.Time, Organisation: org.Name, Place: place(pol),
		OfficialName: r.officialName(ctx, a), OfficialRole: pol.Jurisdiction.Authority, TermEndedAt: q.DeficiencyDeadline.Time}
	rf.Code, rf.VerifyURL = r.verification(ctx, q.Folio)
	if q.Person != nil {
		rf.ApplicantName = q.Person.Data.FullName()
		rf.Identifier = receipt.Mask(identifierOf(q.Person.Data, pol))
	}
	for _, g := range grounds {
		rf.Grounds = append(rf.Grounds, receipt.Ground{Rule: pol.RuleCitation(g.Rule, notice), Text: g.ForApplicant(lang)})
	}
	if q.Data.RefusalNote != "" {
		rf.Grounds = append(rf.Grounds, receipt.Ground{Rule: pol.RuleCitation("D2", notice), Text: q.Data.RefusalNote})
	}
	// The decision cites the instrument and its article (RULES D1, D2).
	rf.LegalBasis = pol.LegalCitation(notice)
	pdf, err := receipt.RefusalPDF(rf, lang)
	if err != nil {
		return nil, err
	}
	return &PDF{Name: "resolucion-" + q.Folio + ".pdf", Data: pdf}, nil
}

// RevocationReceiptPDF prints the revocation receipt for the holder to sign
// (RULES S4).
func (r *RA) RevocationReceiptPDF(ctx context.Context, a Actor, certID int64, lang string) (*PDF, error) {
	pdf, err := r.revocationReceiptPDF(ctx, a, certID, lang)
	if err != nil {
		return nil, r.refusePrint(ctx, a, "print.revocation_receipt", certID, err)
	}
	return pdf, nil
}

func (r *RA) revocationReceiptPDF(ctx context.Context, a Actor, certID int64, lang string) (*PDF, error) {
	c, err := r.certificate(ctx, a, certID)
	if err != nil {
		return nil, err
	}
	if c.Status != model.CertRevoked {
		return nil, errs.New(errs.WrongState, "certificate %s is %s, not revoked", c.Serial, c.Status)
	}
	hist, err := r.store.StatusChanges(ctx, certID)
	if err != nil {
		return nil, err
	}
	var rev model.StatusChange
	for _, ch := range hist {
		if ch.Kind == ChangeRevoke {
			rev = ch
		}
	}
	org, pol, err := r.orgAndPolicy(ctx, c.OrgID.Int64, c.PolicyID.String)
	if err != nil {
		return nil, err
	}
	reason, _, found := pol.StatusReason(rev.ReasonID)
	if !found {
		// A reason outside the catalogue (a disabled agent's login
		// certificate): print what was recorded with the change.
		reason = recordedReason(rev)
	}
	rr := receipt.RevocationReceipt{Folio: rev.Folio.String, TZ: pol.CalendarSpec.Timezone, Body: receivingBody(org, pol), CertificateSerial: c.Serial,
		ReasonES: reason.ES, ReasonEN: reason.EN, ReasonRFC5280: reason.RFC5280, RequestedBy: receipt.ByAgent,
		ReceivedAt: rev.At, RevokedAt: rev.At, Place: place(pol), AgentName: r.officialName(ctx, a)}
	if rev.Actor == System("appointment-monitor").String() || rev.Actor == System("scheduler").String() {
		rr.RequestedBy = receipt.ByAutomatic
	}
	if list, err := r.store.ListStatusRequests(ctx, c.OrgID.Int64, ""); err == nil {
		for _, sr := range list {
			if sr.Folio == rev.Folio.String {
				rr.ReceivedAt, rr.HolderAddress = sr.ReceivedAt, sr.Address
				switch sr.Requester {
				case ByHolder:
					rr.RequestedBy = receipt.ByHolder
				case BySuperior, ByRepresentative:
					rr.RequestedBy = receipt.BySuperior
				}
			}
		}
	}
	rr.Code, rr.VerifyURL = r.verification(ctx, rev.Folio.String)
	if c.PersonID.Valid {
		if person, err := r.store.Person(ctx, c.PersonID.Int64); err == nil {
			rr.HolderName = person.Data.FullName()
			rr.Identifier = identifierOf(person.Data, pol)
		}
	}
	pdf, err := receipt.RevocationReceiptPDF(rr, printLang(lang))
	if err != nil {
		return nil, err
	}
	return &PDF{Name: "revocacion-" + c.Serial + ".pdf", Data: pdf}, nil
}

// refusePrint audits a document that could not be printed, unless the read
// that refused it already did (an authorisation refusal).
func (r *RA) refusePrint(ctx context.Context, a Actor, action string, id int64, err error) error {
	if errs.Has(err, errs.Forbidden) || errs.Has(err, errs.Unauthorized) || isForeign(err) {
		return err
	}
	return r.refuse(ctx, a, action, fmt.Sprintf("%s:%d", action, id), err)
}

// recordedReason is the reason a status change recorded, for one whose id
// is not in its policy's catalogue: its text and its RFC 5280 name.
func recordedReason(ch model.StatusChange) policies.StatusReason {
	out := policies.StatusReason{ID: ch.ReasonID, ES: ch.Reason, EN: ch.Reason}
	for name, code := range policies.CRLReasons {
		if code == ch.ReasonCode {
			out.RFC5280 = name
		}
	}
	return out
}
