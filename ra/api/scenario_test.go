package api

// Acceptance scenarios of issue #4: one per seed jurisdiction, each run on
// SQLite and PostgreSQL, driven entirely through the agents' HTTPS API (the
// harness is in scenario_helpers_test.go).

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// jurisdictionScenario is one jurisdiction's cast: the organisation and
// another one of the same policy, their agents, the applicant and what HR
// says of them.
type jurisdictionScenario struct {
	policy              string
	org, orgName        string
	other, otherName    string
	agent, otherAgent   func(t *testing.T) store.PersonData
	applicant           map[string]string // the online filing (JSON body)
	idKind, id          string            // the identifier HR is keyed by and the subject carries
	scheme              string            // the subject serialNumber prefix (RULES F4)
	idDocKind, idDocNum string            // the official ID the agent sees
	idDocIssuer         string            // who issued it, when the policy restricts the kind (RULES R2)
	hrOrg, hrPosition   string
}

func (s jurisdictionScenario) email() string { return s.applicant["email"] }

var (
	scJalisco = jurisdictionScenario{
		policy: "jalisco", org: "SEP-JAL", orgName: "Secretaría de Educación Jalisco", other: "SALUD-JAL", otherName: "Secretaría de Salud Jalisco",
		agent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Pedro", FirstSurname: "Ruiz", SecondSurname: "Soto", CURP: scCURP(t, "RUSP750505HJCZTD0"), Email: "pedro.ruiz@jalisco.gob.mx"}
		},
		otherAgent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Ana", FirstSurname: "Torres", SecondSurname: "Vega", CURP: scCURP(t, "TOVA820912MJCRGN0"), Email: "ana.torres@jalisco.gob.mx"}
		},
		applicant: map[string]string{"organisation": "SEP-JAL", "reason": "first_issuance", "givenNames": "María Guadalupe", "firstSurname": "López",
			"secondSurname": "Hernández", "curp": "LOHM800101MJCPRR06", "email": "maria.lopez@jalisco.gob.mx", "title": "Jefa de Departamento"},
		// RULES R2: "licencia de conducir expedida por el Estado de Jalisco".
		idKind: "CURP", id: "LOHM800101MJCPRR06", scheme: "PNOMX", idDocKind: "DRIVING_LICENSE", idDocNum: "JAL-LIC-0012345", idDocIssuer: "mx-jal",
		hrOrg: "Secretaría de Educación Jalisco", hrPosition: "Jefa de Departamento",
	}
	scZacatecas = jurisdictionScenario{
		policy: "zacatecas", org: "SFP-ZAC", orgName: "Secretaría de la Función Pública de Zacatecas", other: "SEDUZAC", otherName: "Secretaría de Educación de Zacatecas",
		agent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Luis", FirstSurname: "Medina", SecondSurname: "Zapata", CURP: scCURP(t, "MEZL780303HZSDPS0"), Email: "luis.medina@zacatecas.gob.mx"}
		},
		otherAgent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Rosa", FirstSurname: "Ibarra", SecondSurname: "Luna", CURP: scCURP(t, "IALR860101MZSBNS0"), Email: "rosa.ibarra@zacatecas.gob.mx"}
		},
		applicant: map[string]string{"organisation": "SFP-ZAC", "reason": "first_issuance", "givenNames": "Carmen", "firstSurname": "García",
			"secondSurname": "Rodríguez", "curp": "GARC850315MZSRDR01", "email": "carmen.garcia@zacatecas.gob.mx", "title": "Jefa de Departamento"},
		idKind: "CURP", id: "GARC850315MZSRDR01", scheme: "PNOMX", idDocKind: "PROFESSIONAL_LICENSE", idDocNum: "1234567",
		hrOrg: "Secretaría de la Función Pública", hrPosition: "Jefa de Departamento",
	}
	scTijuana = jurisdictionScenario{
		policy: "tijuana", org: "OBRAS-TIJ", orgName: "Dirección de Obras e Infraestructura Urbana Municipal", other: "TESO-TIJ", otherName: "Tesorería Municipal de Tijuana",
		agent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Jorge", FirstSurname: "Castro", SecondSurname: "Núñez", CURP: scCURP(t, "CANJ800808HBCSXR0"), Email: "jorge.castro@tijuana.gob.mx"}
		},
		otherAgent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Elena", FirstSurname: "Soto", SecondSurname: "Ríos", CURP: scCURP(t, "SORE910214MBCTSL0"), Email: "elena.soto@tijuana.gob.mx"}
		},
		applicant: map[string]string{"organisation": "OBRAS-TIJ", "reason": "first_issuance", "givenNames": "Juan", "firstSurname": "Hernández",
			"secondSurname": "Guerrero", "curp": "HEGJ790704HBCRRN01", "rfc": "HEGJ790704AB1", "email": "juan.hernandez@tijuana.gob.mx", "title": "Jefe de Departamento"},
		idKind: "CURP", id: "HEGJ790704HBCRRN01", scheme: "PNOMX", idDocKind: "DRIVING_LICENSE", idDocNum: "BC123456",
		hrOrg: "Dirección de Obras e Infraestructura Urbana Municipal", hrPosition: "Jefe de Departamento",
	}
	scChiapas = jurisdictionScenario{
		policy: "chiapas", org: "ICTI-CHIS", orgName: "Instituto de Ciencia, Tecnología e Innovación de Chiapas", other: "SALUD-CHIS", otherName: "Secretaría de Salud de Chiapas",
		agent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Mario", FirstSurname: "Gómez", SecondSurname: "Pérez", CURP: scCURP(t, "GOPM770707HCSMRR0"), Email: "mario.gomez@chiapas.gob.mx"}
		},
		otherAgent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Irma", FirstSurname: "Díaz", SecondSurname: "Cruz", CURP: scCURP(t, "DICI880404MCSZRR0"), Email: "irma.diaz@chiapas.gob.mx"}
		},
		applicant: map[string]string{"organisation": "ICTI-CHIS", "reason": "first_issuance", "givenNames": "Luisa", "firstSurname": "Ramos",
			"secondSurname": "Mapes", "curp": "RAML900220MCSMPS06", "email": "luisa.ramos@chiapas.gob.mx", "title": "Analista"},
		idKind: "CURP", id: "RAML900220MCSMPS06", scheme: "PNOMX", idDocKind: "PASSPORT", idDocNum: "G12345678",
		hrOrg: "Instituto de Ciencia, Tecnología e Innovación", hrPosition: "Analista",
	}
	scCajamarca = jurisdictionScenario{
		policy: "cajamarca", org: "GRC-GRI", orgName: "Gerencia Regional de Infraestructura", other: "GRC-GRDS", otherName: "Gerencia Regional de Desarrollo Social",
		agent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "César", FirstSurname: "Chávez", SecondSurname: "Rojas", DNI: "40123456", Email: "cesar.chavez@regioncajamarca.gob.pe"}
		},
		otherAgent: func(t *testing.T) store.PersonData {
			return store.PersonData{GivenNames: "Julia", FirstSurname: "Mendoza", SecondSurname: "Vargas", DNI: "41234567", Email: "julia.mendoza@regioncajamarca.gob.pe"}
		},
		applicant: map[string]string{"organisation": "GRC-GRI", "reason": "first_issuance", "givenNames": "Rosa", "firstSurname": "Quispe",
			"secondSurname": "Huamán", "dni": "10117410", "email": "rosa.quispe@regioncajamarca.gob.pe", "title": "Especialista en Presupuesto"},
		idKind: "DNI", id: "10117410", scheme: "PNOPE", idDocKind: "DNI_CARD", idDocNum: "10117410",
		hrOrg: "Gerencia Regional de Infraestructura", hrPosition: "Especialista en Presupuesto",
	}
)

