package api

import (
	"context"
	"net/http"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/receipt"
	"github.com/sello-pki/sello/store"
)

func lang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "es"
}

func writePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// loadRequest loads the request of the path for the principal with its
// organisation and policy.
func (h *Handler) loadRequest(r *http.Request, p *Principal) (*ra.Request, *store.Organisation, *policies.Policy, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, nil, err
	}
	q, err := h.ra.Load(r.Context(), p.Actor(), id)
	if err != nil {
		return nil, nil, nil, err
	}
	org, err := h.store.Organisation(r.Context(), q.OrgID)
	if err != nil {
		return nil, nil, nil, err
	}
	pol, err := h.ra.Policy(q.PolicyID)
	if err != nil {
		return nil, nil, nil, errs.Wrap(errs.BadConfig, err, "policy")
	}
	return q, org, pol, nil
}

func body(org *store.Organisation, pol *policies.Policy) receipt.ReceivingBody {
	return receipt.ReceivingBody{Organisation: org.Name, Code: org.Code, Unit: org.ResponsibleUnit, Authority: pol.Jurisdiction.Authority}
}

// verification returns the code and the online-check link printed on a
// document of folio (RULES G4): the link of its signed acknowledgement,
// which carries the public URL, so that the QR code leads somewhere. Empty
// when the folio has no acknowledgement.
func (h *Handler) verification(ctx context.Context, folio string) (code, url string) {
	rec, err := h.store.AcknowledgementByFolio(ctx, folio)
	if err != nil {
		return "", ""
	}
	if a, err := h.ra.VerifyDocument(ctx, folio, rec.VerificationCode); err == nil && a.Ack.VerifyURL != "" {
		return a.Code, a.Ack.VerifyURL
	}
	return rec.VerificationCode, "/verificar/" + folio
}

// agentName is how a printed document names the agent who prints it: their
// full name, or the audit actor when their record cannot be read.
func (h *Handler) agentName(ctx context.Context, p *Principal) string {
	if person, err := h.store.Person(ctx, p.Agent.PersonID); err == nil && person.Data.FullName() != "" {
		return person.Data.FullName()
	}
	return p.Actor().String()
}

func place(pol *policies.Policy) string {
	return pol.Jurisdiction.Locality + ", " + pol.Jurisdiction.State
}

