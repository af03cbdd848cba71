package ra_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// fakeHR is an in-memory HR source for workflow tests; the real sources are
// tested against real servers in ra/appointment.
type fakeHR struct {
	mu   sync.Mutex
	byID map[string]appointment.Appointment
	down bool
	// broken lists people HR cannot answer for (unavailable for them only).
	broken map[string]bool
	clock  interface{ Now() time.Time }
}

func (f *fakeHR) Lookup(_ context.Context, id appointment.PersonID) (appointment.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down || f.broken[id.Value] {
		return appointment.Appointment{}, errs.New(errs.Unavailable, "HR down")
	}
	a, ok := f.byID[id.Value]
	if !ok {
		return appointment.Appointment{}, errs.New(errs.NotFound, "unknown")
	}
	return a, nil
}

func (f *fakeHR) set(id string, st appointment.Status, end time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byID[id] = appointment.Appointment{Person: appointment.PersonID{Kind: "CURP", Value: id}, Organisation: "SEP-JAL",
		Position: "Jefa de Departamento", Status: st, Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), End: end}
}

type wf struct {
	env   *storetest.Env
	ra    *ra.RA
	hr    *fakeHR
	h     *local.Hierarchy
	org   *store.Organisation
	agent ra.Actor
	other ra.Actor
}

func ackSigner(t *testing.T, h *local.Hierarchy, now time.Time) ra.AckSigner {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "Sello acuses"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, h.Issuing, key.Public(), h.IssuingKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return ra.AckSigner{Key: key, Chain: append([]*x509.Certificate{leaf}, h.Chain...)}
}

func newWF(t *testing.T, e *storetest.Env) *wf { t.Helper(); return newWFWith(t, e, nil) }

// newWFWith is newWF with the RA's configuration adjusted by with.
func newWFWith(t *testing.T, e *storetest.Env, with func(*ra.Config)) *wf {
	t.Helper()
	h, err := local.GenerateHierarchy(e.Clock, local.HierarchyOptions{CommonName: "Gobierno de Prueba", Organization: "Gobierno de Prueba", Country: "MX",
		RootCRLURL: "http://firma.example.gob.mx/crl/root.crl", RootCertURL: "http://firma.example.gob.mx/ca/root.crt"})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := local.New(local.Config{Issuer: h.Issuing, Key: h.IssuingKey, Chain: h.Chain, Store: e.Store, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}
	set, err := policies.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	hr := &fakeHR{byID: map[string]appointment.Appointment{}}
	srcs := map[string]appointment.Source{}
	for id := range set {
		srcs[id] = hr
	}
	cfg := ra.Config{Store: ra.Bind[*store.Tx](e.Store), Issuers: testIssuers(t, set, signer), Policies: set,
		PublicURL: "http://firma.example.gob.mx", Clock: e.Clock, Appointments: srcs, AckSigner: ackSigner(t, h, e.Clock.Now()),
		Documents: documents.New(documents.Bind[*store.Tx](e.Store), e.Box, e.Clock, nil)}
	if with != nil {
		with(&cfg)
	}
	r := ra.New(cfg)
	w := &wf{env: e, ra: r, hr: hr, h: h}
	w.org = &store.Organisation{Code: "SEP-JAL", Name: "Secretaría de Educación Jalisco", PolicyID: "jalisco", ResponsibleUnit: "Dirección de Personal"}
	otherOrg := &store.Organisation{Code: "SALUD-JAL", Name: "Secretaría de Salud Jalisco", PolicyID: "jalisco"}
	if err := e.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, w.org); err != nil {
			return err
		}
		return tx.CreateOrganisation(ctx, otherOrg)
	}); err != nil {
		t.Fatal(err)
	}
	w.agent = ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, w.org.ID), Role: store.RoleAgent, OrgID: w.org.ID}
	w.other = ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, otherOrg.ID), Role: store.RoleAgent, OrgID: otherOrg.ID}
	return w
}

