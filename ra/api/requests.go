package api

import (
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/store"
)

// requestView is a request as agents see it.
type requestView struct {
	ID                 int64              `json:"id"`
	Folio              string             `json:"folio"`
	State              string             `json:"state"`
	Channel            string             `json:"channel"`
	Reason             string             `json:"reason"`
	Policy             string             `json:"policy"`
	Organisation       int64              `json:"organisation"`
	Applicant          string             `json:"applicant"`
	CURP               string             `json:"curp,omitempty"`
	RFC                string             `json:"rfc,omitempty"`
	DNI                string             `json:"dni,omitempty"`
	Email              string             `json:"email,omitempty"`
	Title              string             `json:"title,omitempty"`
	FiledAt            *time.Time         `json:"filedAt,omitempty"`
	ReceivedAt         *time.Time         `json:"receivedAt,omitempty"`
	EmailVerified      bool               `json:"emailVerified"`
	DeficiencyDeadline *time.Time         `json:"deficiencyDeadline,omitempty"`
	RefusalDue         bool               `json:"refusalDue"`
	HoldUntil          *time.Time         `json:"holdUntil,omitempty"`
	NotAfter           *time.Time         `json:"notAfter,omitempty"`
	CertificateID      int64              `json:"certificateId,omitempty"`
	Appointment        any                `json:"appointment,omitempty"`
	Decision           *policies.Decision `json:"decision,omitempty"`
	Deficiencies       []policies.Finding `json:"deficiencies,omitempty"`
	Refusal            []policies.Finding `json:"refusal,omitempty"`
	CancelReason       string             `json:"cancelReason,omitempty"`
	ApprovedBy         int64              `json:"approvedBy,omitempty"`
}

func tp(t interface{ IsZero() bool }, v time.Time) *time.Time {
	if v.IsZero() {
		return nil
	}
	return &v
}

func viewOf(q *ra.Request) requestView {
	v := requestView{ID: q.ID, Folio: q.Folio, State: q.State, Channel: q.Channel, Reason: q.Reason, Policy: q.PolicyID,
		Organisation: q.OrgID, Title: q.Data.Title, EmailVerified: q.EmailVerifiedAt.Valid, RefusalDue: q.RefusalFlaggedAt.Valid,
		Decision: q.Data.Decision, Deficiencies: q.Data.Deficiencies, Refusal: q.Data.Refusal, CancelReason: q.Data.CancelReason,
		CertificateID: q.CertificateID.Int64, ApprovedBy: q.ApprovedBy.Int64}
	if q.Person != nil {
		v.Applicant, v.CURP, v.RFC, v.DNI, v.Email = q.Person.DisplayName, q.Person.Data.CURP, q.Person.Data.RFC, q.Person.Data.DNI, q.Person.Data.Email
	}
	v.FiledAt = tp(q.FiledAt.Time, q.FiledAt.Time)
	v.ReceivedAt = tp(q.ReceivedAt.Time, q.ReceivedAt.Time)
	v.DeficiencyDeadline = tp(q.DeficiencyDeadline.Time, q.DeficiencyDeadline.Time)
	v.HoldUntil = tp(q.HoldUntil.Time, q.HoldUntil.Time)
	v.NotAfter = tp(q.NotAfter.Time, q.NotAfter.Time)
	if q.Data.Appointment != nil {
		v.Appointment = q.Data.Appointment
	}
	return v
}

// listRequests serves the screens "online requests" (view=online: e-mail
// not yet verified or waiting), "my requests" (view=mine) and all of the
// organisation's (default), optionally by state.
func (h *Handler) listRequests(w http.ResponseWriter, r *http.Request, p *Principal) {
	f := store.EnrollmentFilter{OrgID: p.Agent.OrgID}
	if p.Actor().CanRead(0) { // admins and auditors see every organisation
		f.OrgID = 0
	}
	switch view := r.URL.Query().Get("view"); view {
	case "", "all":
	case "online":
		f.States = []string{ra.StateSubmitted, ra.StateEmailVerified}
	case "mine":
		f.AgentID = p.Agent.ID
	default:
		h.fail(w, r, p, errs.New(errs.Malformed, "view %q: want online, mine or all", view))
		return
	}
	if st := r.URL.Query().Get("state"); st != "" {
		f.States = strings.Split(st, ",")
	}
	h.writeRequests(w, r, p, f)
}