func (h *Handler) acknowledgementPDF(w http.ResponseWriter, r *http.Request, p *Principal) {
	q, _, _, err := h.loadRequest(r, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	rec, err := h.store.AcknowledgementByFolio(r.Context(), q.Folio)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	a, err := h.ra.VerifyDocument(r.Context(), q.Folio, rec.VerificationCode)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	pdf, err := receipt.AcknowledgementPDF(a.Ack, a.Code, lang(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writePDF(w, "acuse-"+q.Folio+".pdf", pdf)
}

// acceptancePDF prints the acceptance-of-responsibility form (RULES R8).
func (h *Handler) acceptancePDF(w http.ResponseWriter, r *http.Request, p *Principal) {
	q, org, pol, err := h.loadRequest(r, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if !q.CertificateID.Valid {
		h.fail(w, r, p, errs.New(errs.WrongState, "request %s has no certificate yet", q.Folio))
		return
	}
	c, err := h.store.Certificate(r.Context(), q.CertificateID.Int64)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	f := receipt.AcceptanceForm{Folio: q.Folio, TZ: pol.CalendarSpec.Timezone, Body: body(org, pol), Position: q.Data.Title,
		Organisation: org.Name, CertificateSerial: c.Serial, NotBefore: c.NotBefore, NotAfter: c.NotAfter, Place: place(pol),
		Date: h.clk.Now(), AgentName: h.agentName(r.Context(), p)}
	f.Code, f.VerifyURL = h.verification(r.Context(), q.Folio)
	if q.Person != nil {
		d := q.Person.Data
		f.HolderName, f.RFC, f.Email = d.FullName(), d.RFC, d.Email
		f.Identifier = map[string]string{"CURP": d.CURP, "RFC": d.RFC, "DNI": d.DNI}[pol.IdentifierKind()]
	}
	pdf, err := receipt.AcceptanceFormPDF(f, lang(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writePDF(w, "aceptacion-"+q.Folio+".pdf", pdf)
}

// refusalPDF prints the written refusal with its grounds (RULES D2) or the
// "not presented" determination (RULES D1).
func (h *Handler) refusalPDF(w http.ResponseWriter, r *http.Request, p *Principal) {
	q, org, pol, err := h.loadRequest(r, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	kind, grounds := receipt.Improcedent, q.Data.Refusal
	switch q.State {
	case ra.StateRefused:
	case ra.StateNotPresented:
		kind, grounds = receipt.NotPresented, q.Data.Deficiencies
	default:
		h.fail(w, r, p, errs.New(errs.WrongState, "request %s is %s, neither refused nor not presented", q.Folio, q.State))
		return
	}
	rf := receipt.Refusal{Kind: kind, Folio: q.Folio, TZ: pol.CalendarSpec.Timezone, Body: body(org, pol), RequestFolio: q.Folio,
		ActionES: "Solicitud de certificado electrónico", ActionEN: "Request for an electronic certificate",
		FiledAt: q.ReceivedAt.Time, IssuedAt: q.ClosedAt.Time, Organisation: org.Name, Place: place(pol),
		OfficialName: h.agentName(r.Context(), p), OfficialRole: pol.Jurisdiction.Authority, TermEndedAt: q.DeficiencyDeadline.Time}
	rf.Code, rf.VerifyURL = h.verification(r.Context(), q.Folio)
	if q.Person != nil {
		rf.ApplicantName = q.Person.Data.FullName()
		rf.Identifier = receipt.Mask(map[string]string{"CURP": q.Person.Data.CURP, "RFC": q.Person.Data.RFC, "DNI": q.Person.Data.DNI}[pol.IdentifierKind()])
	}
	for _, g := range grounds {
		text := g.ES
		if lang(r) == "en" {
			text = g.EN
		}
		rf.Grounds = append(rf.Grounds, receipt.Ground{Rule: g.Rule, Text: text})
	}
	if q.Data.RefusalNote != "" {
		rf.Grounds = append(rf.Grounds, receipt.Ground{Rule: "D2", Text: q.Data.RefusalNote})
	}
	pdf, err := receipt.RefusalPDF(rf, lang(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writePDF(w, "resolucion-"+q.Folio+".pdf", pdf)
}

// revocationPDF prints the revocation receipt for the holder to sign (RULES S4).
func (h *Handler) revocationPDF(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	c, err := h.store.Certificate(r.Context(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if err := p.Actor().MustRead(c.OrgID.Int64); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if c.Status != store.CertRevoked {
		h.fail(w, r, p, errs.New(errs.WrongState, "certificate %s is %s, not revoked", c.Serial, c.Status))
		return
	}
	hist, err := h.store.StatusChanges(r.Context(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	var rev store.StatusChange
	for _, ch := range hist {
		if ch.Kind == "revoke" {
			rev = ch
		}
	}
	org, err := h.store.Organisation(r.Context(), c.OrgID.Int64)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	pol, err := h.ra.Policy(c.PolicyID.String)
	if err != nil {
		h.fail(w, r, p, errs.Wrap(errs.BadConfig, err, "policy"))
		return
	}
	reason, _, _ := pol.StatusReason(rev.ReasonID)
	rr := receipt.RevocationReceipt{Folio: rev.Folio.String, TZ: pol.CalendarSpec.Timezone, Body: body(org, pol), CertificateSerial: c.Serial,
		ReasonES: reason.ES, ReasonEN: reason.EN, ReasonRFC5280: reason.RFC5280, RequestedBy: receipt.ByAgent,
		ReceivedAt: rev.At, RevokedAt: rev.At, Place: place(pol), AgentName: h.agentName(r.Context(), p)}
	if rev.Actor == "system:appointment-monitor" || rev.Actor == "system:scheduler" {
		rr.RequestedBy = receipt.ByAutomatic
	}
	if list, err := h.store.ListStatusRequests(r.Context(), c.OrgID.Int64, ""); err == nil {
		for _, sr := range list {
			if sr.Folio == rev.Folio.String {
				rr.ReceivedAt = sr.ReceivedAt
				switch sr.Requester {
				case ra.ByHolder:
					rr.RequestedBy = receipt.ByHolder
				case ra.BySuperior, ra.ByRepresentative:
					rr.RequestedBy = receipt.BySuperior
				}
			}
		}
	}
	rr.Code, rr.VerifyURL = h.verification(r.Context(), rev.Folio.String)
	if c.PersonID.Valid {
		if person, err := h.store.Person(r.Context(), c.PersonID.Int64); err == nil {
			rr.HolderName = person.Data.FullName()
			rr.Identifier = map[string]string{"CURP": person.Data.CURP, "RFC": person.Data.RFC, "DNI": person.Data.DNI}[pol.IdentifierKind()]
		}
	}
	pdf, err := receipt.RevocationReceiptPDF(rr, lang(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writePDF(w, "revocacion-"+c.Serial+".pdf", pdf)
}
