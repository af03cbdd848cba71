package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// hrKnows records in hr an active appointment of d (by CURP, else DNI) in
// org with position title, started in 2020, ending on end (zero: open).
func hrKnows(hr *fakeHR, org string, d store.PersonData, title string, end time.Time) {
	kind, id := "CURP", d.CURP
	if id == "" {
		kind, id = "DNI", d.DNI
	}
	hr.mu.Lock()
	defer hr.mu.Unlock()
	hr.byID[id] = appointment.Appointment{Person: appointment.PersonID{Kind: kind, Value: id}, Organisation: org,
		Position: title, Status: appointment.Active, Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), End: end}
}

// deskConfirm is every in-person item of the built-in policies, seen and
// confirmed at the desk.
func deskConfirm(now time.Time) ra.Confirm {
	yes := true
	return ra.Confirm{IDDocument: &policies.IDDocument{Kind: "INE", Number: "IDMEX1234567890"},
		Documents:  map[string]time.Time{"APPOINTMENT_LETTER": now.AddDate(0, -2, 0)},
		Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"}, InPerson: &yes, Agreement: &yes}
}

// deskIssue is a compliant operator issuance for d in org: HR knows d as
// active there, and every in-person item is confirmed.
func deskIssue(t testing.TB, r *ra.RA, hr *fakeHR, now time.Time, org string, d store.PersonData, title string, csr []byte) (*ra.OperatorIssued, error) {
	t.Helper()
	hrKnows(hr, org, d, title, time.Time{})
	c := deskConfirm(now)
	if d.DNI != "" { // Peru: the DNI card and its issue date (RULES R2, R3)
		c.IDDocument = &policies.IDDocument{Kind: "DNI_CARD", Number: d.DNI}
		c.DNIIssueDate = now.AddDate(-3, 0, 0).Format("2006-01-02")
	}
	return r.IssueForPerson(ctx, ra.CLI("test"), ra.OperatorIssuance{OrgCode: org, Person: d, Title: title, Confirm: c, CSR: csr})
}

func newCSR(t testing.TB) []byte {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return csrPEM(t, key, pkix.Name{CommonName: "ignored"})
}

// refusedFor checks that err is a policy refusal listing rule among its
// subproblems and that no certificate was issued.
func refusedFor(t *testing.T, e *storetest.Env, err error, rule string) {
	t.Helper()
	var fe *errs.Error
	if !errs.Has(err, errs.PolicyRefused) || !errors.As(err, &fe) ||
		!slices.ContainsFunc(fe.Subproblems, func(s errs.Subproblem) bool { return s.Rule == rule }) {
		t.Fatalf("got %v, want a policy refusal with a %s subproblem", err, rule)
	}
	if n := countCerts(t, e.Store); n != 0 {
		t.Fatalf("%d certificates issued on a refusal", n)
	}
}

// RULES R1: with no HR source for the policy, operator issuance cannot
// verify the appointment and issues nothing.
func TestRule_R1_OperatorIssuanceWithoutHRIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWFWith(t, e, func(c *ra.Config) { c.Appointments = nil })
		_, err := w.ra.IssueForPerson(ctx, ra.CLI("test"), ra.OperatorIssuance{OrgCode: "SEP-JAL", Person: juan,
			Title: "Jefe de Departamento", Confirm: deskConfirm(e.Clock.Now()), CSR: newCSR(t)})
		refusedFor(t, e, err, "R1")
	})
}

// RULES R1, R2, R7, R8: the operator's word is not enough; the in-person
// items the policy lists must be confirmed.
func TestRule_R1_OperatorIssuanceNeedsInPersonItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		hrKnows(w.hr, "SEP-JAL", juan, "Jefe de Departamento", time.Time{})
		_, err := w.ra.IssueForPerson(ctx, ra.CLI("test"), ra.OperatorIssuance{OrgCode: "SEP-JAL", Person: juan,
			Title: "Jefe de Departamento", CSR: newCSR(t)})
		for _, rule := range []string{"R2", "R7", "R8"} {
			refusedFor(t, e, err, rule)
		}
	})
}

// RULES P2: an appointment that ended gives no certificate.
func TestRule_P2_OperatorIssuanceAfterTheAppointmentEndedIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		y, m, d := e.Clock.Now().AddDate(0, 0, -10).Date()
		hrKnows(w.hr, "SEP-JAL", juan, "Jefe de Departamento", time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
		_, err := w.ra.IssueForPerson(ctx, ra.CLI("test"), ra.OperatorIssuance{OrgCode: "SEP-JAL", Person: juan,
			Title: "Jefe de Departamento", Confirm: deskConfirm(e.Clock.Now()), CSR: newCSR(t)})
		// The engine states it as R1's "appointment.ended" (no current
		// appointment); P2 is why no validity is left.
		refusedFor(t, e, err, "R1")
		if !strings.Contains(err.Error(), "stays in review") {
			t.Errorf("%v does not say the request stays in review", err)
		}
	})
}

// RULES P2: a compliant operator issuance goes through the request
// workflow; the certificate ends no later than the appointment's last day
// (its end in the jurisdiction's zone).
func TestRule_P2_OperatorIssuanceBoundedByTheAppointment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		mx, _ := time.LoadLocation("America/Mexico_City")
		y, m, d := e.Clock.Now().In(mx).AddDate(0, 3, 0).Date()
		lastDay := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		hrKnows(w.hr, "SEP-JAL", juan, "Jefe de Departamento", lastDay)
		iss, err := w.ra.IssueForPerson(ctx, ra.CLI("test"), ra.OperatorIssuance{OrgCode: "SEP-JAL", Person: juan,
			Title: "Jefe de Departamento", Confirm: deskConfirm(e.Clock.Now()), CSR: newCSR(t)})
		if err != nil {
			t.Fatal(err)
		}
		endOfDay := time.Date(y, m, d+1, 0, 0, 0, 0, mx)
		if iss.Cert.NotAfter.After(endOfDay) || iss.Cert.NotAfter.Before(endOfDay.Add(-time.Minute)) {
			t.Errorf("notAfter %s, want the end of %s in Mexico City (%s)", iss.Cert.NotAfter, lastDay.Format("2006-01-02"), endOfDay.UTC())
		}
		if iss.Request == nil || iss.Request.State != ra.StateCertificateIssued || iss.Request.Channel != ra.ChannelInPerson ||
			!iss.Request.CertificateID.Valid || iss.Request.CertificateID.Int64 != iss.Record.ID {
			t.Errorf("request %+v does not carry the certificate", iss.Request)
		}
		if got := mailTemplates(t, e.Store); slices.Contains(got, "approval_credential") {
			t.Errorf("mails %v: operator issuance sent a credential it does not use", got)
		}
	})
}

// RULES R4 (Tijuana art. 10-II): the RFC is mandatory in Tijuana.
func TestRule_R4_OperatorIssuanceTijuanaWithoutRFCIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		org := &store.Organisation{Code: "SIND-TIJ", Name: "Sindicatura de Tijuana", PolicyID: "tijuana"}
		if err := e.Store.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, org) }); err != nil {
			t.Fatal(err)
		}
		juanT := store.PersonData{GivenNames: "Juan", FirstSurname: "Hernández", SecondSurname: "Gómez", CURP: "HEGJ790704HBCRRN01", Email: "juan.hernandez@tijuana.gob.mx"}
		_, err := deskIssue(t, w.ra, w.hr, e.Clock.Now(), "SIND-TIJ", juanT, "Síndico", newCSR(t))
		refusedFor(t, e, err, "R4")
	})
}
