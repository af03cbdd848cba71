package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// hrSays sets what HR answers for p: an active appointment at org as
// position ("" when HR records none).
func (w *wf) hrSays(p store.PersonData, org, position string) {
	w.hr.mu.Lock()
	defer w.hr.mu.Unlock()
	w.hr.byID[p.CURP] = appointment.Appointment{Person: appointment.PersonID{Kind: "CURP", Value: p.CURP}, Organisation: org,
		Position: position, Status: appointment.Active, Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// filedWithTitle files a SEP-JAL request in person for p with a typed
// title and confirms every in-person item.
func filedWithTitle(t *testing.T, w *wf, p store.PersonData, title string) int64 {
	t.Helper()
	f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: p, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w)); err != nil {
		t.Fatal(err)
	}
	return f.Request.ID
}

// subjectTitle is the title attribute (2.5.4.12) of a certificate's subject.
func subjectTitle(c *x509.Certificate) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 12}) {
			return fmt.Sprint(n.Value)
		}
	}
	return ""
}

func issueFor(t *testing.T, w *wf, actor ra.Actor, id int64) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iss, err := w.ra.IssueInPerson(ctx, actor, id, csrPEM(t, key, pkix.Name{}))
	if err != nil {
		t.Fatal(err)
	}
	return iss.Cert
}

// RULES R1: the appointment HR confirms must be in the organisation the
// request is filed with. A SEP-JAL agent certified a person whom HR lists
// at the Secretaría de Salud.
func TestRule_R1_AppointmentElsewhereIsAnUnmetRequirement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hrSays(maria, "Secretaría de Salud", "Analista")
		id := filedWithTitle(t, w, maria, "Directora General")
		_, _, err := w.ra.Approve(ctx, w.agent, id)
		var te *errs.Error
		if !errs.Has(err, errs.PolicyRefused) || !errors.As(err, &te) || !slices.ContainsFunc(te.Subproblems, func(s errs.Subproblem) bool { return s.Rule == "R1" }) {
			t.Fatalf("approve an appointment at another organisation: %v", err)
		}
		// A refused approval records nothing; the check records HR's answer.
		if _, err := w.ra.CheckAppointment(ctx, w.agent, id); err != nil {
			t.Fatal(err)
		}
		_, dec, err := w.ra.Evaluation(ctx, w.agent, id)
		if err != nil || !slices.ContainsFunc(dec.Unmet, func(f policies.Finding) bool { return f.Rule == "R1" && f.Code == "appointment.other_organisation" }) {
			t.Fatalf("evaluation: %+v %v", dec.Unmet, err)
		}
		// The same organisation as HR writes it: its name in capitals and
		// without accents, its code, its name without the jurisdiction.
		for _, org := range []string{"SECRETARIA DE EDUCACION JALISCO", "SEP-JAL", "Secretaría de Educación"} {
			w.hrSays(maria, org, "Analista")
			if _, err := w.ra.CheckAppointment(ctx, w.agent, id); err != nil {
				t.Fatal(err)
			}
			if _, dec, _ := w.ra.Evaluation(ctx, w.agent, id); !dec.Approvable() {
				t.Errorf("HR's %q is the filing organisation: unmet %+v", org, dec.Unmet)
			}
		}
		// Another organisation that shares the first words is not it.
		w.hrSays(maria, "Secretaría de Educación Pública Federal de Chiapas", "Analista")
		if _, err := w.ra.CheckAppointment(ctx, w.agent, id); err != nil {
			t.Fatal(err)
		}
		if _, dec, _ := w.ra.Evaluation(ctx, w.agent, id); dec.Approvable() {
			t.Error("an appointment at another organisation whose name starts alike is approvable")
		}
	})
}

// RULES P1: the position the certificate states is HR's, not a title typed
// in the filing.
func TestRule_P1_PositionInTheSubjectIsHRs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hrSays(maria, "Secretaría de Educación Jalisco", "Analista")
		id := filedWithTitle(t, w, maria, "Directora General")
		req, secrets, err := w.ra.Approve(ctx, w.agent, id)
		if err != nil || secrets == nil || req.Data.Title != "Analista" {
			t.Fatalf("approve: title %q, credential %v, %v", req.Data.Title, secrets != nil, err)
		}
		if got := subjectTitle(issueFor(t, w, w.agent, id)); got != "Analista" {
			t.Fatalf("the certificate states the post %q, want HR's \"Analista\"", got)
		}
	})
}

// RULES P1: where HR records no position, the title typed for the
// certificate takes a second agent's approval, even under a policy without
// four-eyes.
func TestRule_P1_TitleWithoutHRPositionNeedsASecondAgent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hrSays(maria, "Secretaría de Educación Jalisco", "")
		id := filedWithTitle(t, w, maria, "Directora General")
		req, secrets, err := w.ra.Approve(ctx, w.agent, id)
		if err != nil || secrets != nil || req.State != ra.StateInReview || !req.ApprovedBy.Valid {
			t.Fatalf("first approval: %+v credential %v, %v", req, secrets != nil, err)
		}
		if _, _, err := w.ra.Approve(ctx, w.agent, id); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("the same agent approves twice: %v", err)
		}
		second := ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, w.org.ID), Role: store.RoleAgent, OrgID: w.org.ID}
		req, secrets, err = w.ra.Approve(ctx, second, id)
		if err != nil || secrets == nil || req.State != ra.StateCredentialIssued || req.SecondApprovedBy.Int64 != second.AgentID {
			t.Fatalf("second approval: %+v credential %v, %v", req, secrets != nil, err)
		}
		if got := subjectTitle(issueFor(t, w, w.agent, id)); got != "Directora General" {
			t.Fatalf("the certificate states %q", got)
		}

		// With HR's position, one agent is enough (the policy asks no
		// four-eyes).
		ana := store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUXA900215MJCZXN06", Email: "ana.ruiz@jalisco.gob.mx"}
		w.hrSays(ana, "Secretaría de Educación Jalisco", "Jefa de Departamento")
		id = filedWithTitle(t, w, ana, "Directora General")
		if req, secrets, err := w.ra.Approve(ctx, w.agent, id); err != nil || secrets == nil || req.State != ra.StateCredentialIssued {
			t.Fatalf("approval with HR's position: %+v %v", req, err)
		}
	})
}
