package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// orgOf adds an organisation under policy and an agent of it.
func orgOf(t *testing.T, w *wf, code, name, policy string) (*store.Organisation, ra.Actor) {
	t.Helper()
	org := &store.Organisation{Code: code, Name: name, PolicyID: policy}
	if err := w.env.Store.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, org) }); err != nil {
		t.Fatal(err)
	}
	return org, ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, w.env.Store, org.ID), Role: store.RoleAgent, OrgID: org.ID}
}

// issuedUnder issues a certificate to p under org's policy, valid until the
// end of 2026 (the certificate itself is not what these tests are about).
func issuedUnder(t *testing.T, w *wf, org *store.Organisation, p store.PersonData) int64 {
	t.Helper()
	set, _ := policies.Builtin()
	pol, err := set.Get(org.PolicyID)
	if err != nil {
		t.Fatal(err)
	}
	person := &store.Person{Data: p}
	if err := w.env.Store.InTx(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, person) }); err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iss, err := w.ra.Issue(ctx, ra.IssueRequest{Actor: "test", CSR: csrPEM(t, key, pkix.Name{CommonName: "x"}), Policy: pol,
		Org: org, Person: person, Title: "Directora de Área", NotAfter: pol.EndOfDay(time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	return iss.Record.ID
}

// mailsTo renders the queued e-mails of template sent to addr.
func mailsTo(t *testing.T, w *wf, template, addr string) []notify.Rendered {
	t.Helper()
	var out []notify.Rendered
	for _, job := range jobs(t, w.env.Store, notify.JobKind) {
		var m notify.Message
		if err := json.Unmarshal(job.Payload, &m); err != nil {
			t.Fatal(err)
		}
		if m.Template != template || m.To != addr {
			continue
		}
		r, err := notify.Render(m)
		if err != nil {
			t.Fatalf("%s: %v", template, err)
		}
		out = append(out, r)
	}
	return out
}

var (
	lima  = mustZone("America/Lima")
	rosa  = store.PersonData{GivenNames: "Rosa", FirstSurname: "Quispe", SecondSurname: "Huamán", DNI: "10117410", Email: "rosa.quispe@regioncajamarca.gob.pe"}
	cesar = store.PersonData{GivenNames: "César", FirstSurname: "Chávez", SecondSurname: "Rojas", DNI: "40123456", Email: "cesar.chavez@regioncajamarca.gob.pe"}
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// filedGRC files a Cajamarca request in person for p, with HR confirming
// the appointment and every requirement met.
func filedGRC(t *testing.T, w *wf, agent ra.Actor, p store.PersonData, reason, lang string) *ra.Request {
	t.Helper()
	w.hr.mu.Lock()
	w.hr.byID[p.DNI] = appointment.Appointment{Person: appointment.PersonID{Kind: "DNI", Value: p.DNI}, Organisation: "GRC",
		Position: "Especialista en Presupuesto", Status: appointment.Active, Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	w.hr.mu.Unlock()
	f, err := w.ra.FileInPerson(ctx, agent, ra.FileRequest{OrgCode: "GRC", Reason: reason, Person: p, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	req, err := w.ra.Confirm(ctx, agent, f.Request.ID, ra.Confirm{IDDocument: &policies.IDDocument{Kind: "DNI_CARD", Number: p.DNI},
		Biometrics: []string{"PHOTO", "HANDWRITTEN_SIGNATURE"}, DNIIssueDate: "2019-05-14"})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// RULES D5 (Cajamarca): approved tickets go to the national CA in the
// weekly batch, Fridays at 16:30 Lima time, in order of arrival; the
// applicant is told the date on which the request will be sent.
func TestRule_D5_CajamarcaWeeklyBatchInOrderOfArrival(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		e.Clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, lima)) // a Monday
		w := newWF(t, e)
		_, agent := orgOf(t, w, "GRC", "Gobierno Regional Cajamarca", "cajamarca")
		first := filedGRC(t, w, agent, rosa, "first_issuance", "es")
		e.Clock.Add(time.Hour)
		second := filedGRC(t, w, agent, cesar, "first_issuance", "en")
		batch := time.Date(2026, 11, 27, 16, 30, 0, 0, lima) // that Friday
		// Approved in the opposite order: the batch still goes by arrival.
		for _, id := range []int64{second.ID, first.ID} {
			e.Clock.Add(time.Hour)
			req, secrets, err := w.ra.Approve(ctx, agent, id)
			if err != nil || req.State != ra.StateApproved || secrets != nil || !req.HoldUntil.Time.Equal(batch) {
				t.Fatalf("approval of %s: %v state %s hold %v, want held until %v", req.Folio, err, req.State, req.HoldUntil.Time, batch)
			}
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := w.ra.IssueInPerson(ctx, agent, first.ID, csrPEM(t, key, pkix.Name{})); !errs.Has(err, errs.WrongState) {
			t.Fatalf("issued before the batch: %v", err)
		}
		for _, c := range []struct {
			p    store.PersonData
			want string
		}{{rosa, "27 de noviembre de 2026"}, {cesar, "27 November 2026"}} {
			m := mailsTo(t, w, notify.TemplateBatchScheduled, c.p.Email)
			if len(m) != 1 || !strings.Contains(blanks.ReplaceAllString(m[0].Text, " "), c.want+", 16:30") {
				t.Fatalf("%s: batch date e-mail %+v, want one naming %s at 16:30", c.p.Email, m, c.want)
			}
		}
		e.Clock.Set(batch.Add(-time.Minute))
		if rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler")); err != nil || len(rep.HoldsReleased) != 0 {
			t.Fatalf("before the batch: %+v %v", rep, err)
		}
		e.Clock.Set(batch)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || !slices.Equal(rep.HoldsReleased, []string{first.Folio, second.Folio}) {
			t.Fatalf("at the batch: %+v %v, want %s then %s", rep, err, first.Folio, second.Folio)
		}
		for _, p := range []store.PersonData{rosa, cesar} {
			if len(mailsTo(t, w, notify.TemplateApprovalCredential, p.Email)) != 1 {
				t.Errorf("%s: no credential after the batch", p.Email)
			}
		}
	})
}

// RULES D5 (Cajamarca): "Si se solicita el certificado digital con más de
// 10 días de anticipación a su caducidad, éste se tramitará el viernes a
// los 10 días antes de su caducidad".
func TestRule_D5_CajamarcaEarlyRenewalOnTheFridayTenDaysBeforeExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		e.Clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, lima))
		w := newWF(t, e)
		grc, agent := orgOf(t, w, "GRC", "Gobierno Regional Cajamarca", "cajamarca")
		certID := issuedUnder(t, w, grc, rosa) // expires 30 December 2026, 23:59:59 Lima
		c, _ := e.Store.Certificate(ctx, certID)
		if want := time.Date(2026, 12, 30, 23, 59, 59, 0, lima); !c.NotAfter.Equal(want) {
			t.Fatalf("fixture: certificate expires %v, want %v", c.NotAfter, want)
		}
		renewal := filedGRC(t, w, agent, rosa, "renewal", "es")
		req, _, err := w.ra.Approve(ctx, agent, renewal.ID)
		// Ten days before expiry is Sunday 20 December: the batch of Friday 18.
		want := time.Date(2026, 12, 18, 16, 30, 0, 0, lima)
		if err != nil || req.State != ra.StateApproved || !req.HoldUntil.Time.Equal(want) {
			t.Fatalf("early renewal: %v state %s hold %v, want %v", err, req.State, req.HoldUntil.Time, want)
		}
		if m := mailsTo(t, w, notify.TemplateBatchScheduled, rosa.Email); len(m) != 1 || !strings.Contains(blanks.ReplaceAllString(m[0].Text, " "), "18 de diciembre de 2026, 16:30") {
			t.Fatalf("batch date e-mail %+v", m)
		}
		// The weekly batches before it leave the renewal waiting.
		for _, friday := range []time.Time{time.Date(2026, 11, 27, 16, 30, 0, 0, lima), time.Date(2026, 12, 4, 16, 30, 0, 0, lima),
			time.Date(2026, 12, 11, 16, 30, 0, 0, lima)} {
			e.Clock.Set(friday)
			if rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler")); err != nil || len(rep.HoldsReleased) != 0 {
				t.Fatalf("batch of %v: %+v %v", friday, rep, err)
			}
		}
		e.Clock.Set(want)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || !slices.Equal(rep.HoldsReleased, []string{renewal.Folio}) {
			t.Fatalf("batch of 18 December: %+v %v", rep, err)
		}
	})
}