func TestScenario_Jalisco(t *testing.T)   { runScenario(t, scJalisco) }
func TestScenario_Zacatecas(t *testing.T) { runScenario(t, scZacatecas) }
func TestScenario_Tijuana(t *testing.T)   { runScenario(t, scTijuana) }
func TestScenario_Chiapas(t *testing.T)   { runScenario(t, scChiapas) }
func TestScenario_Cajamarca(t *testing.T) { runScenario(t, scCajamarca) }

func runScenario(t *testing.T, s jurisdictionScenario) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) { scenarioOn(t, e, s) })
}

// The JSON shapes the test reads.
type (
	scRequestJSON struct {
		ID                 int64      `json:"id"`
		Folio              string     `json:"folio"`
		State              string     `json:"state"`
		Organisation       int64      `json:"organisation"`
		EmailVerified      bool       `json:"emailVerified"`
		DeficiencyDeadline *time.Time `json:"deficiencyDeadline"`
		HoldUntil          *time.Time `json:"holdUntil"`
		CertificateID      int64      `json:"certificateId"`
		Appointment        *struct {
			State, Status, Organisation, Position string
		} `json:"appointment"`
		Deficiencies []policies.Finding `json:"deficiencies"`
	}
	scIssuedJSON struct {
		CertificateID int64    `json:"certificateId"`
		Serial        string   `json:"serial"`
		Certificate   string   `json:"certificate"`
		Chain         []string `json:"chain"`
	}
	scCertJSON struct {
		Certificate struct {
			ID           int64  `json:"id"`
			Serial       string `json:"serial"`
			Status       string `json:"status"`
			StatusReason string `json:"statusReason"`
			ReasonCode   *int64 `json:"reasonCode"`
			PEM          string `json:"certificate"`
		} `json:"certificate"`
		History []struct {
			Kind       string
			ReasonCode int
			ReasonID   string
			Actor      string
			Folio      string
		} `json:"history"`
	}
)

// scenarioOn tells one jurisdiction's story on one store, step by step.
func scenarioOn(t *testing.T, e *storetest.Env, s jurisdictionScenario) {
	r := newScenarioRun(t, e, s)
	r.agentLogsIn()
	r.fileOnline()
	r.attendAndFindDeficient()
	r.supplyMissingItems()
	r.resumeAndApprove()
	r.issueForOwnCSR()
	r.credentialDiesWithIssuance()
	r.acceptAndPrint()
	r.refuseBadRevocations()
	r.followHRAfterIssue()
	r.checkMailHRAndAudit()
	r.h.followLinks()
}

// scenarioRun is one run of a jurisdiction's story: the harness and the cast,
// and what each step leaves for the later ones.
type scenarioRun struct {
	t         *testing.T
	e         *storetest.Env
	h         *scHarness
	s         jurisdictionScenario
	pol       *policies.Policy
	loc       *time.Location
	start     time.Time // when the applicant files
	ag, other *scAgent  // the organisation's agent, and another organisation's
	addr      string    // the applicant's institutional e-mail address

	// Left by fileOnline.
	folio   string
	code    string // the online check's verification code of the acknowledgement
	id      int64
	reqPath string

	// Left by resumeAndApprove: the EST user and password of the approval e-mail.
	estUser, estPass string

	// Left by issueForOwnCSR.
	issued   scIssuedJSON
	certPath string

	// Left by acceptAndPrint: the agent's name as the printed forms show it.
	agentName string

	// Left by followHRAfterIssue: what the policy does on leave, and the
	// monitor's revocation.
	autoSusp, leaveRevokes string
	revFolio               string
	revReason              policies.StatusReason
}

