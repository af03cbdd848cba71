package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// approved files a Jalisco request in person for p (active in HR), confirms
// every in-person item and approves it; it returns the request's id and the
// credential.
func approved(t *testing.T, w *wf, p store.PersonData) (int64, *ra.CredentialSecrets) {
	t.Helper()
	w.hr.set(p.CURP, appointment.Active, time.Time{})
	f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: p})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w)); err != nil {
		t.Fatal(err)
	}
	_, secrets, err := w.ra.Approve(ctx, w.agent, f.Request.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f.Request.ID, secrets
}

// issuedFor walks a request for p to an issued certificate and returns its id.
func issuedFor(t *testing.T, w *wf, p store.PersonData) int64 {
	t.Helper()
	id, _ := approved(t, w, p)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iss, err := w.ra.IssueInPerson(ctx, w.agent, id, csrPEM(t, key, pkix.Name{}))
	if err != nil {
		t.Fatal(err)
	}
	return iss.Record.ID
}

// issued is issuedFor María.
func issued(t *testing.T, w *wf) int64 { return issuedFor(t, w, maria) }

// RULES S1: a suspension lasts while the matter is investigated; if the
// cause persists at the end, it becomes a revocation.
func TestRule_S1_SuspensionBecomesRevocationWhenCausePersists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id := issued(t, w)
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeSuspend, ReasonID: "possible_compromise",
			Identifier: maria.CURP, Requester: ra.ByHolder}); err != nil {
			t.Fatal(err)
		}
		c, _ := e.Store.Certificate(ctx, id)
		until := c.SuspendedUntil.Time
		if !until.After(e.Clock.Now().Add(10 * 24 * time.Hour)) { // 10 business days span two weekends
			t.Fatalf("investigation ends %v", until)
		}
		e.Clock.Set(until.Add(-time.Minute))
		if rep, _ := w.ra.RunDeadlines(ctx, ra.System("scheduler")); len(rep.Escalated) != 0 {
			t.Fatal("escalated before the investigation ended")
		}
		e.Clock.Set(until)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.Escalated) != 1 {
			t.Fatalf("escalation: %+v %v", rep, err)
		}
		c, _ = e.Store.Certificate(ctx, id)
		if c.Status != store.CertRevoked || c.StatusReasonID.String != "key_compromise" || c.RevocationReason.Int64 != 1 {
			t.Fatalf("after the investigation: %s %s %d", c.Status, c.StatusReasonID.String, c.RevocationReason.Int64)
		}
	})
}

// RULES S3: expiry extinguishes a certificate (the scheduler records it);
// the holder's death is recorded by an agent with its reason.
func TestRule_S3_ExtinctionByExpiryAndDeath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id := issued(t, w)
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeExtinguish, ReasonID: "key_compromise",
			Identifier: maria.CURP, Requester: ra.ByAgent}); !errs.Has(err, errs.Malformed) {
			t.Fatalf("a revocation reason used for an extinction: %v", err)
		}
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeExtinguish, ReasonID: "death",
			Identifier: maria.CURP, Requester: ra.BySuperior, Statement: "Acta de defunción presentada por la Dirección de Personal."}); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.Store.Certificate(ctx, id); c.Status != store.CertExpired || c.StatusReasonID.String != "death" {
			t.Fatalf("after death: %s %s", c.Status, c.StatusReasonID.String)
		}

		// A second certificate simply runs out.
		id2 := issued(t, w)
		c2, _ := e.Store.Certificate(ctx, id2)
		e.Clock.Set(c2.NotAfter)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.Expired) != 1 {
			t.Fatalf("expiry: %+v %v", rep, err)
		}
		if c, _ := e.Store.Certificate(ctx, id2); c.Status != store.CertExpired || c.StatusReasonID.String != "expiry" {
			t.Fatalf("after expiry: %s %s", c.Status, c.StatusReasonID.String)
		}
	})
}

// RULES S6: every suspension, lift, revocation and extinction is entered in
// the registry with its exact date and time.
func TestRule_S6_StatusChangesRecordedWithExactTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id := issued(t, w)
		var times []time.Time
		for _, in := range []ra.StatusInput{
			{Kind: ra.ChangeSuspend, ReasonID: "possible_compromise"},
			{Kind: ra.ChangeLift},
			{Kind: ra.ChangeRevoke, ReasonID: "data_changed"},
		} {
			e.Clock.Add(1234567 * time.Microsecond)
			in.CertificateID, in.Identifier, in.Requester, in.Address = id, maria.CURP, ra.ByHolder, "Av. Juárez 12, Guadalajara"
			if _, err := w.ra.ChangeStatus(ctx, w.agent, in); err != nil {
				t.Fatal(err)
			}
			times = append(times, e.Clock.Now())
		}
		hist, err := e.Store.StatusChanges(ctx, id)
		if err != nil || len(hist) != 3 {
			t.Fatalf("history %+v %v", hist, err)
		}
		for i, h := range hist {
			if !h.At.Equal(times[i]) || h.Folio.String == "" || h.Reason == "" {
				t.Errorf("change %d: %+v, want at %v", i, h, times[i])
			}
		}
		c, _ := e.Store.Certificate(ctx, id)
		if !c.RevokedAt.Time.Equal(times[2]) || !c.StatusChangedAt.Equal(times[2]) {
			t.Fatalf("revoked at %v, status changed %v", c.RevokedAt.Time, c.StatusChangedAt)
		}
	})
}

