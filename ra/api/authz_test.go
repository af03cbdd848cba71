package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// authzFixture is one organisation's records (a request with a document, a
// holder's certificate, a pending status request) and the people who try
// them: the organisation's agents, another organisation's agent, an
// auditor, an administrator and the HR client.
type authzFixture struct {
	h                               *scHarness
	clerk, colleague, other         *scAgent
	auditor, admin, hr              *scAgent
	reqID, docID, certID, statusReq int64
	holderCURP, suspend, revoke     string
}

func newAuthzFixture(t *testing.T, e *storetest.Env) *authzFixture {
	mx, _ := time.LoadLocation("America/Mexico_City")
	h := newScHarness(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, mx))
	h.addOrg("AC", "Gobierno del Estado de Jalisco", "jalisco", "Autoridad Certificadora")
	h.addOrg("SEP-JAL", "Secretaría de Educación Jalisco", "jalisco", "Dirección de Personal")
	h.setAckSigner("SEP-JAL", "acuses@jalisco.gob.mx")
	h.addOrg("SALUD-JAL", "Secretaría de Salud Jalisco", "jalisco", "Dirección de Personal")
	person := func(given, surname, curp17 string) store.PersonData {
		return store.PersonData{GivenNames: given, FirstSurname: surname, CURP: scCURP(t, curp17),
			Email: strings.ToLower(given+"."+surname) + "@jalisco.gob.mx"}
	}
	f := &authzFixture{h: h}
	f.clerk = h.addAgent("SEP-JAL", store.RoleAgent, person("Carlos", "Clerk", "CLXC800101HJCLRR0"), "Agente")
	f.colleague = h.addAgent("SEP-JAL", store.RoleAgent, person("Pedro", "Ruiz", "RUSP750505HJCZTD0"), "Agente")
	f.hr = h.addAgent("SEP-JAL", store.RoleHR, person("Recursos", "Humanos", "TOVA820912MJCRGN0"), "Sistema de RH")
	f.other = h.addAgent("SALUD-JAL", store.RoleAgent, person("Ana", "Otra", "LOHM800101MJCPRR0"), "Agente")
	f.auditor = h.addAgent("SEP-JAL", store.RoleAuditor, person("Aurora", "Auditora", "GARC850315MZSRDR0"), "Auditora")
	f.admin = h.addAgent("AC", store.RoleAdmin, person("Ada", "Admin", "HEGJ790704HBCRRN0"), "Administradora")

	var filed struct {
		Request struct{ ID int64 } `json:"request"`
	}
	h.ok(f.clerk.Client, 201, "POST", "/api/v1/requests", map[string]any{"givenNames": "Juan", "firstSurname": "Pérez",
		"curp": scCURP(t, "PEXJ800101HJCRXN0"), "email": "juan.perez@jalisco.gob.mx", "title": "Jefe", "reason": "first_issuance"}, &filed)
	f.reqID = filed.Request.ID
	var doc documents.Document
	up := h.upload(f.clerk.Client, f.reqID, documents.AppointmentLetter, "", "application/pdf", "nombramiento.pdf", scPDF("Nombramiento"))
	if up.Status != 201 || json.Unmarshal(up.Body, &doc) != nil {
		t.Fatalf("upload: %s", up)
	}
	f.docID = doc.ID

	holder := person("Rosa", "Titular", "RAML900220MCSMPS0")
	f.holderCURP = holder.CURP
	// Operator issuance takes the request through the workflow: HR knows
	// the holder and the desk confirms every in-person item.
	h.hr.mu.Lock()
	h.hr.people["CURP/"+holder.CURP] = scHRRecord{Dependencia: "SEP-JAL", Puesto: "Analista", Estatus: "ACTIVO", FechaInicio: "2020-01-01"}
	h.hr.mu.Unlock()
	yes := true
	issued, err := h.ra.IssueForPerson(context.Background(), ra.CLI("prueba"), ra.OperatorIssuance{OrgCode: "SEP-JAL", Person: holder,
		Title: "Analista", CSR: scCSR(t), Confirm: ra.Confirm{IDDocument: &policies.IDDocument{Kind: "INE", Number: "IDMEX1234567890"},
			Documents:  map[string]time.Time{documents.AppointmentLetter: h.env.Clock.Now().AddDate(0, -1, 0)},
			Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"}, InPerson: &yes, Agreement: &yes}})
	if err != nil {
		t.Fatal(err)
	}
	f.certID = issued.Record.ID
	pol := h.pols["jalisco"]
	f.suspend, f.revoke = pol.StatusCodes.Suspension[0].ID, pol.StatusCodes.Revocation[0].ID
	var deferred struct {
		Request struct{ ID int64 } `json:"request"`
	}
	h.ok(f.clerk.Client, 200, "POST", fmt.Sprintf("/api/v1/certificates/%d/status", f.certID), map[string]any{"kind": "suspend",
		"reason": f.suspend, "identifier": f.holderCURP, "requester": "agent", "defer": true}, &deferred)
	f.statusReq = deferred.Request.ID
	return f
}

// loginCertificateID is the store id of an agent's login certificate.
func (f *authzFixture) loginCertificateID(a *scAgent) int64 {
	f.h.t.Helper()
	c, err := f.h.ra.CertificateBySerial(context.Background(), ra.CLI("prueba"), "jalisco", store.SerialHex(a.Cert.SerialNumber))
	if err != nil || !c.AgentID.Valid {
		f.h.t.Fatalf("login certificate of agent %d: %+v %v", a.ID, c, err)
	}
	return c.ID
}

// refusedOnce checks that r is the answer want and that exactly one refused
// audit entry was written since seq.
func (f *authzFixture) refusedOnce(what string, seq int64, r scResponse, want int) {
	f.h.t.Helper()
	if r.Status != want {
		f.h.t.Errorf("%s: %s, want %d", what, r, want)
		return
	}
	refused := 0
	for _, en := range f.h.auditSince(seq) {
		if en.Outcome == store.OutcomeRefused {
			refused++
		}
		if en.Outcome == store.OutcomeOK && strings.HasPrefix(en.Action, "cert.") {
			f.h.t.Errorf("%s: audited a successful %s", what, en.Action)
		}
	}
	if refused != 1 {
		f.h.t.Errorf("%s: %d refused audit entries, want exactly 1", what, refused)
	}
}

// An agent suspended or revoked a colleague's, an auditor's or the HR
// client's login certificate: the CURP asked for is in the subject any
// colleague can read. Login certificates change status only when an
// administrator disables the agent (RULES O2, S4).
func TestRule_O2_LoginCertificatesChangeOnlyThroughAgentDisable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newAuthzFixture(t, e)
		h := f.h
		status := func(id int64) string {
			c, err := h.ra.Certificate(context.Background(), ra.CLI("prueba"), id)
			if err != nil {
				t.Fatal(err)
			}
			return c.Certificate.Status
		}
		targets := map[string]*scAgent{"a colleague": f.colleague, "the HR client": f.hr, "an auditor": f.auditor}
		for who, a := range targets {
			id := f.loginCertificateID(a)
			path := fmt.Sprintf("/api/v1/certificates/%d/status", id)
			// The attacker reads the holder's CURP from the subject.
			curp := curpOf(mustSubject(t, h, id))
			if curp == "" {
				t.Fatalf("%s's login certificate shows no CURP", who)
			}
			for _, body := range []map[string]any{
				{"kind": "suspend", "reason": f.suspend, "identifier": curp, "requester": "agent"},
				{"kind": "revoke", "reason": f.revoke, "identifier": curp, "requester": "agent"},
				{"kind": "suspend", "reason": f.suspend, "identifier": curp, "requester": "agent", "defer": true},
			} {
				seq := h.auditHead()
				r := h.do(f.clerk.Client, "POST", path, body)
				f.refusedOnce(fmt.Sprintf("an agent %ss %s's login certificate (defer %v)", body["kind"], who, body["defer"]), seq, r, 403)
			}
			if st := status(id); st != store.CertValid {
				t.Fatalf("%s's login certificate is %s after the refusals", who, st)
			}
			// The agents' screens do not show login certificates at all.
			if r := h.do(f.clerk.Client, "GET", fmt.Sprintf("/api/v1/certificates/%d", id), nil); r.Status != 404 {
				t.Errorf("an agent reads %s's login certificate: %s", who, r)
			}
		}
		// Not even an administrator through the status route, nor a
		// pending request decided by a colleague.
		colleagueCert := f.loginCertificateID(f.colleague)
		seq := h.auditHead()
		r := h.do(f.admin.Client, "POST", fmt.Sprintf("/api/v1/certificates/%d/status", colleagueCert), map[string]any{"kind": "revoke",
			"reason": f.revoke, "identifier": curpOf(mustSubject(t, h, colleagueCert)), "requester": "agent"})
		f.refusedOnce("an administrator revokes a login certificate through the status route", seq, r, 403)
		var pending int64
		e.Store.InTx(context.Background(), func(tx *store.Tx) error {
			sr := &store.StatusRequest{CertificateID: colleagueCert, OrgID: f.colleague.orgID(t, h), Kind: "suspend", ReasonID: f.suspend,
				Requester: "agent", Folio: "SEP-JAL-SUS-2026-999999", State: "pending", ReceivedAt: h.clk.Now(), FiledBy: "agent:0"}
			err := tx.CreateStatusRequest(context.Background(), sr)
			pending = sr.ID
			return err
		})
		seq = h.auditHead()
		r = h.do(f.clerk.Client, "POST", fmt.Sprintf("/api/v1/status-requests/%d/decide", pending), map[string]any{"approve": true})
		f.refusedOnce("a pending request on a login certificate, approved", seq, r, 403)
		if st := status(colleagueCert); st != store.CertValid {
			t.Fatalf("the colleague's login certificate is %s", st)
		}

		// The listing shows holders' certificates only.
		var list struct {
			Certificates []struct {
				ID int64 `json:"id"`
			} `json:"certificates"`
		}
		h.ok(f.clerk.Client, 200, "GET", "/api/v1/certificates", nil, &list)
		logins := map[int64]bool{colleagueCert: true, f.loginCertificateID(f.clerk): true, f.loginCertificateID(f.hr): true,
			f.loginCertificateID(f.auditor): true}
		holders := 0
		for _, c := range list.Certificates {
			if logins[c.ID] {
				t.Errorf("an agent's listing shows login certificate %d", c.ID)
			}
			if c.ID == f.certID {
				holders++
			}
		}
		if holders != 1 {
			t.Errorf("an agent lists %+v, without the holder's certificate %d", list.Certificates, f.certID)
		}

		// The way that works: an administrator disables the agent.
		h.ok(f.admin.Client, 200, "POST", fmt.Sprintf("/api/v1/agents/%d/disable", f.colleague.ID), map[string]any{"reason": "baja del agente"}, nil)
		if st := status(colleagueCert); st != store.CertRevoked {
			t.Fatalf("after the agent is disabled the login certificate is %s", st)
		}
	})
}