func insertAgent(t *testing.T, s *store.Store, org int64) int64 {
	t.Helper()
	var id int64
	err := s.InTx(ctx, func(tx *store.Tx) error {
		p := &store.Person{Data: store.PersonData{GivenNames: "Agente", FirstSurname: "Prueba", Email: "agente@jalisco.gob.mx"}}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		a := &store.Agent{OrgID: org, PersonID: p.ID, Role: store.RoleAgent}
		err := tx.CreateAgent(ctx, a)
		id = a.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var maria = store.PersonData{GivenNames: "María Guadalupe", FirstSurname: "López", SecondSurname: "Hernández",
	CURP: "LOHM800101MJCPRR06", Email: "maria.lopez@jalisco.gob.mx"}

func jobs(t *testing.T, s *store.Store, kind string) []store.Job {
	t.Helper()
	js, err := s.JobsByKind(ctx, kind)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func mailTemplates(t *testing.T, s *store.Store) []string {
	var out []string
	for _, j := range jobs(t, s, notify.JobKind) {
		var m notify.Message
		json.Unmarshal(j.Payload, &m)
		out = append(out, m.Template)
	}
	return out
}

func allIn(f *wf) ra.Confirm {
	yes := true
	return ra.Confirm{IDDocument: &policies.IDDocument{Kind: "INE", Number: "IDMEX1234567890"},
		Documents:  map[string]time.Time{"APPOINTMENT_LETTER": f.env.Clock.Now().AddDate(0, -2, 0)},
		Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"}, InPerson: &yes, Agreement: &yes}
}

func TestWorkflowOnlineRequestToRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Active, time.Time{})

		// File online: folio, signed acknowledgement, verification e-mail.
		f, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria, Title: "Jefa de Departamento"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Request.Folio != "SEP-JAL-SOL-2026-000001" || f.Request.State != ra.StateSubmitted {
			t.Fatalf("filing = %s %s", f.Request.Folio, f.Request.State)
		}
		if f.Ack == nil || f.Ack.Code == "" || f.Ack.Ack.Filer.Identifier != "PNOMX-******RR06" {
			t.Fatalf("ack = %+v", f.Ack)
		}
		if got, err := w.ra.VerifyDocument(ctx, f.Request.Folio, f.Ack.Code); err != nil || got.Ack.Folio != f.Request.Folio {
			t.Fatalf("online check of the acknowledgement: %v", err)
		}
		if _, err := w.ra.VerifyDocument(ctx, f.Request.Folio, "AAAA-AAAA-AAAA-AAAA"); err == nil {
			t.Fatal("a wrong verification code was accepted")
		}
		id := f.Request.ID

		// RULES R9: no agent attends before the e-mail is verified.
		if _, err := w.ra.Attend(ctx, w.agent, id); !errs.Has(err, errs.WrongState) {
			t.Fatalf("attend before verification: %v", err)
		}
		if _, err := w.ra.VerifyEmail(ctx, f.Request.Folio, "wrong"); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("wrong token: %v", err)
		}
		if _, err := w.ra.VerifyEmail(ctx, f.Request.Folio, f.EmailToken); err != nil {
			t.Fatal(err)
		}
		// RULES O2: an agent of another organisation sees and does
		// nothing, and learns not even that the request exists.
		if _, err := w.ra.Attend(ctx, w.other, id); !errs.Has(err, errs.NotFound) {
			t.Fatalf("other organisation: %v", err)
		}
		if _, err := w.ra.Load(ctx, w.other, id); !errs.Has(err, errs.NotFound) {
			t.Fatalf("other organisation reads: %v", err)
		}
		if _, err := w.ra.Attend(ctx, w.agent, id); err != nil {
			t.Fatal(err)
		}
		req, err := w.ra.CheckAppointment(ctx, w.agent, id)
		if err != nil || req.Data.Appointment.State != policies.AppointmentFound {
			t.Fatalf("appointment: %+v %v", req, err)
		}

		// Deficient: the in-person items are missing (RULES D1).
		req, err = w.ra.MarkDeficient(ctx, w.agent, id)
		if err != nil || req.State != ra.StateDeficient || !req.DeficiencyDeadline.Valid {
			t.Fatalf("deficient: %+v %v", req, err)
		}
		if _, _, err := w.ra.Approve(ctx, w.agent, id); !errs.Has(err, errs.WrongState) {
			t.Fatalf("approve while deficient: %v", err)
		}
		if _, err := w.ra.Confirm(ctx, w.agent, id, allIn(w)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.Resume(ctx, w.agent, id); err != nil {
			t.Fatal(err)
		}
		req, secrets, err := w.ra.Approve(ctx, w.agent, id)
		if err != nil || req.State != ra.StateCredentialIssued || secrets == nil {
			t.Fatalf("approve: %v %+v", err, req)
		}
		// RULES P2: validity capped by the term.
		if !req.NotAfter.Time.Equal(e.Clock.Now().AddDate(0, 0, 730).Truncate(time.Second)) {
			t.Fatalf("notAfter = %v", req.NotAfter.Time)
		}
		// Only hashes of the credential are stored.
		var stored []string
		e.Store.DB().SelectContext(ctx, &stored, "SELECT secret_hash FROM credentials")
		for _, h := range stored {
			if h == secrets.ESTPassword || strings.Contains(h, secrets.EABHMACKey) {
				t.Fatal("a credential secret is stored in clear")
			}
		}

		// The holder's client redeems the one-time credential with a CSR (EST path).
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		csr := csrPEM(t, key, pkix.Name{CommonName: "whatever"})
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, secrets.ESTUser, "bad-password", csr); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("bad password: %v", err)
		}
		iss, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, secrets.ESTUser, secrets.ESTPassword, csr)
		if err != nil {
			t.Fatal(err)
		}
		if iss.Cert.Subject.CommonName != "MARÍA GUADALUPE LÓPEZ HERNÁNDEZ" || !iss.Cert.NotAfter.Equal(req.NotAfter.Time) ||
			len(iss.Cert.Subject.OrganizationalUnit) != 1 || iss.Cert.Subject.OrganizationalUnit[0] != "SEP-JAL" {
			t.Fatalf("issued %v until %v", iss.Cert.Subject, iss.Cert.NotAfter)
		}
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, secrets.ESTUser, secrets.ESTPassword, csr); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("reused credential: %v", err)
		}
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEAB, secrets.EABKeyID, secrets.EABHMACKey, csr); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("the sibling EAB credential still works after issuance: %v", err)
		}
		if _, err := w.ra.Accept(ctx, w.agent, id); err != nil {
			t.Fatal(err)
		}

		certID := iss.Record.ID
		// RULES S4: a CURP that does not match, or a reason outside the catalogue, is refused.
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: certID, Kind: ra.ChangeRevoke, ReasonID: "key_compromise",
			Identifier: "PEXJ800101HJCRXN07", Requester: ra.ByHolder}); !errs.Has(err, errs.Malformed) {
			t.Fatalf("wrong CURP: %v", err)
		}
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: certID, Kind: ra.ChangeRevoke, ReasonID: "bored",
			Identifier: maria.CURP, Requester: ra.ByHolder}); !errs.Has(err, errs.Malformed) {
			t.Fatalf("reason outside the catalogue: %v", err)
		}
		if _, err := w.ra.ChangeStatus(ctx, w.other, ra.StatusInput{CertificateID: certID, Kind: ra.ChangeRevoke, ReasonID: "key_compromise",
			Identifier: maria.CURP, Requester: ra.ByHolder}); !errs.Has(err, errs.NotFound) {
			t.Fatalf("other organisation revokes: %v", err)
		}
		// RULES S1: suspension at the holder's request, then lifted.
		res, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: certID, Kind: ra.ChangeSuspend, ReasonID: "possible_compromise",
			Identifier: maria.CURP, Requester: ra.ByHolder})
		if err != nil || res.Change == nil || !strings.Contains(res.Request.Folio, "-SUS-2026-000001") {
			t.Fatalf("suspend: %+v %v", res, err)
		}
		c, _ := e.Store.Certificate(ctx, certID)
		if c.Status != store.CertSuspended || c.RevocationReason.Int64 != 6 || !c.SuspendedUntil.Valid {
			t.Fatalf("after suspension: %+v", c)
		}
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: certID, Kind: ra.ChangeLift, Identifier: maria.CURP, Requester: ra.ByHolder}); err != nil {
			t.Fatal(err)
		}
		// RULES S4, S6: revocation with its exact time, folio and jobs.
		e.Clock.Add(90 * time.Minute)
		res, err = w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: certID, Kind: ra.ChangeRevoke, ReasonID: "key_compromise",
			Identifier: maria.CURP, Requester: ra.ByHolder, Address: "Av. Juárez 12, Guadalajara"})
		if err != nil {
			t.Fatal(err)
		}
		c, _ = e.Store.Certificate(ctx, certID)
		if c.Status != store.CertRevoked || !c.RevokedAt.Time.Equal(e.Clock.Now()) || c.RevocationReason.Int64 != 1 {
			t.Fatalf("after revocation: %+v", c)
		}
		hist, _ := e.Store.StatusChanges(ctx, certID)
		if len(hist) != 3 || hist[2].Kind != "revoke" || !hist[2].At.Equal(e.Clock.Now()) || hist[2].Folio.String != res.Request.Folio {
			t.Fatalf("history = %+v", hist)
		}
		for _, k := range []string{ra.JobOCSPRefresh, ra.JobCRLRegenerate, ra.JobLDAPPublish} {
			if n := len(jobs(t, e.Store, k)); n < 3 {
				t.Errorf("%s jobs = %d, want one per change", k, n)
			}
		}
		got := strings.Join(mailTemplates(t, e.Store), ",")
		for _, want := range []string{"acknowledgement", "email_verification", "deficiency_notice", "approval_credential", "certificate_issued", "suspension", "lift", "revocation"} {
			if !strings.Contains(got, want) {
				t.Errorf("no %s e-mail queued (have %s)", want, got)
			}
		}
		// The audit chain is intact after the whole story.
		rep, err := e.Store.VerifyAudit(ctx, []crypto.PublicKey{e.Key.Public()}, nil)
		if err != nil || rep.Problem != nil {
			t.Fatalf("audit: %+v %v", rep, err)
		}
	})
}