var juanTJ = store.PersonData{GivenNames: "Juan", FirstSurname: "Hernández", SecondSurname: "Gómez", CURP: "HEGJ790704HBCRRN01",
	RFC: "HEGJ790704AB1", Email: "juan.hernandez@tijuana.gob.mx"}

// RULES S1 (Tijuana art. 41-I, 42-IV, 43): a suspension for missing
// documents does not escalate by itself (art. 43 has no such revocation
// cause). At the end of its period it stays suspended and is flagged for an
// agent's decision, audited; it is not revoked with the first reason of
// the catalogue.
func TestRule_S1_TijuanaNonEscalatingSuspensionAwaitsAnAgent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		tij, agent := orgOf(t, w, "SIAP-TIJ", "Secretaría de Administración de Tijuana", "tijuana")
		id := issuedUnder(t, w, tij, juanTJ)
		if _, err := w.ra.ChangeStatus(ctx, agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeSuspend, ReasonID: "missing_documents",
			Identifier: juanTJ.CURP, Requester: ra.ByAgent}); err != nil {
			t.Fatal(err)
		}
		c, _ := e.Store.Certificate(ctx, id)
		e.Clock.Set(c.SuspendedUntil.Time)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.Escalated) != 0 || !slices.Equal(rep.DecisionsDue, []string{c.Serial}) {
			t.Fatalf("end of the period: %+v %v", rep, err)
		}
		c, _ = e.Store.Certificate(ctx, id)
		if c.Status != store.CertSuspended || c.StatusReasonID.String != "missing_documents" || !c.DecisionDueAt.Time.Equal(e.Clock.Now()) {
			t.Fatalf("after the period: %s %s decision due %v", c.Status, c.StatusReasonID.String, c.DecisionDueAt)
		}
		if n := countAudit(t, e.Store, "cert.suspension.decision_due", store.OutcomeOK); n != 1 {
			t.Fatalf("audit: %d entries, want 1", n)
		}
		// Flagged once: the next run does nothing more.
		e.Clock.Add(24 * time.Hour)
		if rep, _ := w.ra.RunDeadlines(ctx, ra.System("scheduler")); len(rep.DecisionsDue)+len(rep.Escalated) != 0 {
			t.Fatalf("second run: %+v", rep)
		}
		// The agent decides; the flag goes with the decision.
		if _, err := w.ra.ChangeStatus(ctx, agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeLift, Identifier: juanTJ.CURP, Requester: ra.ByAgent}); err != nil {
			t.Fatal(err)
		}
		if c, _ = e.Store.Certificate(ctx, id); c.Status != store.CertValid || c.DecisionDueAt.Valid {
			t.Fatalf("after the lift: %s decision due %v", c.Status, c.DecisionDueAt)
		}
		// A suspension that escalates by itself still becomes its revocation.
		if _, err := w.ra.ChangeStatus(ctx, agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeSuspend, ReasonID: "holder_request",
			Identifier: juanTJ.CURP, Requester: ra.ByHolder}); err != nil {
			t.Fatal(err)
		}
		c, _ = e.Store.Certificate(ctx, id)
		e.Clock.Set(c.SuspendedUntil.Time)
		if rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler")); err != nil || len(rep.Escalated) != 1 {
			t.Fatalf("escalating suspension: %+v %v", rep, err)
		}
		if c, _ = e.Store.Certificate(ctx, id); c.Status != store.CertRevoked || c.StatusReasonID.String != "key_privacy_compromised" {
			t.Fatalf("escalated to %s %s", c.Status, c.StatusReasonID.String)
		}
	})
}