// newScenarioRun builds the harness at Monday 23 November 2026, 10:00 in the
// jurisdiction, accredits the organisation and another one of the same
// policy with an agent each, and tells HR the applicant is active.
func newScenarioRun(t *testing.T, e *storetest.Env, s jurisdictionScenario) *scenarioRun {
	pols, err := policies.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	pol := pols[s.policy]
	loc, err := time.LoadLocation(pol.CalendarSpec.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 23 November 2026, 10:00 in the jurisdiction: a business hour.
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	h := newScHarness(t, e, start)
	pol = h.pols[s.policy]
	h.addOrg(s.org, s.orgName, s.policy, "Dirección de Recursos Humanos")
	h.addOrg(s.other, s.otherName, s.policy, "Dirección Administrativa")
	h.setAckSigner(s.org, "acuses@"+pol.Email.Domains[0])
	ag := h.addAgent(s.org, store.RoleAgent, s.agent(t), "Agente registrador")
	other := h.addAgent(s.other, store.RoleAgent, s.otherAgent(t), "Agente registrador")
	h.hr.set(s.idKind, s.id, "ACTIVO", s.hrOrg, s.hrPosition)
	return &scenarioRun{t: t, e: e, h: h, s: s, pol: pol, loc: loc, start: start, ag: ag, other: other, addr: s.email()}
}

// snapshot is the request as the agent reads it: what a refused call on it
// must not change.
func (r *scenarioRun) snapshot() string {
	return string(r.h.ok(r.ag.Client, 200, "GET", r.reqPath, nil, nil).Body)
}

// certSnap is the certificate as the agent reads it.
func (r *scenarioRun) certSnap() string {
	return string(r.h.ok(r.ag.Client, 200, "GET", r.certPath, nil, nil).Body)
}

// agentLogsIn: the agent's certificate logs them in as an agent of the
// organisation.
func (r *scenarioRun) agentLogsIn() {
	t, h, s := r.t, r.h, r.s
	var who struct {
		Role         string
		Organisation struct{ Code string }
	}
	h.ok(r.ag.Client, 200, "GET", "/api/v1/whoami", nil, &who)
	if who.Role != "agent" || who.Organisation.Code != s.org {
		t.Fatalf("whoami = %+v", who)
	}
}

// fileOnline is step 1: the applicant files online, with no certificate, and
// verifies the e-mail address; the agent sees the request, nobody else does.
func (r *scenarioRun) fileOnline() {
	t, h, s, ag, other, addr := r.t, r.h, r.s, r.ag, r.other, r.addr
	h.refused("malformed JSON to the online filing", 400, "urn:sello:problem:malformed", nil, func() scResponse {
		return h.do(h.anon, "POST", "/api/v1/public/requests", scRawJSON(`{"organisation": "`+s.org+`", "reason": `))
	})
	var filed struct {
		Folio           string `json:"folio"`
		State           string `json:"state"`
		Acknowledgement struct {
			Folio            string    `json:"folio"`
			ReceivedAt       time.Time `json:"receivedAt"`
			VerificationCode string    `json:"verificationCode"`
			JWS              string    `json:"jws"`
		} `json:"acknowledgement"`
	}
	filing := h.ok(h.anon, http.StatusCreated, "POST", "/api/v1/public/requests", s.applicant, &filed)
	folio := filed.Folio
	r.folio = folio
	if want := s.org + "-SOL-2026-000001"; folio != want || filed.State != ra.StateSubmitted {
		t.Fatalf("filing: folio %q state %q, want %s submitted", folio, filed.State, want)
	}
	// An anonymous filer learns nothing recorded about the person: no signed
	// payload (it names the filer), no verification code in the answer.
	if a := filed.Acknowledgement; a.Folio != folio || !a.ReceivedAt.Equal(r.start) || a.JWS != "" || a.VerificationCode != "" {
		t.Fatalf("acknowledgement %+v (received %v, filed at %v)", a, a.ReceivedAt, r.start)
	}

	// The acknowledgement (with the link to the online check and its code)
	// and the verification e-mail reach the institutional address.
	mails := h.flush()
	ackMail := h.one(mails, notify.TemplateAcknowledgement, addr)
	cm := regexp.MustCompile(`codigo=([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})`).FindStringSubmatch(ackMail.Text)
	if cm == nil {
		t.Fatalf("no verification code in the acknowledgement e-mail: %s", ackMail.Text)
	}
	r.code = cm[1]
	verify := h.one(mails, notify.TemplateEmailVerification, addr)
	m := regexp.MustCompile(`código de verificación: (\S+)`).FindStringSubmatch(verify.Text)
	if m == nil {
		t.Fatalf("no verification code in the e-mail: %s", verify.Text)
	}
	token := m[1]
	if bytes.Contains(filing.Body, []byte(token)) {
		t.Fatal("the filing's answer shows the e-mail token: it must only go to the institutional address (RULES R9)")
	}

	// The agent of the organisation sees it among the online requests.
	var list struct{ Requests []scRequestJSON }
	h.ok(ag.Client, 200, "GET", "/api/v1/requests?view=online", nil, &list)
	if len(list.Requests) != 1 || list.Requests[0].Folio != folio || list.Requests[0].State != ra.StateSubmitted {
		t.Fatalf("online requests = %+v", list.Requests)
	}
	r.id = list.Requests[0].ID
	r.reqPath = fmt.Sprintf("/api/v1/requests/%d", r.id)
	reqPath := r.reqPath

	// RULES R9: no agent attends before the e-mail is verified; a wrong code is refused.
	h.refused("attend before the e-mail is verified", 409, "urn:sello:problem:wrongState", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/attend", nil)
	})
	h.refused("a wrong e-mail verification code", 401, "urn:sello:problem:unauthorized", r.snapshot, func() scResponse {
		return h.do(h.anon, "POST", "/api/v1/public/requests/"+folio+"/verify-email", map[string]string{"token": "no-es-el-codigo"})
	})
	var verified struct{ Folio, State string }
	h.ok(h.anon, 200, "POST", "/api/v1/public/requests/"+folio+"/verify-email", map[string]string{"token": token}, &verified)
	if verified.State != ra.StateEmailVerified {
		t.Fatalf("after verification: %+v", verified)
	}
	h.refused("the e-mail token used twice", 409, "urn:sello:problem:wrongState", r.snapshot, func() scResponse {
		return h.do(h.anon, "POST", "/api/v1/public/requests/"+folio+"/verify-email", map[string]string{"token": token})
	})

	// RULES O2: no certificate, no access; another organisation's agent sees and does nothing.
	h.refused("no client certificate", 401, "urn:sello:problem:unauthorized", r.snapshot, func() scResponse {
		return h.do(h.anon, "GET", "/api/v1/requests?view=online", nil)
	})
	h.refused("no client certificate to attend", 401, "urn:sello:problem:unauthorized", r.snapshot, func() scResponse {
		return h.do(h.anon, "POST", reqPath+"/attend", nil)
	})
	h.refused("another organisation's agent reads", 404, "urn:sello:problem:notFound", r.snapshot, func() scResponse {
		return h.do(other.Client, "GET", reqPath, nil)
	})
	h.refused("another organisation's agent attends", 404, "urn:sello:problem:notFound", r.snapshot, func() scResponse {
		return h.do(other.Client, "POST", reqPath+"/attend", nil)
	})
	h.ok(other.Client, 200, "GET", "/api/v1/requests?view=online", nil, &list)
	if len(list.Requests) != 0 {
		t.Fatalf("another organisation's agent lists %+v", list.Requests)
	}
}