func (h *Handler) writeRequests(w http.ResponseWriter, r *http.Request, p *Principal, f store.EnrollmentFilter) {
	list, err := h.store.ListEnrollments(r.Context(), f)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	out := []requestView{}
	for _, e := range list {
		q, err := h.ra.Load(r.Context(), p.Actor(), e.ID)
		if err != nil {
			continue // not visible to this agent
		}
		out = append(out, viewOf(q))
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

type fileBody struct {
	Organisation  string `json:"organisation"`
	Reason        string `json:"reason"`
	GivenNames    string `json:"givenNames"`
	FirstSurname  string `json:"firstSurname"`
	SecondSurname string `json:"secondSurname"`
	CURP          string `json:"curp"`
	RFC           string `json:"rfc"`
	DNI           string `json:"dni"`
	Email         string `json:"email"`
	Phone         string `json:"phone"`
	Title         string `json:"title"`
	Lang          string `json:"lang"`
	Place         string `json:"place"`
}

func (b fileBody) request() ra.FileRequest {
	return ra.FileRequest{OrgCode: b.Organisation, Reason: b.Reason, Title: b.Title, Lang: b.Lang, Place: b.Place,
		Person: store.PersonData{GivenNames: b.GivenNames, FirstSurname: b.FirstSurname, SecondSurname: b.SecondSurname,
			CURP: b.CURP, RFC: b.RFC, DNI: b.DNI, Email: b.Email, Phone: b.Phone}}
}

func filingView(f *ra.Filing) map[string]any {
	return map[string]any{"request": viewOf(f.Request), "acknowledgement": map[string]any{
		"folio": f.Ack.Ack.Folio, "receivedAt": f.Ack.Ack.ReceivedAt, "filedAt": f.Ack.Ack.FiledAt, "verificationCode": f.Ack.Code,
		"verifyUrl": f.Ack.Ack.VerifyURL, "jws": f.Ack.JWS}}
}

// fileInPerson: "generate certificate in person" starts with the agent
// opening the request with the applicant at the desk.
func (h *Handler) fileInPerson(w http.ResponseWriter, r *http.Request, p *Principal) {
	var b fileBody
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if b.Organisation == "" {
		b.Organisation = p.Org.Code
	}
	f, err := h.ra.FileInPerson(r.Context(), p.Actor(), b.request())
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusCreated, filingView(f))
}

func (h *Handler) getRequest(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	q, err := h.ra.Load(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, viewOf(q))
}

func (h *Handler) evaluation(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	_, d, err := h.ra.Evaluation(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvable": d.Approvable(), "rules": d.Rules(), "decision": d})
}

// simple wraps a transition that takes no body.
func (h *Handler) simple(fn func(ctx context.Context, a ra.Actor, id int64) (*ra.Request, error)) func(http.ResponseWriter, *http.Request, *Principal, int64) {
	return func(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
		var empty struct{}
		if err := decode(r, &empty); err != nil {
			h.fail(w, r, p, err)
			return
		}
		q, err := fn(r.Context(), p.Actor(), id)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		writeJSON(w, http.StatusOK, viewOf(q))
	}
}

// withText wraps a transition that takes one written text (a reason, a note).
func (h *Handler) withText(field string, fn func(ctx context.Context, a ra.Actor, id int64, text string) (*ra.Request, error)) func(http.ResponseWriter, *http.Request, *Principal, int64) {
	return func(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
		var body map[string]string
		if err := decode(r, &body); err != nil {
			h.fail(w, r, p, err)
			return
		}
		for k := range body {
			if k != field {
				h.fail(w, r, p, errs.New(errs.Malformed, "unknown field %q (want %q)", k, field))
				return
			}
		}
		q, err := fn(r.Context(), p.Actor(), id, body[field])
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		writeJSON(w, http.StatusOK, viewOf(q))
	}
}

type confirmBody struct {
	IDDocument *struct {
		Kind   string `json:"kind"`
		Number string `json:"number"`
	} `json:"idDocument"`
	Documents      map[string]string `json:"documents"` // kind -> issue date YYYY-MM-DD
	Biometrics     []string          `json:"biometrics"`
	InPerson       *bool             `json:"inPerson"`
	RequestForm    *bool             `json:"requestFormSigned"`
	Agreement      *bool             `json:"agreementSigned"`
	PaymentReceipt string            `json:"paymentReceipt"`
	RENAPO         *bool             `json:"renapoConfirmed"`
	DNIIssueDate   string            `json:"dniIssueDate"`
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	var b confirmBody
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	c := ra.Confirm{Biometrics: b.Biometrics, InPerson: b.InPerson, RequestForm: b.RequestForm, Agreement: b.Agreement,
		PaymentReceipt: b.PaymentReceipt, RENAPO: b.RENAPO, DNIIssueDate: b.DNIIssueDate}
	if b.IDDocument != nil {
		c.IDDocument = &policies.IDDocument{Kind: b.IDDocument.Kind, Number: b.IDDocument.Number}
	}
	if len(b.Documents) > 0 {
		c.Documents = map[string]time.Time{}
		for kind, d := range b.Documents {
			t, err := time.Parse("2006-01-02", d)
			if err != nil {
				h.fail(w, r, p, errs.New(errs.Malformed, "documents.%s: %q is not a date (YYYY-MM-DD)", kind, d))
				return
			}
			c.Documents[kind] = t
		}
	}
	q, err := h.ra.Confirm(r.Context(), p.Actor(), id, c)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, viewOf(q))
}

// upload stores a document or biometric capture (multipart form: kind,
// issuedOn for documents, file). The real content type is checked; the
// bytes are sealed at rest (ra/documents).
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	q, err := h.ra.Load(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 11<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		h.fail(w, r, p, errs.New(errs.UnsupportedType, "send multipart/form-data with the fields kind, issuedOn and file"))
		return
	}
	var kind, issuedOn, declared string
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			h.fail(w, r, p, errs.New(errs.TooLarge, "the upload is too large or malformed"))
			return
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = strings.TrimSpace(string(b))
		case "issuedOn":
			b, _ := io.ReadAll(io.LimitReader(part, 32))
			issuedOn = strings.TrimSpace(string(b))
		case "file":
			declared = part.Header.Get("Content-Type")
			if data, err = documents.ReadLimited(part, 10<<20); err != nil {
				h.fail(w, r, p, err)
				return
			}
		}
	}
	if data == nil {
		h.fail(w, r, p, errs.New(errs.Malformed, "no file in the upload"))
		return
	}
	doc, err := h.docs.Put(r.Context(), nil, p.Actor(), q.OrgID, q.ID, kind, declared, data)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	c := ra.Confirm{}
	if documents.IsBiometric(doc.Kind) {
		c.Biometrics = []string{doc.Kind}
	} else if issuedOn != "" {
		t, err := time.Parse("2006-01-02", issuedOn)
		if err != nil {
			h.fail(w, r, p, errs.New(errs.Malformed, "issuedOn %q is not a date (YYYY-MM-DD)", issuedOn))
			return
		}
		c.Documents = map[string]time.Time{doc.Kind: t}
	}
	if c.Biometrics != nil || c.Documents != nil {
		if _, err := h.ra.Confirm(r.Context(), p.Actor(), id, c); err != nil {
			h.fail(w, r, p, err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, doc)
}

func (h *Handler) listDocuments(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	list, err := h.docs.List(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if list == nil {
		list = []documents.Document{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": list})
}

func (h *Handler) getDocument(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	doc, data, err := h.docs.Get(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", doc.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment")
	w.Write(data)
}

// approve does not return the credential: it goes to the holder's
// institutional e-mail only (RULES R9, D6).
func (h *Handler) approve(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	var empty struct{}
	if err := decode(r, &empty); err != nil {
		h.fail(w, r, p, err)
		return
	}
	q, secrets, err := h.ra.Approve(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	out := map[string]any{"request": viewOf(q), "credentialSent": secrets != nil}
	if secrets != nil {
		out["credentialExpiresAt"] = secrets.ExpiresAt
	}
	writeJSON(w, http.StatusOK, out)
}

// issue: the agent submits the CSR the holder made on their own device
// (RULES P3): JSON {"csr": "<PEM>"} or a PEM/DER body.
func (h *Handler) issue(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	var (
		csr []byte
		err error
	)
	switch ct := r.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/json"):
		var b struct {
			CSR string `json:"csr"`
		}
		if err := decode(r, &b); err != nil {
			h.fail(w, r, p, err)
			return
		}
		csr = []byte(b.CSR)
	case ct == "application/pkcs10", ct == "application/x-pem-file", ct == "text/plain":
		if csr, err = io.ReadAll(io.LimitReader(r.Body, 64<<10)); err != nil {
			h.fail(w, r, p, errs.New(errs.Malformed, "cannot read the CSR"))
			return
		}
	default:
		h.fail(w, r, p, errs.New(errs.UnsupportedType, "send the CSR as application/json {\"csr\": …}, application/pkcs10 or PEM"))
		return
	}
	iss, err := h.ra.IssueInPerson(r.Context(), p.Actor(), id, csr)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	var chain []string
	for _, c := range iss.Chain {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"certificateId": iss.Record.ID, "serial": iss.Record.Serial,
		"notBefore": iss.Cert.NotBefore, "notAfter": iss.Cert.NotAfter, "subject": iss.Cert.Subject.String(),
		"certificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.Record.DER})), "chain": chain})
}

func (h *Handler) resendCredential(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	s, err := h.ra.ResendCredential(r.Context(), p.Actor(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentialSent": true, "credentialExpiresAt": s.ExpiresAt})
}

func (h *Handler) resendCertificate(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	if err := h.ra.ResendCertificate(r.Context(), p.Actor(), id); err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificateSent": true})
}