func mustSubject(t *testing.T, h *scHarness, certID int64) string {
	t.Helper()
	c, err := h.ra.Certificate(context.Background(), ra.CLI("prueba"), certID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Certificate.Subject
}

// curpOf takes the CURP out of a subject's serialNumber (PNOMX-<CURP>), as
// the attacker read it from GET /certificates/{id}.
func curpOf(subject string) string {
	if i := strings.Index(subject, "PNOMX-"); i >= 0 && len(subject) >= i+6+18 {
		return subject[i+6 : i+6+18]
	}
	return ""
}

func (a *scAgent) orgID(t *testing.T, h *scHarness) int64 {
	t.Helper()
	ag, err := h.store.Agent(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ag.OrgID
}

// Another organisation's ids answer exactly as ids that do not exist: a 403
// told an agent which ids exist elsewhere. The probe is still audited, once.
// Auditors, HR clients and agents of a suspended provider keep their 403.
func TestRule_O2_AnotherOrganisationsIdsReadAsMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newAuthzFixture(t, e)
		h := f.h
		const missing = 999999
		req, cert := strconv.FormatInt(f.reqID, 10), strconv.FormatInt(f.certID, 10)
		cases := []struct {
			what, method, path, missingPath string
			id                              int64
			body                            any
		}{
			{"a request", "GET", "/api/v1/requests/" + req, "/api/v1/requests/999999", f.reqID, nil},
			{"a request's cancellation", "POST", "/api/v1/requests/" + req + "/cancel", "/api/v1/requests/999999/cancel", f.reqID, map[string]any{"reason": "x"}},
			{"a request's documents", "GET", "/api/v1/requests/" + req + "/documents", "/api/v1/requests/999999/documents", f.reqID, nil},
			{"a request's acknowledgement", "GET", "/api/v1/requests/" + req + "/acknowledgement.pdf", "/api/v1/requests/999999/acknowledgement.pdf", f.reqID, nil},
			{"a document", "GET", fmt.Sprintf("/api/v1/documents/%d", f.docID), "/api/v1/documents/999999", f.docID, nil},
			{"a certificate", "GET", "/api/v1/certificates/" + cert, "/api/v1/certificates/999999", f.certID, nil},
			{"a certificate's revocation", "POST", "/api/v1/certificates/" + cert + "/status", "/api/v1/certificates/999999/status", f.certID,
				map[string]any{"kind": "revoke", "reason": f.revoke, "identifier": f.holderCURP, "requester": "agent"}},
			{"a revocation receipt", "GET", "/api/v1/certificates/" + cert + "/revocation-receipt.pdf", "/api/v1/certificates/999999/revocation-receipt.pdf", f.certID, nil},
			{"a status request's decision", "POST", fmt.Sprintf("/api/v1/status-requests/%d/decide", f.statusReq), "/api/v1/status-requests/999999/decide",
				f.statusReq, map[string]any{"approve": true}},
		}
		for _, c := range cases {
			gone := h.do(f.other.Client, c.method, c.missingPath, c.body)
			seq := h.auditHead()
			r := h.do(f.other.Client, c.method, c.path, c.body)
			f.refusedOnce("another organisation's "+c.what, seq, r, 404)
			if gone.Status != 404 {
				t.Errorf("%s that does not exist: %s", c.what, gone)
				continue
			}
			if want := strings.ReplaceAll(string(gone.Body), strconv.Itoa(missing), strconv.FormatInt(c.id, 10)); string(r.Body) != want {
				t.Errorf("another organisation's %s answers\n%s\nand a missing one\n%s", c.what, r.Body, gone.Body)
			}
		}
		// The precise refusals stay.
		if r := h.do(f.hr.Client, "GET", "/api/v1/requests/"+req, nil); r.Status != 403 {
			t.Errorf("the HR client reads a request: %s", r)
		}
		if r := h.do(f.auditor.Client, "POST", "/api/v1/requests/"+req+"/cancel", map[string]any{"reason": "x"}); r.Status != 403 {
			t.Errorf("an auditor cancels a request: %s", r)
		}
		if r := h.do(f.auditor.Client, "GET", "/api/v1/requests/"+req, nil); r.Status != 200 {
			t.Errorf("an auditor reads a request: %s", r)
		}
		org, err := h.store.OrganisationByCode(context.Background(), "SEP-JAL")
		if err != nil {
			t.Fatal(err)
		}
		e.Store.InTx(context.Background(), func(tx *store.Tx) error {
			return tx.SetOrganisationStatus(context.Background(), org.ID, store.OrgSuspended, "auditoría")
		})
		if r := h.do(f.clerk.Client, "GET", "/api/v1/requests/"+req, nil); r.Status != 403 {
			t.Errorf("an agent of a suspended provider reads its request: %s", r)
		}
	})
}