// attendAndFindDeficient is step 2: the agent attends, checks HR, and finds
// the request deficient.
func (r *scenarioRun) attendAndFindDeficient() {
	t, h, s, ag, pol, addr, reqPath := r.t, r.h, r.s, r.ag, r.pol, r.addr, r.reqPath
	var q scRequestJSON
	h.ok(ag.Client, 200, "POST", reqPath+"/attend", nil, &q)
	if q.State != ra.StateInReview {
		t.Fatalf("attend: %s", q.State)
	}
	q = scRequestJSON{}
	h.ok(ag.Client, 200, "POST", reqPath+"/check-appointment", nil, &q)
	if a := q.Appointment; a == nil || a.State != policies.AppointmentFound || a.Status != "active" || a.Position != s.hrPosition {
		t.Fatalf("appointment as HR said it: %+v", q.Appointment)
	}
	h.refused("resume a request that is not deficient", 409, "urn:sello:problem:wrongState", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/resume", nil)
	})
	q = scRequestJSON{}
	h.ok(ag.Client, 200, "POST", reqPath+"/deficient", nil, &q)
	// RULES D1, D3: notified Monday 23; the notice takes effect Tuesday 24 and
	// the three business days are Wednesday 25 to Friday 27, until closing.
	deadline := scClosing(t, pol, 2026, time.November, 27)
	if q.State != ra.StateDeficient || q.DeficiencyDeadline == nil || !q.DeficiencyDeadline.Equal(deadline) || len(q.Deficiencies) == 0 {
		t.Fatalf("deficient: state %s deadline %v (want %v) items %d", q.State, q.DeficiencyDeadline, deadline, len(q.Deficiencies))
	}
	mails := h.flush()
	notice := h.one(mails, notify.TemplateDeficiencyNotice, addr)
	if !strings.Contains(notice.Text, r.folio) || !strings.Contains(notice.Text, scFechaES(deadline, pol.CalendarSpec.Timezone)) {
		t.Errorf("the deficiency notice does not give the folio and the deadline %q: %s", scFechaES(deadline, pol.CalendarSpec.Timezone), notice.Text)
	}
	// The notice addresses the applicant: what they did not meet, not the
	// agent's checklist (RULES D1, D2).
	for _, f := range q.Deficiencies {
		if want := f.ForApplicant("es"); !strings.Contains(notice.Text, "["+f.Rule+"] "+strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the deficiency notice does not list [%s] %s", f.Rule, want)
		}
		if f.InPerson && strings.Contains(notice.Text, strings.Join(strings.Fields(f.ES), " ")) {
			t.Errorf("the deficiency notice gives the applicant the agent's checklist item %q", f.ES)
		}
	}
	h.refused("approve a deficient request", 409, "urn:sello:problem:wrongState", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/approve", nil)
	})
}

// supplyMissingItems is step 3: within the term, the missing items arrive
// and the agent confirms what they saw.
func (r *scenarioRun) supplyMissingItems() {
	t, h, s, ag, other, pol, id, reqPath := r.t, r.h, r.s, r.ag, r.other, r.pol, r.id, r.reqPath
	r.e.Clock.Set(r.start.AddDate(0, 0, 1)) // Tuesday 24, 10:00
	docsPath := reqPath + "/documents"
	docsSnap := func() string { return r.snapshot() + string(h.ok(ag.Client, 200, "GET", docsPath, nil, nil).Body) }
	h.refused("an upload that lies about its type", 415, "urn:sello:problem:unsupportedMedia", docsSnap, func() scResponse {
		return h.upload(ag.Client, id, documents.Photo, "", "image/png", "foto.png", scPDF("no soy una foto"))
	})
	tooBig := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), documents.MaxUploadSize)...)
	h.refused("an upload that is too large", 413, "urn:sello:problem:tooLarge", docsSnap, func() scResponse {
		return h.upload(ag.Client, id, documents.AppointmentLetter, "2026-11-13", "application/pdf", "nombramiento.pdf", tooBig)
	})
	h.refused("another organisation's agent uploads", 404, "urn:sello:problem:notFound", docsSnap, func() scResponse {
		ct, name, data := scCapture(documents.Photo)
		return h.upload(other.Client, id, documents.Photo, "", ct, name, data)
	})
	uploaded := 0
	issuedOn := r.start.AddDate(0, 0, -10).Format("2006-01-02")
	for _, d := range pol.Documents {
		if len(d.Reasons) > 0 && !slices.Contains(d.Reasons, "first_issuance") {
			continue
		}
		var doc documents.Document
		up := h.upload(ag.Client, id, d.Kind, issuedOn, "application/pdf", strings.ToLower(d.Kind)+".pdf", scPDF(d.ES))
		if up.Status != http.StatusCreated || json.Unmarshal(up.Body, &doc) != nil || doc.ContentType != documents.PDF || doc.Kind != d.Kind {
			t.Fatalf("upload %s: %s", d.Kind, up)
		}
		uploaded++
	}
	for _, b := range pol.Biometrics {
		ct, name, data := scCapture(b)
		var doc documents.Document
		up := h.upload(ag.Client, id, b, "", ct, name, data)
		if up.Status != http.StatusCreated || json.Unmarshal(up.Body, &doc) != nil || doc.ContentType != ct || doc.Size != int64(len(data)) {
			t.Fatalf("upload %s: %s", b, up)
		}
		uploaded++
	}
	var docList struct{ Documents []documents.Document }
	h.ok(ag.Client, 200, "GET", docsPath, nil, &docList)
	if len(docList.Documents) != uploaded {
		t.Fatalf("%d documents listed, %d uploaded", len(docList.Documents), uploaded)
	}

	idDoc := map[string]string{"kind": s.idDocKind, "number": s.idDocNum}
	if s.idDocIssuer != "" {
		idDoc["issuer"] = s.idDocIssuer
	}
	confirm := map[string]any{"idDocument": idDoc}
	if pol.InPerson {
		confirm["inPerson"] = true
	}
	if pol.RequestForm {
		confirm["requestFormSigned"] = true
	}
	if pol.Agreement {
		confirm["agreementSigned"] = true
	}
	if pol.Identifiers.RENAPO {
		confirm["renapoConfirmed"] = true
	}
	if pol.Identifiers.DNIIssueDate {
		confirm["dniIssueDate"] = "2019-05-14"
	}
	h.refused("malformed JSON to confirm", 400, "urn:sello:problem:malformed", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/confirm", scRawJSON(`{"idDocument": {"kind": "`+s.idDocKind+`",}`))
	})
	h.refused("an unknown field to confirm", 400, "urn:sello:problem:malformed", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/confirm", map[string]any{"inPersonn": true})
	})
	h.ok(ag.Client, 200, "POST", reqPath+"/confirm", confirm, nil)
	var ev struct {
		Approvable bool     `json:"approvable"`
		Rules      []string `json:"rules"`
		Decision   policies.Decision
	}
	h.ok(ag.Client, 200, "GET", reqPath+"/evaluation", nil, &ev)
	if !ev.Approvable {
		t.Fatalf("after every item arrived the request is not approvable: rules %v, unmet %+v", ev.Rules, ev.Decision.Unmet)
	}
}