var carmen = store.PersonData{GivenNames: "Carmen", FirstSurname: "García", SecondSurname: "Ruiz", CURP: "GARC850315MZSRDR01", Email: "carmen.garcia@zacatecas.gob.mx"}

// RULES S2 (Zacatecas art. 66-IV): a revocation for breach of duties is
// preceded by a notice stating the cause, date and hour; the certificate
// stays valid until then, and the scheduler revokes it at that time unless
// the request was cancelled.
func TestRule_S2_ZacatecasBreachOfDutiesAfterPriorNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		e.Clock.Set(time.Date(2026, 11, 23, 10, 0, 0, 0, mustZone("America/Mexico_City"))) // a Monday
		w := newWF(t, e)
		zac, agent := orgOf(t, w, "SEFIN-ZAC", "Secretaría de Finanzas Zacatecas", "zacatecas")
		colleague := ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, zac.ID), Role: store.RoleAgent, OrgID: zac.ID}
		id := issuedUnder(t, w, zac, carmen)
		res, err := w.ra.ChangeStatus(ctx, agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeRevoke, ReasonID: "breach_of_duties",
			Identifier: carmen.CURP, Requester: ra.ByAgent, Statement: "Uso del certificado fuera de sus atribuciones."})
		if err != nil {
			t.Fatal(err)
		}
		// Three business days later at the same hour: Thursday 26 November, 10:00.
		at := time.Date(2026, 11, 26, 10, 0, 0, 0, mustZone("America/Mexico_City"))
		if res.Change != nil || res.Request.State != "pending" || !res.Request.EffectiveAt.Time.Equal(at) {
			t.Fatalf("revoked at once, or no term: change %+v request %+v", res.Change, res.Request)
		}
		if c, _ := e.Store.Certificate(ctx, id); c.Status != store.CertValid {
			t.Fatalf("during the notice: %s", c.Status)
		}
		m := mailsTo(t, w, notify.TemplateRevocationNotice, carmen.Email)
		if len(m) != 1 {
			t.Fatalf("%d prior notices, want 1", len(m))
		}
		if text := blanks.ReplaceAllString(m[0].Text, " "); !strings.Contains(text, "26 de noviembre de 2026, 10:00") ||
			!strings.Contains(text, "Causa: Incumplimiento del titular de sus obligaciones") || !strings.Contains(text, "Zacatecas, art. 66-IV") {
			t.Fatalf("prior notice %+v", m)
		}
		if _, err := w.ra.DecideStatusRequest(ctx, colleague, res.Request.ID, true); !errs.Has(err, errs.WrongState) {
			t.Fatalf("applied before its term: %v", err)
		}
		e.Clock.Set(at.Add(-time.Minute))
		if rep, _ := w.ra.RunDeadlines(ctx, ra.System("scheduler")); len(rep.Revoked) != 0 {
			t.Fatalf("revoked before the term: %+v", rep)
		}
		e.Clock.Set(at)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.Revoked) != 1 {
			t.Fatalf("at the term: %+v %v", rep, err)
		}
		c, _ := e.Store.Certificate(ctx, id)
		if c.Status != store.CertRevoked || c.StatusReasonID.String != "breach_of_duties" || !c.RevokedAt.Time.Equal(at) {
			t.Fatalf("after the term: %s %s %v", c.Status, c.StatusReasonID.String, c.RevokedAt)
		}
		if sr, _ := e.Store.StatusRequest(ctx, res.Request.ID); sr.State != "done" {
			t.Fatalf("request %s", sr.State)
		}
		if len(mailsTo(t, w, notify.TemplateRevocation, carmen.Email)) != 1 {
			t.Error("no revocation e-mail at the term")
		}

		// A cancelled notice revokes nothing.
		other := carmen
		other.GivenNames, other.CURP, other.Email = "Lucía", "GARL900101MZSRDC05", "lucia.garcia@zacatecas.gob.mx"
		id2 := issuedUnder(t, w, zac, other)
		res2, err := w.ra.ChangeStatus(ctx, agent, ra.StatusInput{CertificateID: id2, Kind: ra.ChangeRevoke, ReasonID: "breach_of_duties",
			Identifier: other.CURP, Requester: ra.ByAgent})
		if err != nil {
			t.Fatal(err)
		}
		withdrawn := func() int {
			return strings.Count(strings.Join(mailTemplates(t, e.Store), " "), "revocation_notice_cancelled")
		}
		if withdrawn() != 0 {
			t.Fatal("a withdrawal mailed before any notice was cancelled")
		}
		if _, err := w.ra.DecideStatusRequest(ctx, agent, res2.Request.ID, false); err != nil {
			t.Fatalf("cancelling the notice: %v", err)
		}
		if withdrawn() != 1 {
			t.Fatalf("the holder was not told the notice was withdrawn: %v", mailTemplates(t, e.Store))
		}
		e.Clock.Set(res2.Request.EffectiveAt.Time.Add(time.Hour))
		if rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler")); err != nil || len(rep.Revoked) != 0 {
			t.Fatalf("after a cancelled notice: %+v %v", rep, err)
		}
		if c, _ := e.Store.Certificate(ctx, id2); c.Status != store.CertValid {
			t.Fatalf("cancelled notice, certificate %s", c.Status)
		}
	})
}

