package policies

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

func TestBuiltinPoliciesLoad(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"jalisco"} {
		p, err := set.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Calendar() == nil {
			t.Errorf("%s: no calendar", id)
		}
	}
	// The same files load from a folder (sello init copies them there).
	files, _ := BuiltinFiles()
	dir := t.TempDir()
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	fromDir, err := LoadDir(dir)
	if err != nil || len(fromDir) != len(set) {
		t.Fatalf("LoadDir: %d policies, %v", len(fromDir), err)
	}
}

// mutate loads jalisco.yaml with one textual replacement and returns the error.
func mutate(t *testing.T, old, new string) error {
	t.Helper()
	b, err := builtin.ReadFile("jalisco.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, old) {
		t.Fatalf("jalisco.yaml has no %q", old)
	}
	_, err = Parse("jalisco.yaml", []byte(strings.Replace(s, old, new, 1)))
	return err
}

func TestBadPolicyFilesStopWithFileLineAndKey(t *testing.T) {
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"typo'd key", "in_person: true", "in_persn: true", []string{"jalisco.yaml", "in_persn"}},
		{"unknown rule", "    rule: R1\n    max_age_days", "    rule: R99\n    max_age_days", []string{"jalisco.yaml:", "documents[0].rule", "R99"}},
		{"CEL that does not compile", "conditions: []", "conditions:\n  - id: bad\n    rule: R1\n    must: appointment_status ==\n    es: x\n    en: x", []string{"conditions[0]", "does not compile"}},
		{"CEL with an unknown variable", "conditions: []", "conditions:\n  - id: bad\n    rule: R1\n    must: apointment_status == 'active'\n    es: x\n    en: x", []string{"conditions[0]", "apointment_status"}},
		{"CEL that is not boolean", "conditions: []", "conditions:\n  - id: bad\n    rule: R1\n    must: curp\n    es: x\n    en: x", []string{"conditions[0]", "want bool"}},
		{"reason mapped to a code that does not exist", "rfc5280: keyCompromise", "rfc5280: keyCompromised", []string{"jalisco.yaml:", "rfc5280", "keyCompromised"}},
		{"suspension that is not certificateHold", "      rfc5280: certificateHold\n      rule: S1\n      holder_may_request: true", "      rfc5280: keyCompromise\n      rule: S1\n      holder_may_request: true", []string{"status_reasons.suspension[0].rfc5280"}},
		{"unknown ID kind", "[INE, PASSPORT, DRIVING_LICENSE]", "[INE, PASPORT]", []string{"id_documents.accepted[1]", "PASPORT"}},
		{"validity beyond 825 days", "max_validity_days: 730", "max_validity_days: 900", []string{"certificate.max_validity_days", "F5"}},
		{"bad time zone", "America/Mexico_City", "America/Guadalajara_City", []string{"calendar.timezone"}},
		{"closing before opening", `close: "17:00"`, `close: "08:00"`, []string{"calendar.close"}},
		{"bad term end", "end: 2030-12-05", "end: 2030-13-05", []string{"term.end", "P2"}},
		{"missing Spanish text", "    es: Renovación\n", "", []string{"request_reasons[1]", "Spanish"}},
		{"serial number identifier not required", "required: [CURP]", "required: [RFC]", []string{"identifiers.required"}},
		{"prior notice on a suspension", "      rfc5280: certificateHold\n      rule: S1\n      holder_may_request: true", "      rfc5280: certificateHold\n      rule: S1\n      prior_notice_days: 3\n      holder_may_request: true", []string{"status_reasons.suspension[0].prior_notice_days", "S2"}},
		{"upper-case domain", "domains: [jalisco.gob.mx]", "domains: [Jalisco.gob.mx]", []string{"email.domains[0]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mutate(t, tc.old, tc.new)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// A LoadError carries the line of the key.
	err := mutate(t, "max_validity_days: 730", "max_validity_days: 0")
	var le *LoadError
	if !errors.As(err, &le) || le.Line == 0 {
		t.Fatalf("no line in %v", err)
	}
}

func TestDuplicatePolicyIDsRefused(t *testing.T) {
	b, _ := builtin.ReadFile("jalisco.yaml")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), b, 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "also the id of") {
		t.Fatalf("duplicate id: %v", err)
	}
}

func mustPolicy(t *testing.T, id string) *Policy {
	t.Helper()
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, err := set.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var now = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)

// RULES P2, P4: validity = min(policy maximum, appointment end, term end),
// refused when the appointment is not current.
func TestRule_P2_ValidityIsTheEarliestEnd(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	active := &AppointmentFacts{State: AppointmentFound, Status: "active", Start: now.AddDate(-1, 0, 0)}
	got, err := p.Validity(now, active)
	if err != nil || !got.Equal(now.AddDate(0, 0, 730)) {
		t.Fatalf("policy maximum: %v %v", got, err)
	}
	ending := *active
	ending.End = now.AddDate(0, 3, 0)
	if got, _ := p.Validity(now, &ending); !got.Equal(ending.End) {
		t.Fatalf("appointment end: %v", got)
	}
	late := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, _ := p.Validity(late, active); !got.Equal(p.TermEnd().Truncate(time.Second)) {
		t.Fatalf("term end: %v", got)
	}
}

func TestRule_P4_NoValidityWithoutCurrentAppointment(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	for _, a := range []*AppointmentFacts{nil,
		{State: AppointmentUnavailable},
		{State: AppointmentNotFound},
		{State: AppointmentFound, Status: "on_leave"},
		{State: AppointmentFound, Status: "active", End: now.Add(-time.Hour)},
	} {
		if _, err := p.Validity(now, a); !errs.Has(err, errs.PolicyRefused) {
			t.Errorf("%+v: %v", a, err)
		}
	}
	if _, err := p.Validity(time.Date(2030, 12, 7, 0, 0, 0, 0, time.UTC), &AppointmentFacts{State: AppointmentFound, Status: "active"}); !errs.Has(err, errs.PolicyRefused) {
		t.Errorf("after the term: %v", err)
	}
}

func TestDecisionGroundsAreWrittenInBothLanguages(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	d := p.Evaluate(Enrollment{Reason: "first_issuance", Email: "x@gmail.com"}, now)
	es, en := d.Grounds("es"), d.Grounds("en")
	if !strings.Contains(es, "[R1]") || !strings.Contains(es, "[R3] Falta la CURP.") || !strings.Contains(en, "The CURP is missing.") {
		t.Fatalf("grounds:\n%s\n%s", es, en)
	}
}