// resumeAndApprove is step 4: resume within the term and approve; the
// one-time EST and ACME credential goes to the institutional address only.
func (r *scenarioRun) resumeAndApprove() {
	t, h, ag, pol, reqPath := r.t, r.h, r.ag, r.pol, r.reqPath
	var q scRequestJSON
	h.ok(ag.Client, 200, "POST", reqPath+"/resume", nil, &q)
	if q.State != ra.StateInReview || q.DeficiencyDeadline != nil {
		t.Fatalf("resume: %+v", q)
	}
	var approved struct {
		Request             scRequestJSON `json:"request"`
		CredentialQueued    bool          `json:"credentialQueued"`
		CredentialExpiresAt time.Time     `json:"credentialExpiresAt"`
	}
	ar := h.ok(ag.Client, 200, "POST", reqPath+"/approve", nil, &approved)
	if pol.Batch != nil {
		// RULES D5: held for the weekly batch, whose date the applicant is
		// told; the scheduler sends it then and the credential follows.
		if approved.Request.State != ra.StateApproved || approved.CredentialQueued || approved.Request.HoldUntil == nil {
			t.Fatalf("approve under a weekly batch: %s", ar)
		}
		if m := h.one(h.flush(), notify.TemplateBatchScheduled, r.addr); !strings.Contains(m.Text, r.folio) {
			t.Fatalf("batch date e-mail: %s", m.Text)
		}
		r.e.Clock.Set(*approved.Request.HoldUntil)
		if rep, err := h.ra.RunDeadlines(context.Background(), ra.System("scheduler")); err != nil || len(rep.HoldsReleased) != 1 {
			t.Fatalf("the batch: %+v %v", rep, err)
		}
	} else if approved.Request.State != ra.StateCredentialIssued || !approved.CredentialQueued || approved.CredentialExpiresAt.IsZero() {
		t.Fatalf("approve: %s", ar)
	}
	mails := h.flush()
	cred := h.one(mails, notify.TemplateApprovalCredential, r.addr)
	user := regexp.MustCompile(`Usuario: (\S+)`).FindStringSubmatch(cred.Text)
	pass := regexp.MustCompile(`Contraseña: (\S+)`).FindStringSubmatch(cred.Text)
	if user == nil || pass == nil || !strings.Contains(cred.Text, r.folio) || !strings.Contains(cred.Text, "Clave HMAC: ") {
		t.Fatalf("the approval e-mail does not carry the EST and ACME credential: %s", cred.Text)
	}
	if bytes.Contains(ar.Body, []byte(pass[1])) {
		t.Fatal("the approval's answer shows the EST password: it must only go to the institutional address")
	}
	r.estUser, r.estPass = user[1], pass[1]
}

// issueForOwnCSR is step 5: the certificate, for the holder's own CSR
// (RULES P3).
func (r *scenarioRun) issueForOwnCSR() {
	t, h, s, ag, pol, addr, reqPath := r.t, r.h, r.s, r.ag, r.pol, r.addr, r.reqPath
	h.refused("a CSR that is not one", 400, "urn:sello:problem:badCSR", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/issue", map[string]string{"csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"})
	})
	csr := scCSR(t)
	var issued scIssuedJSON
	h.ok(ag.Client, http.StatusCreated, "POST", reqPath+"/issue", map[string]string{"csr": string(csr)}, &issued)
	r.issued = issued
	blk, _ := pem.Decode([]byte(issued.Certificate))
	if blk == nil {
		t.Fatalf("no certificate PEM in %+v", issued)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.scheme + "-" + s.id; cert.Subject.SerialNumber != want {
		t.Errorf("subject serialNumber %q, want %q (RULES F4)", cert.Subject.SerialNumber, want)
	}
	if len(cert.Subject.Organization) != 1 || cert.Subject.Organization[0] != s.orgName || len(cert.EmailAddresses) != 1 || cert.EmailAddresses[0] != addr {
		t.Errorf("subject %v, e-mail %v", cert.Subject, cert.EmailAddresses)
	}
	if len(issued.Chain) == 0 {
		t.Error("no chain in the answer")
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: h.roots, Intermediates: h.inter, CurrentTime: r.e.Clock.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the certificate does not verify against the CA chain: %v", err)
	}
	if !cert.NotAfter.After(r.e.Clock.Now()) || cert.NotAfter.After(pol.TermEnd()) {
		t.Errorf("validity until %v, beyond the term (%v) or already over (RULES P2)", cert.NotAfter, pol.TermEnd())
	}
	r.certPath = fmt.Sprintf("/api/v1/certificates/%d", issued.CertificateID)
	mails := h.flush()
	if m := h.one(mails, notify.TemplateCertificateIssued, addr); !strings.Contains(m.Subject, issued.Serial) {
		t.Errorf("certificate e-mail %q does not name serial %s", m.Subject, issued.Serial)
	}
}

// credentialDiesWithIssuance: the one-time credential died with the
// issuance: it cannot be used again.
func (r *scenarioRun) credentialDiesWithIssuance() {
	t, h := r.t, r.h
	ctx := context.Background()
	seq := h.auditHead()
	before := r.certSnap()
	_, err := h.ra.RedeemCredential(ctx, ra.CredentialEST, r.estUser, r.estPass, scCSR(t))
	p := problem.From(err)
	if !errs.Has(err, errs.Unauthorized) || p.Status != 401 || p.Type != "urn:sello:problem:unauthorized" {
		t.Errorf("a reused credential: %v (%+v)", err, p)
	}
	found := false
	for _, a := range h.auditSince(seq) {
		found = found || (a.Action == "credential.redeem" && a.Outcome == store.OutcomeRefused)
	}
	if !found {
		t.Error("the reused credential left no refused audit entry")
	}
	all, _ := h.store.ListCertificates(ctx, store.CertificateFilter{OnlyHolders: true})
	if len(all) != 2 || r.certSnap() != before { // the holder's and the acknowledgement signer's
		t.Errorf("a reused credential changed the certificates: %d", len(all))
	}
}