// RULES S4 (Zacatecas art. 68-I-c, 68-II): a revocation request of the
// holder or a representative states the holder's address; a
// representative's rests on an uploaded power of attorney of that holder,
// not on the word "poder" in the statement.
func TestRule_S4_RepresentativeNeedsPowerOfAttorneyAndAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id := issued(t, w)
		c, _ := e.Store.Certificate(ctx, id)
		base := ra.StatusInput{CertificateID: id, Kind: ra.ChangeRevoke, ReasonID: "key_compromise", Identifier: maria.CURP,
			Requester: ra.ByRepresentative, Statement: "Presento poder notarial.", Address: "Av. Juárez 12, Col. Centro, Guadalajara"}
		if _, err := w.ra.ChangeStatus(ctx, w.agent, base); !errs.Has(err, errs.Malformed) || !strings.Contains(err.Error(), "power-of-attorney") {
			t.Fatalf("a statement saying poder, no document: %v", err)
		}
		upload := func(enrollmentID int64, kind string) int64 {
			t.Helper()
			d, err := w.ra.Upload(ctx, w.agent, enrollmentID, ra.Upload{Kind: kind, Data: pngOf(t, 400, 600)})
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		wrongKind := upload(c.EnrollmentID.Int64, "PROOF_OF_ADDRESS")
		other := store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUXA850101MJCZXN02", Email: "ana.ruiz@jalisco.gob.mx"}
		w.hr.set(other.CURP, appointment.Active, time.Time{})
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: other})
		if err != nil {
			t.Fatal(err)
		}
		someoneElses := upload(f.Request.ID, "POWER_OF_ATTORNEY")
		for name, doc := range map[string]int64{"not a power of attorney": wrongKind, "another person's": someoneElses, "no such document": 999999} {
			in := base
			in.PowerOfAttorney = doc
			if _, err := w.ra.ChangeStatus(ctx, w.agent, in); !errs.Has(err, errs.Malformed) {
				t.Errorf("%s: %v", name, err)
			}
		}
		power := upload(c.EnrollmentID.Int64, "POWER_OF_ATTORNEY")
		noAddress := base
		noAddress.PowerOfAttorney, noAddress.Address = power, "  "
		if _, err := w.ra.ChangeStatus(ctx, w.agent, noAddress); !errs.Has(err, errs.Malformed) || !strings.Contains(err.Error(), "address") {
			t.Fatalf("no address: %v", err)
		}
		holder := base
		holder.Requester, holder.Address = ra.ByHolder, ""
		if _, err := w.ra.ChangeStatus(ctx, w.agent, holder); !errs.Has(err, errs.Malformed) {
			t.Fatalf("the holder's request without address: %v", err)
		}
		ok := base
		ok.PowerOfAttorney, ok.Statement = power, ""
		res, err := w.ra.ChangeStatus(ctx, w.agent, ok)
		if err != nil {
			t.Fatal(err)
		}
		sr, _ := e.Store.StatusRequest(ctx, res.Request.ID)
		if sr.Address != base.Address || sr.PowerOfAttorneyID.Int64 != power || sr.State != "done" {
			t.Fatalf("recorded request %+v", sr)
		}
		// The receipt the holder signs shows the address the request stated.
		pdf, err := w.ra.RevocationReceiptPDF(ctx, w.agent, id, "es")
		if err != nil {
			t.Fatal(err)
		}
		if text := pdfPlainText(t, pdf.Data); !strings.Contains(text, "Domicilio del titular") || !strings.Contains(text, "Av. Juárez 12") {
			t.Fatalf("the revocation receipt lacks the holder's address:\n%s", text)
		}
	})
}
