package api

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
)

func (h *Handler) listOrganisations(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := h.store.ListOrganisations(r.Context())
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": list})
}

func (h *Handler) requireAdmin(w http.ResponseWriter, r *http.Request, p *Principal) bool {
	if p.Agent.Role != store.RoleAdmin {
		h.fail(w, r, p, errs.New(errs.Forbidden, "only an administrator of the certification authority manages organisations (RULES O1)"))
		return false
	}
	return true
}

// addOrganisation accredits a dependency or entity as a certification
// service provider (RULES O1).
func (h *Handler) addOrganisation(w http.ResponseWriter, r *http.Request, p *Principal) {
	if !h.requireAdmin(w, r, p) {
		return
	}
	var b struct {
		Code, Name, Policy, Unit string
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	o := &store.Organisation{Code: b.Code, Name: b.Name, PolicyID: b.Policy, ResponsibleUnit: b.Unit}
	if _, err := h.ra.Policy(o.PolicyID); err != nil {
		h.fail(w, r, p, errs.Wrap(errs.Malformed, err, "policy %q is not loaded", o.PolicyID))
		return
	}
	err := h.store.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(r.Context(), o); err != nil {
			return err
		}
		_, err := tx.Audit(r.Context(), store.Event{Actor: p.Actor().String(), Action: "org.add", Object: fmt.Sprintf("org:%d", o.ID),
			Outcome: store.OutcomeOK, Details: map[string]any{"code": o.Code, "policy": o.PolicyID}})
		return err
	})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

// setOrganisationStatus accredits, suspends or revokes a provider (RULES O1, G2).
func (h *Handler) setOrganisationStatus(w http.ResponseWriter, r *http.Request, p *Principal) {
	if !h.requireAdmin(w, r, p) {
		return
	}
	var b struct {
		Status, Reason string
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	o, err := h.store.OrganisationByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if b.Status != store.OrgAccredited && b.Reason == "" {
		h.fail(w, r, p, errs.New(errs.Malformed, "a suspension or revocation needs a written reason"))
		return
	}
	err = h.store.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.SetOrganisationStatus(r.Context(), o.ID, b.Status, b.Reason); err != nil {
			return err
		}
		_, err := tx.Audit(r.Context(), store.Event{Actor: p.Actor().String(), Action: "org.status", Object: fmt.Sprintf("org:%d", o.ID),
			Outcome: store.OutcomeOK, Details: map[string]any{"status": b.Status, "reason": b.Reason}})
		return err
	})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	o, _ = h.store.Organisation(r.Context(), o.ID)
	writeJSON(w, http.StatusOK, o)
}

// runScheduler runs the deadline scheduler now (admins; the server also runs
// it on a timer).
func (h *Handler) runScheduler(w http.ResponseWriter, r *http.Request, p *Principal) {
	if !h.requireAdmin(w, r, p) {
		return
	}
	rep, err := h.ra.RunDeadlines(r.Context())
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

type agentView struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	Organisation int64  `json:"organisation"`
}

func (h *Handler) listAgents(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := h.store.ListAgents(r.Context(), orgScope(p))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	out := []agentView{}
	for _, a := range list {
		v := agentView{ID: a.ID, Role: a.Role, Title: a.Title, Status: a.Status, Organisation: a.OrgID}
		if person, err := h.store.Person(r.Context(), a.PersonID); err == nil {
			v.Name = person.DisplayName
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": out})
}

// addAgent registers an agent whose key was made on their own device: the
// API never handles an agent's private key.
func (h *Handler) addAgent(w http.ResponseWriter, r *http.Request, p *Principal) {
	if !h.requireAdmin(w, r, p) {
		return
	}
	var b struct {
		fileBody
		Role string `json:"role"`
		CSR  string `json:"csr"`
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if strings.TrimSpace(b.CSR) == "" {
		h.fail(w, r, p, errs.New(errs.Malformed, "give the agent's CSR, made on their own device"))
		return
	}
	fr := b.fileBody.request()
	cred, err := h.ra.AddAgent(r.Context(), ra.AddAgentRequest{Actor: p.Actor().String(), OrgCode: b.Organisation, Role: b.Role,
		Person: fr.Person, Title: b.Title, CSR: []byte(b.CSR)})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	var chain []string
	for _, c := range cred.Chain {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"agent": cred.Agent.ID, "role": cred.Agent.Role,
		"certificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cred.Cert.Raw})), "chain": chain})
}

func (h *Handler) disableAgent(w http.ResponseWriter, r *http.Request, p *Principal, id int64) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &b); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if err := h.ra.DisableAgent(r.Context(), p.Actor(), id, b.Reason); err != nil {
		h.fail(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agent": id, "status": "disabled"})
}
