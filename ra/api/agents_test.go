package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"strconv"
	"testing"
	"time"

	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// RULES O2 and issue #4 "admins manage organisations and agents": an
// administrator registers an agent from the CSR made on the agent's own
// device, the agent logs in with it, and once disabled can no longer log in.
func TestRule_O2_AdminsManageAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		mx, _ := time.LoadLocation("America/Mexico_City")
		h := newScHarness(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, mx))
		h.addOrg("AC", "Gobierno del Estado de Jalisco", "jalisco", "Autoridad Certificadora")
		h.addOrg("SEP-JAL", "Secretaría de Educación Jalisco", "jalisco", "Dirección de Personal")
		admin := h.addAgent("AC", store.RoleAdmin, store.PersonData{GivenNames: "Ada", FirstSurname: "Admin", CURP: "LOHM800101MJCPRR06",
			Email: "ada.admin@jalisco.gob.mx"}, "Administradora")
		clerk := h.addAgent("SEP-JAL", store.RoleAgent, store.PersonData{GivenNames: "Carlos", FirstSurname: "Clerk", CURP: "CLXC800101HJCLRR09",
			Email: "carlos@jalisco.gob.mx"}, "Agente")

		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
		body := map[string]any{"organisation": "SEP-JAL", "role": "agent", "givenNames": "Ana", "firstSurname": "Ruiz",
			"curp": "RUXA900215MJCZXN06", "email": "ana.ruiz@jalisco.gob.mx", "title": "Agente registradora",
			"csr": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))}
		// Only administrators add agents.
		if r := h.do(clerk.Client, "POST", "/api/v1/agents", body); r.Status != 403 {
			t.Fatalf("an agent adds agents: %s", r)
		}
		var added struct {
			Agent       int64  `json:"agent"`
			Certificate string `json:"certificate"`
		}
		h.ok(admin.Client, 201, "POST", "/api/v1/agents", body, &added)
		blk, _ := pem.Decode([]byte(added.Certificate))
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		ana := h.client(&tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert})
		var who struct {
			Role         string `json:"role"`
			Organisation struct{ Code string }
		}
		h.ok(ana, 200, "GET", "/api/v1/whoami", nil, &who)
		if who.Role != "agent" || who.Organisation.Code != "SEP-JAL" {
			t.Fatalf("whoami %+v", who)
		}
		// An agent sees their organisation's agents; the administrator all.
		var list struct{ Agents []Agent }
		h.ok(ana, 200, "GET", "/api/v1/agents", nil, &list)
		if len(list.Agents) != 2 {
			t.Fatalf("agent sees %d agents, want the 2 of SEP-JAL", len(list.Agents))
		}
		h.ok(admin.Client, 200, "GET", "/api/v1/agents", nil, &list)
		if len(list.Agents) != 3 {
			t.Fatalf("admin sees %d agents", len(list.Agents))
		}
		if r := h.do(admin.Client, "POST", "/api/v1/agents/"+strconv.FormatInt(added.Agent, 10)+"/disable", map[string]any{}); r.Status != 400 {
			t.Fatalf("disable without a reason: %s", r)
		}
		h.ok(admin.Client, 200, "POST", "/api/v1/agents/"+strconv.FormatInt(added.Agent, 10)+"/disable", map[string]any{"reason": "Cambio de adscripción"}, nil)
		if r := h.do(ana, "GET", "/api/v1/whoami", nil); r.Status != 401 {
			t.Fatalf("a disabled agent logs in: %s", r)
		}
		var revoked int
		e.Store.DB().GetContext(context.Background(), &revoked, e.Store.DB().Rebind("SELECT COUNT(*) FROM certificates WHERE agent_id = ? AND status = 'revoked' AND revocation_reason = 9"), added.Agent)
		if revoked != 1 {
			t.Fatalf("%d revoked login certificates", revoked)
		}
	})
}

// RULES O1: the agents of an organisation whose accreditation is suspended
// act no more; HR clients never see the agents' screens.
func TestRule_O1_SuspendedOrganisationsAgentsLockedOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		mx, _ := time.LoadLocation("America/Mexico_City")
		h := newScHarness(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, mx))
		org := h.addOrg("SEP-JAL", "Secretaría de Educación Jalisco", "jalisco", "Dirección de Personal")
		clerk := h.addAgent("SEP-JAL", store.RoleAgent, store.PersonData{GivenNames: "Carlos", FirstSurname: "Clerk", CURP: "CLXC800101HJCLRR09",
			Email: "carlos@jalisco.gob.mx"}, "Agente")
		hr := h.addAgent("SEP-JAL", store.RoleHR, store.PersonData{GivenNames: "Recursos", FirstSurname: "Humanos", CURP: "LOHM800101MJCPRR06",
			Email: "rh@jalisco.gob.mx"}, "Sistema de RH")
		if r := h.do(clerk.Client, "GET", "/api/v1/requests", nil); r.Status != 200 {
			t.Fatalf("accredited: %s", r)
		}
		for _, path := range []string{"/api/v1/requests", "/api/v1/certificates", "/api/v1/agents", "/api/v1/status-requests"} {
			if r := h.do(hr.Client, "GET", path, nil); r.Status != 403 {
				t.Errorf("HR client GET %s: %s", path, r)
			}
		}
		e.Store.InTx(context.Background(), func(tx *store.Tx) error {
			return tx.SetOrganisationStatus(context.Background(), org.ID, store.OrgSuspended, "auditoría")
		})
		if r := h.do(clerk.Client, "GET", "/api/v1/requests", nil); r.Status != 403 {
			t.Fatalf("suspended organisation's agent: %s", r)
		}
		if r := h.do(clerk.Client, "GET", "/api/v1/whoami", nil); r.Status != 200 {
			t.Fatalf("whoami still tells who they are: %s", r)
		}
	})
}