// RULES D1: a deficiency not fixed within 3 business days makes the request
// "not presented". Notified Friday 13 Nov 2026 at 11:00 (Mexico City); Monday
// 16 Nov is a holiday (third Monday of November), so the notice takes effect
// Tuesday 17, the term runs Wed 18, Thu 19, Fri 20 and ends Friday 20 at
// closing (17:00 in Jalisco).
func TestRule_D1_NotPresentedAcrossAHoliday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		mx, _ := time.LoadLocation("America/Mexico_City")
		e.Clock.Set(time.Date(2026, 11, 13, 11, 0, 0, 0, mx))
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		if f.Request.State != ra.StateInReview {
			t.Fatalf("in-person filing starts %s", f.Request.State)
		}
		req, err := w.ra.MarkDeficient(ctx, w.agent, f.Request.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 11, 20, 17, 0, 0, 0, mx)
		if !req.DeficiencyDeadline.Time.Equal(want) {
			t.Fatalf("deadline %v, want %v", req.DeficiencyDeadline.Time.In(mx), want)
		}
		e.Clock.Set(time.Date(2026, 11, 20, 16, 59, 0, 0, mx))
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.NotPresented) != 0 {
			t.Fatalf("before the deadline: %+v %v", rep, err)
		}
		e.Clock.Set(time.Date(2026, 11, 20, 17, 0, 0, 0, mx))
		rep, err = w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.NotPresented) != 1 || rep.NotPresented[0] != f.Request.Folio {
			t.Fatalf("at the deadline: %+v %v", rep, err)
		}
		got, _ := w.ra.Load(ctx, w.agent, f.Request.ID)
		if got.State != ra.StateNotPresented || !got.ClosedAt.Valid {
			t.Fatalf("state %s", got.State)
		}
		if _, err := w.ra.Resume(ctx, w.agent, f.Request.ID); !errs.Has(err, errs.WrongState) {
			t.Fatalf("resume after closing: %v", err)
		}
		if !strings.Contains(strings.Join(mailTemplates(t, e.Store), ","), "not_presented") {
			t.Fatal("no not_presented e-mail")
		}
		// A second pass changes nothing.
		rep, _ = w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if len(rep.NotPresented) != 0 {
			t.Fatal("closed twice")
		}
	})
}