// acceptAndPrint is step 6: the signed acceptance form, the printed
// receipts, and the online check of the printed acknowledgement.
func (r *scenarioRun) acceptAndPrint() {
	t, h, s, ag, folio, reqPath := r.t, r.h, r.s, r.ag, r.folio, r.reqPath
	var q scRequestJSON
	h.ok(ag.Client, 200, "POST", reqPath+"/accept", nil, &q)
	if q.State != ra.StateAccepted || q.CertificateID != r.issued.CertificateID {
		t.Fatalf("accept: %+v", q)
	}
	h.refused("accept twice", 409, "urn:sello:problem:wrongState", r.snapshot, func() scResponse {
		return h.do(ag.Client, "POST", reqPath+"/accept", nil)
	})

	// Receipts: real PDFs with the folio (RULES G3, G4, R8).
	h.receipt(ag.Client, reqPath+"/acknowledgement.pdf", folio)
	form := h.receipt(ag.Client, reqPath+"/acceptance-form.pdf", folio)
	agentName := strings.ToUpper(strings.Join([]string{s.agent(t).GivenNames, s.agent(t).FirstSurname, s.agent(t).SecondSurname}, " "))
	r.agentName = agentName
	printed := r.e.Clock.Now().In(r.loc)
	if when := fmt.Sprintf("%d de noviembre de 2026, %02d:%02d:00 h", printed.Day(), printed.Hour(), printed.Minute()); !strings.Contains(form, when) ||
		!strings.Contains(form, agentName) || !strings.Contains(form, r.issued.Serial) {
		t.Errorf("the acceptance form does not give the date %q, the agent %q and the serial %s:\n%s", when, agentName, r.issued.Serial, form)
	}
	h.refused("a refusal for a request that was not refused", 409, "urn:sello:problem:wrongState", r.snapshot, func() scResponse {
		return h.do(ag.Client, "GET", reqPath+"/refusal.pdf", nil)
	})

	// RULES G4: the online check of the printed acknowledgement.
	var check struct {
		Valid bool
		Folio string
	}
	h.ok(h.anon, 200, "GET", "/verificar/"+folio+"?codigo="+r.code, nil, &check)
	if !check.Valid || check.Folio != folio {
		t.Fatalf("online check: %+v", check)
	}
	h.refused("the online check of a folio that does not exist", 404, "urn:sello:problem:notFound", nil, func() scResponse {
		return h.do(h.anon, "GET", "/verificar/"+s.org+"-SOL-2026-999999?codigo="+r.code, nil)
	})
}

// refuseBadRevocations is step 7: revocation requests that must be refused
// (RULES S4).
func (r *scenarioRun) refuseBadRevocations() {
	h, s, ag, other, pol, certPath := r.h, r.s, r.ag, r.other, r.pol, r.certPath
	statusPath := certPath + "/status"
	h.refused("a revocation reason not in the catalogue", 400, "urn:sello:problem:malformed", r.certSnap, func() scResponse {
		return h.do(ag.Client, "POST", statusPath, map[string]any{"kind": "revoke", "reason": "aburrimiento", "identifier": s.id, "requester": "agent"})
	})
	wrongID := "PEXJ800101HJCRXN07"
	if s.idKind == "DNI" {
		wrongID = "10117411"
	}
	h.refused("an identifier that is not the holder's", 400, "urn:sello:problem:malformed", r.certSnap, func() scResponse {
		return h.do(ag.Client, "POST", statusPath, map[string]any{"kind": "revoke", "reason": pol.StatusCodes.Revocation[0].ID, "identifier": wrongID, "requester": "agent"})
	})
	h.refused("another organisation's agent revokes", 404, "urn:sello:problem:notFound", r.certSnap, func() scResponse {
		return h.do(other.Client, "POST", statusPath, map[string]any{"kind": "revoke", "reason": pol.StatusCodes.Revocation[0].ID, "identifier": s.id, "requester": "agent"})
	})
	h.refused("malformed JSON to a revocation", 400, "urn:sello:problem:malformed", r.certSnap, func() scResponse {
		return h.do(ag.Client, "POST", statusPath, scRawJSON(`{"kind": "revoke"`))
	})
	h.refused("a revocation receipt for a valid certificate", 409, "urn:sello:problem:wrongState", r.certSnap, func() scResponse {
		return h.do(ag.Client, "GET", certPath+"/revocation-receipt.pdf", nil)
	})
}

// followHRAfterIssue is step 8: life after issue; HR says on leave, active,
// terminated, and the appointment monitor follows.
func (r *scenarioRun) followHRAfterIssue() {
	t, h, s, ag, pol, certPath := r.t, r.h, r.s, r.ag, r.pol, r.certPath
	statusPath := certPath + "/status"
	interval, err := time.ParseDuration(pol.Appointment.MonitorInterval)
	if err != nil {
		t.Fatal(err)
	}
	autoSusp, leaveRevokes := scLeaveReasons(pol)
	r.autoSusp, r.leaveRevokes = autoSusp, leaveRevokes
	rep := r.monitor(interval, "LICENCIA")
	c := r.readCert()
	switch {
	case autoSusp != "":
		if rep.Suspended != 1 || c.Certificate.Status != store.CertSuspended || c.Certificate.ReasonCode == nil ||
			*c.Certificate.ReasonCode != 6 || c.Certificate.StatusReason != autoSusp {
			t.Fatalf("HR on leave: report %+v, certificate %+v, want suspended (certificateHold, 6) for %s", rep, c.Certificate, autoSusp)
		}
	case leaveRevokes != "":
		if rep.Revoked != 1 || c.Certificate.Status != store.CertRevoked || c.Certificate.StatusReason != leaveRevokes {
			t.Fatalf("HR on leave where leave is a revocation cause: report %+v, certificate %+v, want revoked for %s", rep, c.Certificate, leaveRevokes)
		}
	default:
		if rep.Suspended+rep.Revoked != 0 || c.Certificate.Status != store.CertValid || len(rep.Errors) != 1 ||
			!strings.Contains(rep.Errors[0], `no automatic reason for HR answer "on_leave"`) {
			t.Fatalf("HR on leave under a policy where it is no cause: report %+v, certificate %+v", rep, c.Certificate)
		}
	}
	rep = r.monitor(interval, "ACTIVO")
	c = r.readCert()
	wantAfterActive := store.CertValid
	if leaveRevokes != "" {
		wantAfterActive = store.CertRevoked // a revocation is final
	}
	if c.Certificate.Status != wantAfterActive || (autoSusp != "" && rep.Lifted != 1) || (autoSusp == "" && rep.Lifted != 0) {
		t.Fatalf("HR active again: report %+v, certificate %+v", rep, c.Certificate)
	}
	rep = r.monitor(interval, "BAJA")
	c = r.readCert()
	revReason, _, _ := pol.StatusReason(c.Certificate.StatusReason)
	r.revReason = revReason
	if c.Certificate.Status != store.CertRevoked || c.Certificate.ReasonCode == nil || *c.Certificate.ReasonCode != 3 ||
		!revReason.Automatic || revReason.RFC5280 != "affiliationChanged" || (leaveRevokes == "" && rep.Revoked != 1) {
		t.Fatalf("HR terminated: report %+v, certificate %+v, want revoked (affiliationChanged, 3) for an automatic reason", rep, c.Certificate)
	}
	if leaveRevokes == "" && !slices.Contains(revReason.HRStatuses, "terminated") {
		t.Fatalf("HR terminated revoked with %s, which the policy does not name for terminated", revReason.ID)
	}
	var kinds []string
	for _, ch := range c.History {
		kinds = append(kinds, ch.Kind)
		if ch.Actor != "system:appointment-monitor" || ch.Folio == "" {
			t.Errorf("status change %+v: want the monitor as actor and a folio", ch)
		}
	}
	wantKinds := []string{"revoke"}
	if autoSusp != "" {
		wantKinds = []string{"suspend", "lift", "revoke"}
	}
	if !slices.Equal(kinds, wantKinds) {
		t.Fatalf("history %v, want %v", kinds, wantKinds)
	}
	revFolio := c.History[len(c.History)-1].Folio
	r.revFolio = revFolio
	if !strings.HasPrefix(revFolio, s.org+"-REV-2026-") {
		t.Errorf("revocation folio %q", revFolio)
	}
	if text := h.receipt(ag.Client, certPath+"/revocation-receipt.pdf", revFolio); !strings.Contains(text, r.issued.Serial) || !strings.Contains(text, revReason.ES) ||
		!strings.Contains(text, r.agentName) || strings.Contains(text, "system:") {
		t.Errorf("the revocation receipt does not show serial %s, reason %q and the agent %s who hands it over:\n%s", r.issued.Serial, revReason.ES, r.agentName, text)
	}
	h.refused("revoke a revoked certificate", 409, "urn:sello:problem:wrongState", r.certSnap, func() scResponse {
		return h.do(ag.Client, "POST", statusPath, map[string]any{"kind": "revoke", "reason": pol.StatusCodes.Revocation[0].ID, "identifier": s.id, "requester": "agent"})
	})
}

