package api

import (
	"encoding/pem"
	"net/http"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
)

type certView struct {
	ID           int64      `json:"id"`
	Serial       string     `json:"serial"`
	Subject      string     `json:"subject"`
	Status       string     `json:"status"`
	StatusReason string     `json:"statusReason,omitempty"`
	ReasonCode   *int64     `json:"reasonCode,omitempty"`
	NotBefore    time.Time  `json:"notBefore"`
	NotAfter     time.Time  `json:"notAfter"`
	IssuedAt     time.Time  `json:"issuedAt"`
	StatusAt     time.Time  `json:"statusChangedAt"`
	RevokedAt    *time.Time `json:"revokedAt,omitempty"`
	Organisation int64      `json:"organisation"`
	Enrollment   int64      `json:"enrollment,omitempty"`
	Policy       string     `json:"policy,omitempty"`
	PEM          string     `json:"certificate,omitempty"`
}

func certViewOf(c *store.Certificate, withPEM bool) certView {
	v := certView{ID: c.ID, Serial: c.Serial, Subject: c.Subject, Status: c.Status, StatusReason: c.StatusReasonID.String,
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, IssuedAt: c.IssuedAt, StatusAt: c.StatusChangedAt,
		Organisation: c.OrgID.Int64, Enrollment: c.EnrollmentID.Int64, Policy: c.PolicyID.String}
	if c.RevocationReason.Valid {
		v.ReasonCode = &c.RevocationReason.Int64
	}
	if c.RevokedAt.Valid {
		v.RevokedAt = &c.RevokedAt.Time
	}
	if withPEM {
		v.PEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER}))
	}
	return v
}

// orgScope is the organisation an agent's listings are limited to (0 for
// admins and auditors).
func orgScope(p *Principal) int64 {
	if p.Actor().CanRead(0) {
		return 0
	}
	return p.Agent.OrgID
}

// search: "advanced search by name, CURP or RFC over requests, valid and
// revoked certificates" (RULES O3). by=name|curp|rfc|dni, in=requests|valid|revoked.
func (h *Handler) search(w http.ResponseWriter, r *http.Request, p *Principal) {
	q := r.URL.Query()
	term, by, in := strings.TrimSpace(q.Get("q")), q.Get("by"), q.Get("in")
	if term == "" {
		h.fail(w, r, p, errs.New(errs.Malformed, "give q, the name or identifier to search for"))
		return
	}
	var ids []int64
	var err error
	switch by {
	case "", "name":
		ids, err = h.store.PeopleByName(r.Context(), term, 200)
	case "curp", "rfc", "dni":
		var people []*store.Person
		people, err = h.store.PeopleByIdentifier(r.Context(), by, term)
		for _, pp := range people {
			ids = append(ids, pp.ID)
		}
	default:
		err = errs.New(errs.Malformed, "by %q: want name, curp, rfc or dni", by)
	}
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if ids == nil {
		ids = []int64{}
	}
	switch in {
	case "", "requests":
		h.writeRequests(w, r, p, store.EnrollmentFilter{OrgID: orgScope(p), PersonIDs: ids})
	case "valid", "revoked":
		st := []string{store.CertValid, store.CertSuspended}
		if in == "revoked" {
			st = []string{store.CertRevoked, store.CertExpired}
		}
		h.writeCertificates(w, r, p, store.CertificateFilter{OrgID: orgScope(p), PersonIDs: ids, Statuses: st, OnlyHolders: true})
	default:
		h.fail(w, r, p, errs.New(errs.Malformed, "in %q: want requests, valid or revoked", in))
	}
}

// listCertificates: "valid and revoked certificates", "my issued
// certificates" (view=issued-by-me), "my revoked certificates"
// (view=revoked-by-me).
func (h *Handler) listCertificates(w http.ResponseWriter, r *http.Request, p *Principal) {
	f := store.CertificateFilter{OrgID: orgScope(p), OnlyHolders: true}
	switch view := r.URL.Query().Get("view"); view {
	case "", "all":
	case "valid":
		f.Statuses = []string{store.CertValid, store.CertSuspended}
	case "revoked":
		f.Statuses = []string{store.CertRevoked, store.CertExpired}
	case "issued-by-me":
		f.AgentIssuer = p.Agent.ID
	case "revoked-by-me":
		f.RevokedBy = p.Actor().String()
	default:
		h.fail(w, r, p, errs.New(errs.Malformed, "view %q: want valid, revoked, issued-by-me or revoked-by-me", view))
		return
	}
	h.writeCertificates(w, r, p, f)
}

func (h *Handler) writeCertificates(w http.ResponseWriter, r *http.Request, p *Principal, f store.CertificateFilter) {
	list, err := h.store.ListCertificates(r.Context(), f)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	out := []certView{}
	for i := range list {
		out = append(out, certViewOf(&list[i], false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificates": out})
}

func (h *Handler) getCertificate(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	c, err := h.store.Certificate(r.Context(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if err := p.Actor().MustRead(c.OrgID.Int64); err != nil {
		h.fail(w, r, p, err)
		return
	}
	hist, err := h.store.StatusChanges(r.Context(), id)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificate": certViewOf(c, true), "history": hist})
}

type statusBody struct {
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	Identifier string `json:"identifier"`
	Requester  string `json:"requester"`
	Statement  string `json:"statement"`
	Defer      bool   `json:"defer"`
}

// changeStatus: suspend, lift, revoke or extinguish, giving the holder's
// identifier and a reason from the policy's catalogue (RULES S4).
func (h *Handler) changeStatus(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	var b statusBody
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	res, err := h.ra.ChangeStatus(r.Context(), p.Actor(), ra.StatusInput{CertificateID: id, Kind: b.Kind, ReasonID: b.Reason,
		Identifier: b.Identifier, Requester: b.Requester, Statement: b.Statement, Defer: b.Defer})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"request": res.Request, "change": res.Change,
		"acknowledgement": map[string]any{"folio": res.Ack.Ack.Folio, "receivedAt": res.Ack.Ack.ReceivedAt, "verificationCode": res.Ack.Code}})
}

func (h *Handler) listStatusRequests(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := h.store.ListStatusRequests(r.Context(), orgScope(p), r.URL.Query().Get("state"))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if list == nil {
		list = []store.StatusRequest{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"statusRequests": list})
}

func (h *Handler) decideStatusRequest(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	var b struct {
		Approve *bool `json:"approve"`
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if b.Approve == nil {
		h.fail(w, r, p, errs.New(errs.Malformed, "say approve: true or false"))
		return
	}
	ch, err := h.ra.DecideStatusRequest(r.Context(), p.Actor(), id, *b.Approve)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"change": ch})
}

// homologate registers another authority's certificate (RULES O4).
func (h *Handler) homologate(w http.ResponseWriter, r *http.Request, p *Principal) {
	var b struct {
		fileBody
		Certificate string `json:"certificate"`
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if b.Organisation == "" {
		b.Organisation = p.Org.Code
	}
	fr := b.fileBody.request()
	c, err := h.ra.Homologate(r.Context(), p.Actor(), ra.HomologationRequest{OrgCode: b.Organisation, Person: fr.Person, Title: b.Title,
		Certificate: []byte(b.Certificate)})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusCreated, certViewOf(c, false))
}