// RULES D2: a refusal states its grounds and reasons, and the scheduler flags
// requests whose refusal term has passed.
func TestRule_D2_RefusalWithGroundsAndDueFlag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Terminated, time.Time{})
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Add(7 * 24 * time.Hour)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.RefusalsDue) != 1 {
			t.Fatalf("refusal due: %+v %v", rep, err)
		}
		if _, err := w.ra.Refuse(ctx, w.agent, f.Request.ID, ""); !errs.Has(err, errs.Malformed) {
			t.Fatalf("refusal without a written reason: %v", err)
		}
		if _, err := w.ra.CheckAppointment(ctx, w.agent, f.Request.ID); err != nil {
			t.Fatal(err)
		}
		req, err := w.ra.Refuse(ctx, w.agent, f.Request.ID, "El nombramiento no está vigente.")
		if err != nil || req.State != ra.StateRefused {
			t.Fatalf("refuse: %v", err)
		}
		rules := map[string]bool{}
		for _, g := range req.Data.Refusal {
			rules[g.Rule] = true
		}
		if !rules["R1"] || !rules["R2"] {
			t.Fatalf("grounds %+v", req.Data.Refusal)
		}
	})
}

// RULES R1: an unavailable HR source never lets a request through.
func TestRule_R1_UnavailableHRBlocksApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, _ := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w))
		w.hr.down = true
		if _, _, err := w.ra.Approve(ctx, w.agent, f.Request.ID); !errs.Has(err, errs.PolicyRefused) || !strings.Contains(err.Error(), "R1") {
			t.Fatalf("approve with HR down: %v", err)
		}
		w.hr.down = false
		if _, _, err := w.ra.Approve(ctx, w.agent, f.Request.ID); err != nil {
			t.Fatalf("approve with HR back: %v", err)
		}
	})
}