// scLeaveReasons returns what a leave of absence does under pol: the
// suspension or the revocation reason that names it, if any. It is the
// policy's choice (hr_statuses): it suspends in Jalisco and Tijuana, revokes
// in Zacatecas (art. 66-VIII) and Chiapas, and is not a cause in Cajamarca.
func scLeaveReasons(pol *policies.Policy) (autoSusp, leaveRevokes string) {
	for _, r := range pol.StatusCodes.Suspension {
		if slices.Contains(r.HRStatuses, "on_leave") {
			autoSusp = r.ID
		}
	}
	for _, r := range pol.StatusCodes.Revocation {
		if slices.Contains(r.HRStatuses, "on_leave") {
			leaveRevokes = r.ID
		}
	}
	return autoSusp, leaveRevokes
}

// monitor has HR answer estatus for the holder, lets interval and an hour
// pass, and runs one pass of the appointment monitor.
func (r *scenarioRun) monitor(interval time.Duration, estatus string) *ra.MonitorReport {
	r.t.Helper()
	r.h.hr.status(r.s.idKind, r.s.id, estatus)
	r.e.Clock.Add(interval + time.Hour)
	rep, err := r.h.ra.RunMonitor(context.Background(), ra.System("appointment-monitor"), 100)
	if err != nil {
		r.t.Fatalf("monitor: %v", err)
	}
	return rep
}

// readCert is the certificate and its status history as the agent reads them.
func (r *scenarioRun) readCert() scCertJSON {
	var c scCertJSON
	r.h.ok(r.ag.Client, 200, "GET", r.certPath, nil, &c)
	return c
}