// RULES O1: only an accredited organisation takes requests and has
// certificates issued; a suspended one does not.
func TestRule_O1_OnlyAccreditedOrganisationsAct(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		e.Store.InTx(ctx, func(tx *store.Tx) error {
			return tx.SetOrganisationStatus(ctx, w.org.ID, store.OrgSuspended, "auditoría")
		})
		if _, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria}); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("suspended organisation files: %v", err)
		}
		if _, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria}); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("online filing to a suspended organisation: %v", err)
		}
		e.Store.InTx(ctx, func(tx *store.Tx) error { return tx.SetOrganisationStatus(ctx, w.org.ID, store.OrgAccredited, "") })
		if _, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria}); err != nil {
			t.Fatal(err)
		}
	})
}

// RULES O2: an agent acts for one organisation only; an auditor reads
// everything and changes nothing.
func TestRule_O2_AgentsActForTheirOrganisationOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.FileInPerson(ctx, w.other, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria}); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("agent files for another organisation: %v", err)
		}
		auditor := ra.Actor{Kind: ra.ActorAgent, AgentID: w.other.AgentID, Role: store.RoleAuditor, OrgID: w.other.OrgID}
		if _, err := w.ra.Load(ctx, auditor, f.Request.ID); err != nil {
			t.Fatalf("auditor reads: %v", err)
		}
		if _, err := w.ra.Cancel(ctx, auditor, f.Request.ID, "x"); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("auditor acts: %v", err)
		}
		var refused int
		e.Store.DB().GetContext(ctx, &refused, "SELECT COUNT(*) FROM audit_entries WHERE outcome = 'refused'")
		if refused < 2 {
			t.Fatalf("refusals audited: %d", refused)
		}
	})
}

// RULES R1: "each branch or municipality names its own HR body": an
// organisation's own source answers for it, the policy's for the others.
func TestRule_R1_OrganisationsOwnHRSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		own := &fakeHR{byID: map[string]appointment.Appointment{}}
		own.set(maria.CURP, appointment.Terminated, time.Time{})
		set, _ := policies.Builtin()
		signer, _ := local.New(local.Config{Issuer: w.h.Issuing, Key: w.h.IssuingKey, Chain: w.h.Chain, Store: e.Store, Clock: e.Clock})
		r := ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Issuers: testIssuers(t, set, signer), Policies: set, Clock: e.Clock,
			PublicURL: "http://firma.example.gob.mx", AckSigner: ackSigner(t, w.h, e.Clock.Now()),
			Appointments: map[string]appointment.Source{"jalisco": w.hr}, OrgAppointments: map[string]appointment.Source{"SEP-JAL": own}})
		f, err := r.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		req, err := r.CheckAppointment(ctx, w.agent, f.Request.ID)
		if err != nil || req.Data.Appointment.Status != "terminated" {
			t.Fatalf("SEP-JAL's own HR: %+v %v", req.Data.Appointment, err)
		}
		f2, err := r.FileInPerson(ctx, w.other, ra.FileRequest{OrgCode: "SALUD-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		req, err = r.CheckAppointment(ctx, w.other, f2.Request.ID)
		if err != nil || req.Data.Appointment.Status != "active" {
			t.Fatalf("the policy's HR for SALUD-JAL: %+v %v", req.Data.Appointment, err)
		}
	})
}

// The appointment monitor pages through every holder due: holders whose HR
// cannot answer are retried next time and never hide the others (a batch of
// one here).
func TestMonitorUnavailableHRDoesNotStarveOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		first := issued(t, w) // María
		ana := store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUXA900215MJCZXN06", Email: "ana.ruiz@jalisco.gob.mx"}
		anaCert := issuedFor(t, w, ana)
		// HR cannot answer for María, and Ana left office.
		w.hr.mu.Lock()
		w.hr.broken = map[string]bool{maria.CURP: true}
		w.hr.mu.Unlock()
		w.hr.set(ana.CURP, appointment.Terminated, time.Time{})
		e.Clock.Add(25 * time.Hour)
		rep, err := w.ra.RunMonitor(ctx, ra.System("appointment-monitor"), 1)
		if err != nil || rep.Revoked != 1 {
			t.Fatalf("monitor: %+v %v", rep, err)
		}
		if c, _ := e.Store.Certificate(ctx, anaCert); c.Status != store.CertRevoked {
			t.Fatalf("Ana's certificate is %s", c.Status)
		}
		if c, _ := e.Store.Certificate(ctx, first); c.Status != store.CertValid {
			t.Fatalf("María's certificate is %s", c.Status)
		}
	})
}