// RULES R11: the agent cancels with a written reason; credentials die with it.
func TestRule_R11_CancelWithReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id, secrets := approved(t, w, maria)
		if _, err := w.ra.Cancel(ctx, w.agent, id, " "); !errs.Has(err, errs.Malformed) {
			t.Fatalf("cancel without reason: %v", err)
		}
		if _, err := w.ra.Cancel(ctx, w.agent, id, "El solicitante desistió."); err != nil {
			t.Fatal(err)
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, secrets.ESTUser, secrets.ESTPassword, csrPEM(t, key, pkix.Name{})); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("credential of a cancelled request: %v", err)
		}
	})
}

// The appointment monitor: on leave -> suspended, reinstated -> lifted,
// terminated -> revoked (ARCHITECTURE "Life after issue"; RULES S1, S2).
func TestAppointmentMonitor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		certID := issued(t, w)
		step := func(st appointment.Status, want string) {
			t.Helper()
			w.hr.set(maria.CURP, st, time.Time{})
			e.Clock.Add(25 * time.Hour)
			if _, err := w.ra.RunMonitor(ctx, ra.System("appointment-monitor"), 100); err != nil {
				t.Fatal(err)
			}
			c, _ := e.Store.Certificate(ctx, certID)
			if c.Status != want {
				t.Fatalf("HR %s: certificate %s, want %s", st, c.Status, want)
			}
		}
		step(appointment.Active, store.CertValid)
		step(appointment.OnLeave, store.CertSuspended)
		w.hr.down = true
		e.Clock.Add(25 * time.Hour)
		if rep, _ := w.ra.RunMonitor(ctx, ra.System("appointment-monitor"), 100); rep.Unavailable != 1 {
			t.Fatalf("unavailable HR: %+v", rep)
		}
		w.hr.down = false
		step(appointment.Active, store.CertValid)
		step(appointment.Terminated, store.CertRevoked)
		c, _ := e.Store.Certificate(ctx, certID)
		if c.RevocationReason.Int64 != 3 { // affiliationChanged
			t.Fatalf("reason code %d", c.RevocationReason.Int64)
		}
	})
}

// Folios are gap-free per organisation, year and kind, even when a filing fails.
func TestFoliosAreGapFree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		var got []string
		for i := 0; i < 3; i++ {
			f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, f.Request.Folio)
			// a filing that fails inside its transaction gives its number back
			if _, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance",
				Person: store.PersonData{GivenNames: "X", FirstSurname: "Y", Email: "not-an-address"}}); err == nil {
				t.Fatal("a filing with a bad e-mail address was accepted")
			}
		}
		want := []string{"SEP-JAL-SOL-2026-000001", "SEP-JAL-SOL-2026-000002", "SEP-JAL-SOL-2026-000003"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("folios %v", got)
		}
	})
}
