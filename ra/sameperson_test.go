package ra_test

import (
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

func countEnrollments(t *testing.T, e *storetest.Env) int {
	t.Helper()
	var n int
	if err := e.Store.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM enrollments"); err != nil {
		t.Fatal(err)
	}
	return n
}

// RULES R3, R9: a filing in person runs the identifier validators and the
// institutional-domain rule, like one online, before anything is stored.
func TestRule_R3_FilingInPersonValidatesIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		for what, d := range map[string]store.PersonData{
			"a malformed CURP":  {GivenNames: "Eva", FirstSurname: "Ruiz", CURP: "ABC123", Email: "eva.ruiz@jalisco.gob.mx"},
			"no CURP":           {GivenNames: "Eva", FirstSurname: "Ruiz", Email: "eva.ruiz@jalisco.gob.mx"},
			"a webmail address": {GivenNames: "Juan", FirstSurname: "Pérez", CURP: juan.CURP, Email: "eva@gmail.com"},
		} {
			for channel, file := range map[string]func() error{
				"in person": func() error {
					_, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: d, Title: "Jefe"})
					return err
				},
				"online": func() error {
					_, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: d, Title: "Jefe"})
					return err
				},
			} {
				if err := file(); !errs.Has(err, errs.Malformed) {
					t.Errorf("%s, %s: %v, want Malformed", what, channel, err)
				}
			}
		}
		if n := countEnrollments(t, e); n != 0 {
			t.Fatalf("%d requests stored", n)
		}
	})
}

// RULES R3: an identifier names one person. A filing or a new agent that
// pairs a CURP on record with another name is refused; the same name with
// other case and no accents is the same person.
func TestRule_R3_IdentifierOnRecordUnderAnotherNameIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		first, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: juan, Title: "Jefe"})
		if err != nil {
			t.Fatal(err)
		}
		luis := juan
		luis.GivenNames, luis.FirstSurname, luis.Email = "Luis", "Gómez", "luis.gomez@jalisco.gob.mx"
		if _, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: luis, Title: "Analista"}); !errs.Has(err, errs.Conflict) {
			t.Errorf("Luis Gómez with Juan Pérez's CURP, in person: %v, want Conflict", err)
		}
		if _, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: luis, Title: "Analista"}); !errs.Has(err, errs.Conflict) {
			t.Errorf("Luis Gómez with Juan Pérez's CURP, online: %v, want Conflict", err)
		}
		pedro := juan
		pedro.GivenNames, pedro.FirstSurname, pedro.Email = "Pedro", "Núñez", "pedro.nunez@jalisco.gob.mx"
		if _, err := w.ra.AddAgent(ctx, ra.CLI("test"), ra.AddAgentRequest{OrgCode: "SEP-JAL", Role: store.RoleAgent, Title: "Agente", Person: pedro}); !errs.Has(err, errs.Conflict) {
			t.Errorf("agent Pedro Núñez with Juan Pérez's CURP: %v, want Conflict", err)
		}
		same := juan
		same.GivenNames, same.FirstSurname = "JUAN", "perez"
		again, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "renewal", Person: same, Title: "Jefe"})
		if err != nil {
			t.Fatalf("the same name, case and accents aside: %v", err)
		}
		if again.Request.Person.ID != first.Request.Person.ID {
			t.Errorf("person %d, want the one on record (%d)", again.Request.Person.ID, first.Request.Person.ID)
		}
	})
}

// RULES R3: the name on a request must agree with the name HR records for
// the identifier given; a mismatch is an unmet requirement, and the
// request cannot be approved.
func TestRule_R3_NameMustMatchHR(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		hrNamed := func(d store.PersonData, name string) {
			w.hr.mu.Lock()
			defer w.hr.mu.Unlock()
			w.hr.byID[d.CURP] = appointment.Appointment{Person: appointment.PersonID{Kind: "CURP", Value: d.CURP}, Organisation: "SEP-JAL",
				Position: "Analista", Name: name, Status: appointment.Active, Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
		}
		check := func(d store.PersonData) policies.Decision {
			t.Helper()
			f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: d, Title: "Analista"})
			if err != nil {
				t.Fatal(err)
			}
			req, err := w.ra.CheckAppointment(ctx, w.agent, f.Request.ID)
			if err != nil {
				t.Fatal(err)
			}
			return *req.Data.Decision
		}
		mismatch := func(dec policies.Decision) bool {
			return slices.ContainsFunc(dec.Unmet, func(f policies.Finding) bool { return f.Rule == "R3" && f.Code == "identity.name_mismatch" })
		}
		// HR knows Juan Pérez under this CURP; the request says Luis Gómez.
		luis := store.PersonData{GivenNames: "Luis", FirstSurname: "Gómez", CURP: maria.CURP, Email: "luis.gomez@jalisco.gob.mx"}
		hrNamed(luis, "Juan Pérez")
		if dec := check(luis); !mismatch(dec) {
			t.Errorf("Luis Gómez with HR's Juan Pérez: unmet %v, want an R3 name mismatch", dec.Rules())
		}
		// Case and accents aside, the same name.
		hrNamed(juan, "JUAN PEREZ")
		if dec := check(juan); mismatch(dec) {
			t.Errorf("Juan Pérez with HR's JUAN PEREZ: unmet %v, want no name mismatch", dec.Rules())
		}
	})
}