// checkMailHRAndAudit is step 9: every e-mail reached the institutional
// address, in Spanish; HR was asked with its token; the audit chain holds.
func (r *scenarioRun) checkMailHRAndAudit() {
	t, h, addr, serial := r.t, r.h, r.addr, r.issued.Serial
	mails := h.flush()
	if r.autoSusp != "" {
		for _, tmpl := range []string{notify.TemplateSuspension, notify.TemplateLift} {
			if m := h.one(mails, tmpl, addr); !strings.Contains(m.Subject, serial) {
				t.Errorf("%s e-mail %q does not name serial %s", tmpl, m.Subject, serial)
			}
		}
	}
	if m := h.one(mails, notify.TemplateRevocation, addr); !strings.Contains(m.Text, r.revFolio) || !strings.Contains(m.Text, r.revReason.ES) {
		t.Errorf("the revocation e-mail does not give folio %s and reason %q: %s", r.revFolio, r.revReason.ES, m.Text)
	}
	want := []string{notify.TemplateAcknowledgement, notify.TemplateEmailVerification, notify.TemplateDeficiencyNotice,
		notify.TemplateApprovalCredential, notify.TemplateCertificateIssued}
	if r.autoSusp != "" {
		want = append(want, notify.TemplateSuspension, notify.TemplateLift)
	}
	want = append(want, notify.TemplateRevocation)
	if r.pol.Batch != nil {
		want = append(want, notify.TemplateBatchScheduled) // RULES D5
	}
	var got []string
	for _, m := range h.mails {
		got = append(got, scTemplateOf(m))
		if len(m.To) != 1 || m.To[0] != addr {
			t.Errorf("e-mail %q went to %v, want %s", m.Subject, m.To, addr)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("e-mails received %v, want %v", got, want)
	}

	// HR was asked through its API with the bearer token: at the check, the
	// approval and each monitor pass while the certificate was not revoked.
	wantAsked := 5
	if r.leaveRevokes != "" {
		wantAsked = 3
	}
	if answered, unauth := h.hr.asked(); answered < wantAsked || unauth != 0 {
		t.Errorf("HR answered %d lookups and refused %d", answered, unauth)
	}

	// The audit chain is intact after the whole story.
	audit, err := h.store.VerifyAudit(context.Background(), []crypto.PublicKey{r.e.Key.Public()}, nil)
	if err != nil || audit.Problem != nil {
		t.Fatalf("audit: %+v %v", audit, err)
	}
}

// RULES D1 across a holiday: Jalisco, notified deficient on Friday 13
// November 2026 at 11:00 (Mexico City); Monday 16 is the third Monday of
// November (LFT art. 74), so the notice takes effect Tuesday 17 and the term
// runs Wednesday 18 to Friday 20, until 17:00.
func TestScenario_DeadlineLapsesAcrossHoliday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := scJalisco
		mx, _ := time.LoadLocation("America/Mexico_City")
		h := newScHarness(t, e, time.Date(2026, 11, 13, 11, 0, 0, 0, mx))
		h.addOrg("AC-JAL", "Autoridad Certificadora de Jalisco", "jalisco", "Autoridad Certificadora")
		h.addOrg(s.org, s.orgName, s.policy, "Dirección de Recursos Humanos")
		h.setAckSigner("AC-JAL", "acuses@jalisco.gob.mx")
		admin := h.addAgent("AC-JAL", store.RoleAdmin, store.PersonData{GivenNames: "Sofía", FirstSurname: "Navarro", SecondSurname: "Lara",
			CURP: scCURP(t, "NALS790909MJCVRF0"), Email: "sofia.navarro@jalisco.gob.mx"}, "Administradora de la Autoridad Certificadora")
		ag := h.addAgent(s.org, store.RoleAgent, s.agent(t), "Agente registrador")
		h.hr.set(s.idKind, s.id, "ACTIVO", s.hrOrg, s.hrPosition)
		addr := s.email()

		var filed struct{ Folio string }
		h.ok(h.anon, http.StatusCreated, "POST", "/api/v1/public/requests", s.applicant, &filed)
		folio := filed.Folio
		mails := h.flush()
		token := regexp.MustCompile(`código de verificación: (\S+)`).FindStringSubmatch(h.one(mails, notify.TemplateEmailVerification, addr).Text)
		if token == nil {
			t.Fatal("no verification code in the e-mail")
		}
		h.ok(h.anon, 200, "POST", "/api/v1/public/requests/"+folio+"/verify-email", map[string]string{"token": token[1]}, nil)
		var list struct{ Requests []scRequestJSON }
		h.ok(ag.Client, 200, "GET", "/api/v1/requests?view=online", nil, &list)
		if len(list.Requests) != 1 {
			t.Fatalf("online requests: %+v", list.Requests)
		}
		reqPath := fmt.Sprintf("/api/v1/requests/%d", list.Requests[0].ID)
		snapshot := func() string { return string(h.ok(ag.Client, 200, "GET", reqPath, nil, nil).Body) }
		h.ok(ag.Client, 200, "POST", reqPath+"/attend", nil, nil)
		h.ok(ag.Client, 200, "POST", reqPath+"/check-appointment", nil, nil)
		var q scRequestJSON
		q = scRequestJSON{}
		h.ok(ag.Client, 200, "POST", reqPath+"/deficient", nil, &q)
		deadline := time.Date(2026, 11, 20, 17, 0, 0, 0, mx)
		if q.DeficiencyDeadline == nil || !q.DeficiencyDeadline.Equal(deadline) {
			t.Fatalf("deadline %v, want %v", q.DeficiencyDeadline, deadline)
		}
		mails = h.flush()
		if m := h.one(mails, notify.TemplateDeficiencyNotice, addr); !strings.Contains(m.Text, "viernes 20 de noviembre de 2026, 17:00 h (hora del centro)") {
			t.Errorf("deficiency notice without the deadline: %s", m.Text)
		}

		// Only an administrator runs the scheduler.
		h.refused("an agent runs the scheduler", 403, "urn:sello:problem:forbidden", snapshot, func() scResponse {
			return h.do(ag.Client, "POST", "/api/v1/scheduler/run", nil)
		})
		var rep ra.DeadlineReport
		e.Clock.Set(time.Date(2026, 11, 20, 16, 59, 0, 0, mx))
		h.ok(admin.Client, 200, "POST", "/api/v1/scheduler/run", nil, &rep)
		if len(rep.NotPresented) != 0 || len(rep.Errors) != 0 {
			t.Fatalf("one minute before the deadline: %+v", rep)
		}
		if st := h.ok(ag.Client, 200, "GET", reqPath, nil, &q); q.State != ra.StateDeficient {
			t.Fatalf("one minute before the deadline the request is %s: %s", q.State, st)
		}
		e.Clock.Set(deadline)
		h.ok(admin.Client, 200, "POST", "/api/v1/scheduler/run", nil, &rep)
		if len(rep.NotPresented) != 1 || rep.NotPresented[0] != folio || len(rep.Errors) != 0 {
			t.Fatalf("at the deadline: %+v", rep)
		}
		q = scRequestJSON{}
		h.ok(ag.Client, 200, "GET", reqPath, nil, &q)
		if q.State != ra.StateNotPresented {
			t.Fatalf("at the deadline the request is %s", q.State)
		}
		mails = h.flush()
		np := h.one(mails, notify.TemplateNotPresented, addr)
		if !strings.Contains(np.Text, folio) || !strings.Contains(np.Text, "viernes 20 de noviembre de 2026, 17:00 h (hora del centro)") {
			t.Errorf("the not-presented e-mail does not give the folio and the deadline: %s", np.Text)
		}
		// The written determination (RULES D1) names the folio.
		if text := h.receipt(ag.Client, reqPath+"/refusal.pdf", folio); !strings.Contains(text, "PEDRO RUIZ SOTO") ||
			!strings.Contains(text, "viernes 20 de noviembre de 2026, 17:00:00 h") {
			t.Errorf("refusal.pdf does not name the agent and the date of the determination:\n%s", text)
		}
		h.refused("resume after the term lapsed", 409, "urn:sello:problem:wrongState", snapshot, func() scResponse {
			return h.do(ag.Client, "POST", reqPath+"/resume", nil)
		})
		// A second pass changes nothing.
		h.ok(admin.Client, 200, "POST", "/api/v1/scheduler/run", nil, &rep)
		if len(rep.NotPresented) != 0 {
			t.Fatalf("closed twice: %+v", rep)
		}
		if mails := h.flush(); len(mails) != 0 {
			t.Fatalf("a second pass sent %d e-mails", len(mails))
		}
	})
}

// The OpenAPI document lists every route the API serves.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	h := newScHarness(t, e, storetest.Start)
	r := h.do(h.anon, "GET", "/api/openapi.json", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json = %s", r)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if !json.Valid(r.Body) {
		t.Fatal("openapi.json is not valid JSON")
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	api := New(Config{RA: h.ra})
	n := 0
	for _, rt := range api.table() {
		op, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s is served but not in the OpenAPI document", rt.method, rt.path)
			continue
		}
		n++
		if op["summary"] != rt.summary {
			t.Errorf("%s %s: summary %v", rt.method, rt.path, op["summary"])
		}
		if _, secured := op["security"]; secured == rt.public {
			t.Errorf("%s %s: security %v, public %v", rt.method, rt.path, op["security"], rt.public)
		}
	}
	total := 0
	for _, ops := range doc.Paths {
		total += len(ops)
	}
	if total != n {
		t.Errorf("the document has %d operations, the table %d", total, n)
	}
}
