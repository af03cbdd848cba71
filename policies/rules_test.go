package policies

import (
	"testing"
	"time"
)

// A Jalisco enrollment that meets every rule, for the rule-named tests below.
func jaliscoOK() Enrollment {
	return Enrollment{Reason: "first_issuance", CURP: "LOHM800101MJCPRR06", Email: "maria.lopez@jalisco.gob.mx",
		Appointment: &AppointmentFacts{State: AppointmentFound, Status: "active", Start: now.AddDate(-2, 0, 0)},
		IDDocument:  &IDDocument{Kind: "INE", Number: "IDMEX123"},
		Documents:   map[string]time.Time{"APPOINTMENT_LETTER": now.AddDate(0, -1, 0)},
		Biometrics:  []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"}, InPerson: true, AgreementSigned: true,
		FiledAt: now.Add(-time.Hour)}
}

// RULES R2: only the official photo IDs the policy lists are accepted, and
// the ID must be recorded (kind and number).
func TestRule_R2_OnlyAcceptedOfficialIDs(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	if d := p.Evaluate(jaliscoOK(), now); !d.Approvable() {
		t.Fatalf("valid enrollment refused: %+v", d.Unmet)
	}
	for kind, ok := range map[string]bool{"INE": true, "PASSPORT": true, "DRIVING_LICENSE": true, "MILITARY_CARD": false, "DNI_CARD": false} {
		e := jaliscoOK()
		e.IDDocument.Kind = kind
		if got := p.Evaluate(e, now).Approvable(); got != ok {
			t.Errorf("%s accepted = %v, want %v", kind, got, ok)
		}
	}
	e := jaliscoOK()
	e.IDDocument.Number = " "
	if d := p.Evaluate(e, now); d.Approvable() || d.Rules()[0] != "R2" {
		t.Fatalf("ID without number: %+v", d.Unmet)
	}
}

// RULES R6: the applicant appears in person and the agent confirms it; it
// is on the agent's checklist.
func TestRule_R6_InPersonAppearance(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	e := jaliscoOK()
	e.InPerson = false
	d := p.Evaluate(e, now)
	if len(d.Rules()) != 1 || d.Rules()[0] != "R6" {
		t.Fatalf("rules %v", d.Rules())
	}
	found := false
	for _, f := range p.Evaluate(jaliscoOK(), now).Checklist {
		found = found || (f.Rule == "R6" && f.InPerson)
	}
	if !found {
		t.Fatal("in-person appearance is not on the agent's checklist")
	}
}

// RULES S5: Cajamarca's cancellation reasons are in its catalogue, each
// mapped to an RFC 5280 reason code.
func TestRule_S5_PeruvianCancellationReasons(t *testing.T) {
	p := mustPolicy(t, "cajamarca")
	if len(p.StatusCodes.Revocation) < 6 {
		t.Fatalf("only %d cancellation reasons", len(p.StatusCodes.Revocation))
	}
	for _, r := range p.StatusCodes.Revocation {
		if _, ok := CRLReasons[r.RFC5280]; !ok || r.ES == "" {
			t.Errorf("reason %s: code %q, text %q", r.ID, r.RFC5280, r.ES)
		}
	}
	if _, group, ok := p.StatusReason(p.StatusCodes.Revocation[0].ID); !ok || group != "revocation" {
		t.Fatal("StatusReason does not find the catalogue entry")
	}
}
