package policies

import (
	"strings"
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
		if kind == "DRIVING_LICENSE" {
			e.IDDocument.Issuer = "MX-JAL" // the seed: "expedida por el Estado de Jalisco"
		}
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

// RULES R2, Jalisco (seeds/000, Requisitos II and Procedimiento 1): a driving
// licence counts only when "expedida por el Estado de Jalisco". The issuer is
// recorded with the ID and the policy restricts it; other kinds and other
// jurisdictions take any issuer.
func TestRule_R2_JaliscoAcceptsOnlyItsOwnDrivingLicence(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	for issuer, code := range map[string]string{"MX-JAL": "", "mx-jal ": "", "MX-NLE": "id.issuer_not_accepted", "": "id.issuer_missing"} {
		e := jaliscoOK()
		e.IDDocument = &IDDocument{Kind: "DRIVING_LICENSE", Number: "L123", Issuer: issuer}
		d := p.Evaluate(e, now)
		got := ""
		for _, f := range d.Unmet {
			got = f.Code
			if f.Rule != "R2" {
				t.Errorf("issuer %q: rule %s", issuer, f.Rule)
			}
		}
		if got != code || len(d.Unmet) > 1 {
			t.Errorf("issuer %q: unmet %+v, want %q", issuer, d.Unmet, code)
		}
	}
	e := jaliscoOK()
	e.IDDocument.Issuer = "MX" // a voter card is federal: no restriction
	if d := p.Evaluate(e, now); !d.Approvable() {
		t.Errorf("INE refused: %+v", d.Unmet)
	}
	tj := mustPolicy(t, "tijuana")
	if _, restricted := tj.IDDocuments.Issuers["DRIVING_LICENSE"]; restricted {
		t.Error("tijuana restricts the driving licence's issuer, which its seed does not")
	}
}

// RULES R2: the issuer restriction is checked at load.
func TestRule_R2_IDIssuersAreCheckedAtLoad(t *testing.T) {
	for _, bad := range []string{"DRIVING_LICENSE: [Jalisco]", "DRIVING_LICENSE: []", "MILITARY_CARD: [MX]"} {
		if err := mutate(t, "DRIVING_LICENSE: [MX-JAL]", bad); err == nil || !strings.Contains(err.Error(), "id_documents.issuers") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// RULES D1, D2: the legal basis is required and never names a file.
func TestRule_D2_LegalBasisIsAnInstrumentNotAFile(t *testing.T) {
	for _, c := range []struct{ old, new string }{
		{`refusal: "Requisitos, fracciones I a III"`, `refusal: ""`},
		{`refusal: "Requisitos, fracciones I a III"`, `refusal: "seeds/000"`},
		{`R3: "Requisitos, fracción III"`, `Q9: "x"`},
	} {
		if err := mutate(t, c.old, c.new); err == nil || !strings.Contains(err.Error(), "legal_basis") {
			t.Errorf("%s: %v", c.new, err)
		}
	}
	z := mustPolicy(t, "zacatecas")
	if got, want := z.LegalCitation(NoticeDeficiency), "Reglamento de la Ley de Firma Electrónica del Estado de Zacatecas, art. 16"; got != want {
		t.Errorf("deficiency: %q, want %q", got, want)
	}
	if got := z.LegalCitation(NoticeRefusal); !strings.HasSuffix(got, ", art. 58") {
		t.Errorf("refusal: %q", got)
	}
	if got := z.RuleCitation("R3", NoticeRefusal); got != "art. 15, fracción III" {
		t.Errorf("R3: %q", got)
	}
	if got := z.RuleCitation("R10", NoticeRefusal); got != "art. 58" {
		t.Errorf("unmapped rule: %q", got)
	}
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		for _, n := range []string{NoticeDeficiency, NoticeNotPresented, NoticeRefusal} {
			if c := p.LegalCitation(n); strings.Contains(c, "seeds") || !strings.HasPrefix(c, p.LegalBasis.Instrument+", ") {
				t.Errorf("%s %s: %q", id, n, c)
			}
		}
	}
}
