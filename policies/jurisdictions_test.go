package policies

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/policies/calendar"
	"github.com/sello-pki/sello/policies/validate"
)

// The five jurisdictions of RULES.md, and the file each lives in.
var fiveJurisdictions = []string{"jalisco", "zacatecas", "tijuana", "chiapas", "cajamarca"}

// Identifiers with correct check digits (RULES F1-F3), computed with the
// published algorithms and checked against policies/validate below.
const (
	curpJalisco   = "LOHM800101MJCPRR06"
	curpZacatecas = "GARC850315MZSRDR01"
	curpTijuana   = "HEGJ790704HBCRRN01"
	rfcTijuana    = "HEGJ790704AB1"
	curpChiapas   = "RAML900220MCSMPS06"
	dniCajamarca  = "10117410-2"
	badCURP       = "LOHM800101MJCPRR07" // check digit should be 6
)

func TestTestVectorsAreValidIdentifiers(t *testing.T) {
	for _, c := range []string{curpJalisco, curpZacatecas, curpTijuana, curpChiapas, "PEXJ800101HJCRXN07"} {
		if _, err := validate.ParseCURP(c); err != nil {
			t.Errorf("CURP %s: %v", c, err)
		}
	}
	if _, err := validate.ParseCURP(badCURP); validate.CodeOf(err) != "curp.check_digit" {
		t.Errorf("CURP %s: want a check digit error, got %v", badCURP, err)
	}
	for _, r := range []string{rfcTijuana, "GOAJ7101257MA"} {
		if _, warns, err := validate.ParseRFC(r); err != nil || len(warns) != 0 {
			t.Errorf("RFC %s: %v %v", r, warns, err)
		}
	}
	if d, err := validate.ParseDNI(dniCajamarca); err != nil || d.Check != "2" {
		t.Errorf("DNI %s: %+v %v", dniCajamarca, d, err)
	}
}

func TestAllFiveJurisdictionsLoad(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	files, err := BuiltinFiles()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fromDir, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Set{set, fromDir} {
		for _, id := range fiveJurisdictions {
			p, err := s.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(p.File()) != id+".yaml" {
				t.Errorf("%s loaded from %s", id, p.File())
			}
			if p.Calendar() == nil {
				t.Errorf("%s: no calendar", id)
			}
			if len(p.Sources) == 0 || !strings.HasPrefix(p.Sources[0], "seeds/") {
				t.Errorf("%s: sources %q do not cite a seed document", id, p.Sources)
			}
		}
	}
	if len(fromDir) != len(set) {
		t.Errorf("LoadDir found %d policies, Builtin %d", len(fromDir), len(set))
	}
}

// --- the walk-through -------------------------------------------------------

// mutation breaks one rule of a valid enrollment; rules and codes are the
// exact sets the decision must report (nil: still approvable).
type mutation struct {
	name  string
	mut   func(e *Enrollment)
	rules []string
	codes []string
}

func activeAppointment(org, position string) *AppointmentFacts {
	return &AppointmentFacts{State: AppointmentFound, Status: "active", Organisation: org, Position: position,
		Start: now.AddDate(-2, 0, 0)}
}

func codesOf(fs []Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func equalSets(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(sorted(a), sorted(b))
}

// walkThrough checks that base meets every rule of the policy, then that each
// mutation fails exactly the rules and codes it names.
func walkThrough(t *testing.T, id string, base func() Enrollment, muts []mutation) {
	t.Helper()
	p := mustPolicy(t, id)
	d := p.Evaluate(base(), now)
	if !d.Approvable() || len(d.Unmet) != 0 || len(d.Rules()) != 0 {
		t.Fatalf("%s: the valid enrollment is not approvable: %+v", id, d.Unmet)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("%s: unexpected warnings %+v", id, d.Warnings)
	}
	if len(d.Checklist) == 0 {
		t.Errorf("%s: empty checklist", id)
	}
	for _, m := range muts {
		t.Run(m.name, func(t *testing.T) {
			e := base()
			m.mut(&e)
			d := p.Evaluate(e, now)
			if got := d.Rules(); !equalSets(got, m.rules) {
				t.Errorf("rules %v, want %v (unmet %+v)", got, m.rules, d.Unmet)
			}
			if got := codesOf(d.Unmet); !equalSets(got, m.codes) {
				t.Errorf("codes %v, want %v", got, m.codes)
			}
			if d.Approvable() != (len(m.rules) == 0) {
				t.Errorf("Approvable() = %v with unmet %+v", d.Approvable(), d.Unmet)
			}
			for _, f := range d.Unmet {
				if f.ES == "" || f.EN == "" {
					t.Errorf("finding %s has no Spanish or English text", f.Code)
				}
			}
		})
	}
}

// appointmentMutations break RULES R1 through the HR lookup, the same way in
// every jurisdiction.
func appointmentMutations() []mutation {
	r1 := []string{"R1"}
	return []mutation{
		{"R1 appointment terminated", func(e *Enrollment) { e.Appointment.Status = "terminated" }, r1, []string{"appointment.not_active"}},
		{"R1 appointment on leave", func(e *Enrollment) { e.Appointment.Status = "on_leave" }, r1, []string{"appointment.not_active"}},
		{"R1 servant suspended", func(e *Enrollment) { e.Appointment.Status = "suspended" }, r1, []string{"appointment.not_active"}},
		{"R1 HR unavailable", func(e *Enrollment) { e.Appointment = &AppointmentFacts{State: AppointmentUnavailable} }, r1, []string{"appointment.unavailable"}},
		{"R1 HR has no record", func(e *Enrollment) { e.Appointment = &AppointmentFacts{State: AppointmentNotFound} }, r1, []string{"appointment.not_found"}},
		{"R1 appointment not checked", func(e *Enrollment) { e.Appointment = nil }, r1, []string{"appointment.unchecked"}},
		{"R1 appointment ended", func(e *Enrollment) { e.Appointment.End = now.Add(-time.Hour) }, r1, []string{"appointment.ended"}},
		{"R1 appointment not started", func(e *Enrollment) {
			e.Appointment.Start = now.Add(24 * time.Hour)
		}, r1, []string{"appointment.not_started"}},
	}
}

// commonMutations break the rules every policy has: R2, R9, R10.
func commonMutations(rejectedIDKind string) []mutation {
	return []mutation{
		{"R2 ID kind not accepted", func(e *Enrollment) { e.IDDocument.Kind = rejectedIDKind }, []string{"R2"}, []string{"id.kind_not_accepted"}},
		{"R2 ID number not recorded", func(e *Enrollment) { e.IDDocument.Number = " " }, []string{"R2"}, []string{"id.not_seen"}},
		{"R9 personal e-mail", func(e *Enrollment) { e.Email = "servidor.publico@gmail.com" }, []string{"R9"}, []string{"email.domain"}},
		{"R9 look-alike domain", func(e *Enrollment) { e.Email = "x@evil-" + e.Email[strings.IndexByte(e.Email, '@')+1:] }, []string{"R9"}, []string{"email.domain"}},
		{"R9 not an address", func(e *Enrollment) { e.Email = "" }, []string{"R9"}, []string{"email.format"}},
		{"R9 online e-mail not verified", func(e *Enrollment) { e.EmailVerified = false }, []string{"R9"}, []string{"email.unverified"}},
		{"R9 unverified e-mail is fine in person", func(e *Enrollment) { e.EmailVerified, e.Online = false, false }, nil, nil},
		{"R9 subdomain of the institution", func(e *Enrollment) { e.Email = strings.Replace(e.Email, "@", "@dependencia.", 1) }, nil, nil},
		{"R10 unknown reason", func(e *Enrollment) { e.Reason = "homologation" }, []string{"R10"}, []string{"reason.unknown"}},
		{"R10 no reason", func(e *Enrollment) { e.Reason = "" }, []string{"R10"}, []string{"reason.unknown"}},
		{"R10 renewal needs no receipt", func(e *Enrollment) { e.Reason = "renewal" }, nil, nil},
	}
}

func curpMutations() []mutation {
	return []mutation{
		{"R3 CURP bad check digit", func(e *Enrollment) { e.CURP = badCURP }, []string{"R3"}, []string{"curp.check_digit"}},
		{"R3 CURP missing", func(e *Enrollment) { e.CURP = "" }, []string{"R3"}, []string{"curp.missing"}},
		{"R3 CURP too short", func(e *Enrollment) { e.CURP = e.CURP[:17] }, []string{"R3"}, []string{"curp.length"}},
		{"R3 CURP impossible birth date", func(e *Enrollment) { e.CURP = "LOHM800231MJCPRR06" }, []string{"R3"}, []string{"curp.birth_date"}},
	}
}

func biometricMutations(kinds ...string) []mutation {
	var out []mutation
	for _, k := range kinds {
		k := k
		out = append(out, mutation{"R7 missing " + strings.ToLower(k), func(e *Enrollment) {
			var keep []string
			for _, b := range e.Biometrics {
				if b != k {
					keep = append(keep, b)
				}
			}
			e.Biometrics = keep
		}, []string{"R7"}, []string{"biometric." + strings.ToLower(k)}})
	}
	return out
}

func join(lists ...[]mutation) []mutation {
	var out []mutation
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestJurisdiction_Jalisco(t *testing.T) {
	base := func() Enrollment {
		return Enrollment{
			Reason: "first_issuance", CURP: curpJalisco, Email: "maria.lopez@jalisco.gob.mx", EmailVerified: true, Online: true,
			Appointment: activeAppointment("Secretaría de Administración", "Directora de Área"),
			IDDocument:  &IDDocument{Kind: "INE", Number: "IDMEX1234567890"},
			Documents:   map[string]time.Time{"APPOINTMENT_LETTER": now.AddDate(-2, 0, 0)},
			Biometrics:  []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"},
			InPerson:    true, AgreementSigned: true, FiledAt: now.Add(-time.Hour),
		}
	}
	walkThrough(t, "jalisco", base, join(appointmentMutations(), commonMutations("MILITARY_CARD"), curpMutations(),
		biometricMutations("PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"), []mutation{
			{"R1 appointment letter missing", func(e *Enrollment) { delete(e.Documents, "APPOINTMENT_LETTER") }, []string{"R1"}, []string{"document.missing"}},
			{"R2 ID not seen", func(e *Enrollment) { e.IDDocument = nil }, []string{"R2"}, []string{"id.not_seen"}},
			{"R2 Jalisco driving licence accepted", func(e *Enrollment) { e.IDDocument.Kind, e.IDDocument.Issuer = "DRIVING_LICENSE", "MX-JAL" }, nil, nil},
			{"R2 another state's driving licence refused", func(e *Enrollment) { e.IDDocument.Kind, e.IDDocument.Issuer = "DRIVING_LICENSE", "MX-NLE" }, []string{"R2"}, []string{"id.issuer_not_accepted"}},
			{"R2 driving licence of unrecorded issuer", func(e *Enrollment) { e.IDDocument.Kind = "DRIVING_LICENSE" }, []string{"R2"}, []string{"id.issuer_missing"}},
			{"R6 not in person", func(e *Enrollment) { e.InPerson = false }, []string{"R6"}, []string{"in_person"}},
			{"R8 agreement unsigned", func(e *Enrollment) { e.AgreementSigned = false }, []string{"R8"}, []string{"agreement"}},
			{"R8 no request form is asked", func(e *Enrollment) { e.RequestFormSigned = false }, nil, nil},
			{"R4 no RFC is asked", func(e *Enrollment) { e.RFC = "" }, nil, nil},
			{"R1 R3 R9 three rules at once", func(e *Enrollment) {
				e.Appointment.Status, e.CURP, e.Email = "terminated", "", "x@gmail.com"
			}, []string{"R1", "R3", "R9"}, []string{"appointment.not_active", "curp.missing", "email.domain"}},
		}))
}

func TestJurisdiction_Zacatecas(t *testing.T) {
	base := func() Enrollment {
		return Enrollment{
			Reason: "first_issuance", CURP: curpZacatecas, Email: "carmen.garcia@zacatecas.gob.mx", EmailVerified: true, Online: true,
			Appointment: activeAppointment("Secretaría de la Función Pública", "Jefa de Departamento"),
			IDDocument:  &IDDocument{Kind: "PROFESSIONAL_LICENSE", Number: "1234567"},
			Documents:   map[string]time.Time{},
			Biometrics:  []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"},
			InPerson:    true, RequestFormSigned: true, AgreementSigned: true, FiledAt: now.Add(-time.Hour), RENAPOConfirmed: true,
		}
	}
	walkThrough(t, "zacatecas", base, join(appointmentMutations(), commonMutations("DRIVING_LICENSE"), curpMutations(),
		biometricMutations("PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"), []mutation{
			{"R2 ID not seen", func(e *Enrollment) { e.IDDocument = nil }, []string{"R2"}, []string{"id.not_seen"}},
			{"R2 art. 15-II-a military card", func(e *Enrollment) { e.IDDocument.Kind = "MILITARY_CARD" }, nil, nil},
			{"R2 art. 15-II-e other official ID", func(e *Enrollment) { e.IDDocument.Kind = "OTHER_OFFICIAL" }, nil, nil},
			{"R6 not in person (art. 14)", func(e *Enrollment) { e.InPerson = false }, []string{"R6"}, []string{"in_person"}},
			{"R3 CURP not validated with RENAPO (art. 15-III)", func(e *Enrollment) { e.RENAPOConfirmed = false }, []string{"R3"}, []string{"curp.renapo"}},
			{"R8 request form unsigned (art. 15-I)", func(e *Enrollment) { e.RequestFormSigned = false }, []string{"R8"}, []string{"request_form"}},
			{"R8 agreement unsigned (art. 15-IV)", func(e *Enrollment) { e.AgreementSigned = false }, []string{"R8"}, []string{"agreement"}},
			{"R8 both unsigned", func(e *Enrollment) { e.RequestFormSigned, e.AgreementSigned = false, false }, []string{"R8"}, []string{"agreement", "request_form"}},
			{"R10 re-issuance after loss", func(e *Enrollment) { e.Reason = "reissue_lost_token" }, nil, nil},
			{"G3 filing dated in the future", func(e *Enrollment) { e.FiledAt = now.Add(time.Hour) }, []string{"G3"}, []string{"condition.filing_not_in_future"}},
			{"G3 filing at now", func(e *Enrollment) { e.FiledAt = now }, nil, nil},
		}))
}

func TestJurisdiction_Tijuana(t *testing.T) {
	base := func() Enrollment {
		return Enrollment{
			Reason: "first_issuance", CURP: curpTijuana, RFC: rfcTijuana, Email: "juan.hernandez@tijuana.gob.mx", EmailVerified: true, Online: true,
			Appointment: activeAppointment("Dirección de Obras e Infraestructura Urbana Municipal", "Jefe de Departamento"),
			IDDocument:  &IDDocument{Kind: "DRIVING_LICENSE", Number: "BC123456"},
			Documents: map[string]time.Time{
				"APPOINTMENT_LETTER": now.AddDate(-2, 0, 0),
				"PROOF_OF_ADDRESS":   now.AddDate(0, 0, -20),
				"CURP_PRINTOUT":      now.AddDate(-5, 0, 0),
			},
			Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"},
			InPerson:   true, RequestFormSigned: true, AgreementSigned: true, FiledAt: now.Add(-time.Hour),
		}
	}
	walkThrough(t, "tijuana", base, join(appointmentMutations(), commonMutations("DNI_CARD"), curpMutations(),
		biometricMutations("PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"), []mutation{
			{"R1 appointment letter missing (art. 30-II-a)", func(e *Enrollment) { delete(e.Documents, "APPOINTMENT_LETTER") }, []string{"R1"}, []string{"document.missing"}},
			{"R2 ID not seen", func(e *Enrollment) { e.IDDocument = nil }, []string{"R2"}, []string{"id.not_seen"}},
			{"R3 CURP printout missing (art. 30-II-d)", func(e *Enrollment) { delete(e.Documents, "CURP_PRINTOUT") }, []string{"R3"}, []string{"document.missing"}},
			{"R4 RFC missing (art. 10-II)", func(e *Enrollment) { e.RFC = "" }, []string{"R4"}, []string{"rfc.missing"}},
			{"R4 RFC impossible date", func(e *Enrollment) { e.RFC = "HEGJ790231AB1" }, []string{"R4"}, []string{"rfc.date"}},
			{"R4 RFC too short", func(e *Enrollment) { e.RFC = "HEGJ790704A" }, []string{"R4"}, []string{"rfc.length"}},
			{"R5 proof of address 120 days old (art. 30-II-b)", func(e *Enrollment) { e.Documents["PROOF_OF_ADDRESS"] = now.AddDate(0, 0, -120) }, []string{"R5"}, []string{"document.too_old"}},
			{"R5 proof of address missing", func(e *Enrollment) { delete(e.Documents, "PROOF_OF_ADDRESS") }, []string{"R5"}, []string{"document.missing"}},
			{"R6 not in person (art. 30-II)", func(e *Enrollment) { e.InPerson = false }, []string{"R6"}, []string{"in_person"}},
			{"R8 request form unsigned (art. 30-I)", func(e *Enrollment) { e.RequestFormSigned = false }, []string{"R8"}, []string{"request_form"}},
			{"R8 agreement unsigned", func(e *Enrollment) { e.AgreementSigned = false }, []string{"R8"}, []string{"agreement"}},
			{"R10 replacement after loss without receipt (art. 31)", func(e *Enrollment) { e.Reason = "reissue_lost_token" }, []string{"R10"}, []string{"payment.missing"}},
			{"R10 replacement after loss with receipt", func(e *Enrollment) { e.Reason, e.PaymentReceipt = "reissue_lost_token", "TES-2026-000123" }, nil, nil},
			{"P1 position not recorded by HR", func(e *Enrollment) { e.Appointment.Position = "" }, []string{"P1"}, []string{"condition.appointment_position_recorded"}},
			{"P1 department not recorded by HR", func(e *Enrollment) { e.Appointment.Organisation = "" }, []string{"P1"}, []string{"condition.appointment_position_recorded"}},
			{"P1 does not pile onto a terminated appointment", func(e *Enrollment) { e.Appointment.Status, e.Appointment.Position = "terminated", "" },
				[]string{"R1"}, []string{"appointment.not_active"}},
		}))
}

func TestJurisdiction_Chiapas(t *testing.T) {
	base := func() Enrollment {
		return Enrollment{
			Reason: "first_issuance", CURP: curpChiapas, Email: "luisa.ramos@chiapas.gob.mx", EmailVerified: true, Online: true,
			Appointment: activeAppointment("Instituto de Ciencia, Tecnología e Innovación", "Analista"),
			IDDocument:  &IDDocument{Kind: "PASSPORT", Number: "G12345678"},
			Documents: map[string]time.Time{
				"PROOF_OF_ADDRESS":   now.AddDate(0, 0, -40),
				"APPOINTMENT_LETTER": now.AddDate(0, 0, -10),
				"CURP_PRINTOUT":      now.AddDate(-1, 0, 0),
			},
			Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"},
			InPerson:   true, AgreementSigned: true, FiledAt: now.Add(-time.Hour),
		}
	}
	walkThrough(t, "chiapas", base, join(appointmentMutations(), commonMutations("DRIVING_LICENSE"), curpMutations(),
		biometricMutations("PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"), []mutation{
			{"R1 active-service letter missing", func(e *Enrollment) { delete(e.Documents, "APPOINTMENT_LETTER") }, []string{"R1"}, []string{"document.missing"}},
			{"R1 active-service letter 31 days old", func(e *Enrollment) { e.Documents["APPOINTMENT_LETTER"] = now.AddDate(0, 0, -31) }, []string{"R1"}, []string{"document.too_old"}},
			{"R1 active-service letter predates the appointment", func(e *Enrollment) { e.Appointment.Start = now.AddDate(0, 0, -5) },
				[]string{"R1"}, []string{"condition.active_service_letter_after_start"}},
			{"R2 ID not seen", func(e *Enrollment) { e.IDDocument = nil }, []string{"R2"}, []string{"id.not_seen"}},
			{"R3 CURP printout missing", func(e *Enrollment) { delete(e.Documents, "CURP_PRINTOUT") }, []string{"R3"}, []string{"document.missing"}},
			{"R3 the manual's sample CURP fails its check digit", func(e *Enrollment) { e.CURP = "MALL970412MDFLNS07" }, []string{"R3"}, []string{"curp.check_digit"}},
			{"R4 no RFC is asked", func(e *Enrollment) { e.RFC = "" }, nil, nil},
			{"R5 proof of address 120 days old", func(e *Enrollment) { e.Documents["PROOF_OF_ADDRESS"] = now.AddDate(0, 0, -120) }, []string{"R5"}, []string{"document.too_old"}},
			{"R5 proof of address missing", func(e *Enrollment) { delete(e.Documents, "PROOF_OF_ADDRESS") }, []string{"R5"}, []string{"document.missing"}},
			{"R6 not in person", func(e *Enrollment) { e.InPerson = false }, []string{"R6"}, []string{"in_person"}},
			{"R8 acceptance form unsigned", func(e *Enrollment) { e.AgreementSigned = false }, []string{"R8"}, []string{"agreement"}},
			{"R8 no paper request form is asked", func(e *Enrollment) { e.RequestFormSigned = false }, nil, nil},
		}))
}

func TestJurisdiction_Cajamarca(t *testing.T) {
	base := func() Enrollment {
		return Enrollment{
			Reason: "first_issuance", DNI: dniCajamarca, Email: "rosa.quispe@regioncajamarca.gob.pe", EmailVerified: true, Online: true,
			Appointment:  activeAppointment("Gerencia Regional de Infraestructura", "Especialista en Presupuesto"),
			IDDocument:   &IDDocument{Kind: "DNI_CARD", Number: "10117410"},
			Documents:    map[string]time.Time{},
			Biometrics:   []string{"PHOTO", "HANDWRITTEN_SIGNATURE"},
			FiledAt:      now.Add(-time.Hour),
			DNIIssueDate: "2019-05-10",
		}
	}
	paid := func(reason string) func(e *Enrollment) {
		return func(e *Enrollment) { e.Reason, e.PaymentReceipt = reason, "BN-00529-778899" }
	}
	unpaid := func(reason string) func(e *Enrollment) { return func(e *Enrollment) { e.Reason = reason } }
	walkThrough(t, "cajamarca", base, join(appointmentMutations(), commonMutations("INE"),
		biometricMutations("PHOTO", "HANDWRITTEN_SIGNATURE"), []mutation{
			{"R3 DNI issue date not recorded", func(e *Enrollment) { e.DNIIssueDate = "" }, []string{"R3"}, []string{"dni.issue_date"}},
			{"R2 DNI card not seen (its issue date is a separate R3 item)", func(e *Enrollment) { e.IDDocument = nil },
				[]string{"R2"}, []string{"id.not_seen"}},
			{"R3 DNI missing", func(e *Enrollment) { e.DNI = "" }, []string{"R3"}, []string{"dni.missing"}},
			{"R3 DNI wrong verification digit", func(e *Enrollment) { e.DNI = "10117410-3" }, []string{"R3"}, []string{"dni.check_digit"}},
			{"R3 DNI with a leading zero dropped", func(e *Enrollment) { e.DNI = "1011741" }, []string{"R3"}, []string{"dni.length"}},
			{"R3 DNI without verification digit", func(e *Enrollment) { e.DNI = "10117410" }, nil, nil},
			{"R3 DNI with the old-card letter", func(e *Enrollment) { e.DNI = "10117410-G" }, nil, nil},
			{"R3 no CURP is asked in Peru", func(e *Enrollment) { e.CURP = "" }, nil, nil},
			{"R6 not in person is fine (online tickets)", func(e *Enrollment) { e.InPerson = false }, nil, nil},
			{"R7 fingerprints are not asked", func(e *Enrollment) { e.Biometrics = []string{"PHOTO", "HANDWRITTEN_SIGNATURE"} }, nil, nil},
			{"R8 no form or agreement is asked", func(e *Enrollment) { e.RequestFormSigned, e.AgreementSigned = false, false }, nil, nil},
			{"R10 own token without receipt", unpaid("own_token"), []string{"R10"}, []string{"payment.missing"}},
			{"R10 forgotten password without receipt", unpaid("reissue_forgotten_password"), []string{"R10"}, []string{"payment.missing"}},
			{"R10 download lapsed without receipt", unpaid("download_expired"), []string{"R10"}, []string{"payment.missing"}},
			{"R10 blank receipt", func(e *Enrollment) { e.Reason, e.PaymentReceipt = "own_token", "   " }, []string{"R10"}, []string{"payment.missing"}},
			{"R10 own token with receipt", paid("own_token"), nil, nil},
			{"R10 forgotten password with receipt", paid("reissue_forgotten_password"), nil, nil},
			{"R10 download lapsed with receipt", paid("download_expired"), nil, nil},
			{"R10 GRC-owned device needs no receipt", unpaid("reissue_lost_token"), nil, nil},
			{"R1 HR did not report the start date", func(e *Enrollment) { e.Appointment.Start = time.Time{} },
				[]string{"R1"}, []string{"condition.appointment_start_recorded"}},
		}))
}

// --- rules across the jurisdictions ------------------------------------------

func TestRule_R1_AppointmentCheckedWithEachHRBody(t *testing.T) {
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		if !p.Appointment.Required || p.Appointment.HRBody == "" || p.Appointment.MonitorInterval != "24h" {
			t.Errorf("%s: appointment %+v", id, p.Appointment)
		}
		// The refusal names the HR body, so the applicant knows whom to ask.
		d := p.Evaluate(Enrollment{Reason: "first_issuance", Appointment: &AppointmentFacts{State: AppointmentNotFound}}, now)
		found := false
		for _, f := range d.Unmet {
			if f.Code == "appointment.not_found" && strings.Contains(f.ES, p.Appointment.HRBody) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no appointment.not_found finding naming %q: %+v", id, p.Appointment.HRBody, d.Unmet)
		}
	}
}

func TestRule_R3_IdentifierInTheSerialNumber(t *testing.T) {
	want := map[string]string{"jalisco": "PNOMX-" + curpJalisco, "zacatecas": "PNOMX-" + curpZacatecas,
		"tijuana": "PNOMX-" + curpTijuana, "chiapas": "PNOMX-" + curpChiapas, "cajamarca": "PNOPE-10117410"}
	values := map[string]string{"jalisco": curpJalisco, "zacatecas": curpZacatecas, "tijuana": curpTijuana,
		"chiapas": curpChiapas, "cajamarca": "10117410"}
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		if got := p.SerialNumber(values[id]); got != want[id] {
			t.Errorf("%s: serialNumber %s, want %s", id, got, want[id])
		}
	}
	if k := mustPolicy(t, "cajamarca").IdentifierKind(); k != "DNI" {
		t.Errorf("cajamarca carries %s", k)
	}
	z := mustPolicy(t, "zacatecas")
	if !z.Identifiers.RENAPO {
		t.Error("zacatecas: art. 15-III asks for RENAPO validation")
	}
	// Only Zacatecas asks the agent to validate the CURP with RENAPO.
	for _, id := range fiveJurisdictions {
		d := mustPolicy(t, id).Evaluate(Enrollment{}, now)
		has := false
		for _, f := range d.Checklist {
			has = has || f.Code == "curp.renapo"
		}
		if has != (id == "zacatecas") {
			t.Errorf("%s: RENAPO checklist item present = %v", id, has)
		}
	}
}

func TestRule_R4_RFCCheckDigitIsAWarningInTijuana(t *testing.T) {
	p := mustPolicy(t, "tijuana")
	if p.Identifiers.RFCCheckDigit != "warn" {
		t.Fatalf("rfc_check_digit %q", p.Identifiers.RFCCheckDigit)
	}
	e := Enrollment{
		Reason: "renewal", CURP: curpTijuana, RFC: "HEGJ790704AB2", Email: "j@tijuana.gob.mx", EmailVerified: true,
		Appointment: activeAppointment("Oficialía Mayor", "Auxiliar"), IDDocument: &IDDocument{Kind: "INE", Number: "1"},
		Documents:  map[string]time.Time{"APPOINTMENT_LETTER": now, "PROOF_OF_ADDRESS": now, "CURP_PRINTOUT": now},
		Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"}, InPerson: true, RequestFormSigned: true, AgreementSigned: true,
	}
	d := p.Evaluate(e, now)
	if !d.Approvable() {
		t.Fatalf("a bad RFC check digit refused the request: %+v", d.Unmet)
	}
	if len(d.Warnings) != 1 || d.Warnings[0].Rule != "F2" || d.Warnings[0].Code != "rfc.check_digit" {
		t.Fatalf("warnings %+v", d.Warnings)
	}
	// Only Tijuana requires the RFC (RULES R4, art. 10-II).
	for _, id := range fiveJurisdictions {
		req := contains(mustPolicy(t, id).Identifiers.Required, "RFC")
		if req != (id == "tijuana") {
			t.Errorf("%s: RFC required = %v", id, req)
		}
	}
}

func TestRule_R5_ProofOfAddressFromTheLastQuarter(t *testing.T) {
	p := mustPolicy(t, "tijuana")
	var doc *Document
	for i := range p.Documents {
		if p.Documents[i].Kind == "PROOF_OF_ADDRESS" {
			doc = &p.Documents[i]
		}
	}
	if doc == nil || doc.MaxAgeDays != 90 || doc.Rule != "R5" {
		t.Fatalf("tijuana proof of address: %+v", doc)
	}
	eval := func(issued, filed time.Time) []string {
		e := Enrollment{Documents: map[string]time.Time{"PROOF_OF_ADDRESS": issued}, FiledAt: filed}
		var codes []string
		for _, f := range p.Evaluate(e, now).Unmet {
			if f.Field == "PROOF_OF_ADDRESS" {
				codes = append(codes, f.Code)
			}
		}
		return codes
	}
	if c := eval(now.AddDate(0, 0, -90), now); len(c) != 0 {
		t.Errorf("90 days old: %v", c)
	}
	if c := eval(now.AddDate(0, 0, -91), now); !reflect.DeepEqual(c, []string{"document.too_old"}) {
		t.Errorf("91 days old: %v", c)
	}
	// The age counts to the filing, not to the day an agent looks at it.
	if c := eval(now.AddDate(0, 0, -100), now.AddDate(0, 0, -30)); len(c) != 0 {
		t.Errorf("70 days old when filed: %v", c)
	}
	// The RUPAT's 60 days (art. 34) are not the certificate rule.
	if c := eval(now.AddDate(0, 0, -75), now); len(c) != 0 {
		t.Errorf("75 days old: %v", c)
	}
}

func TestRule_R10_PaymentReasonsAndFees(t *testing.T) {
	p := mustPolicy(t, "cajamarca")
	want := map[string]bool{"first_issuance": false, "renewal": false, "reissue_lost_token": false,
		"own_token": true, "reissue_forgotten_password": true, "download_expired": true}
	if len(p.Reasons) != len(want) {
		t.Errorf("cajamarca has %d reasons, want %d", len(p.Reasons), len(want))
	}
	for id, pays := range want {
		r, ok := p.Reason(id)
		if !ok {
			t.Errorf("cajamarca: no reason %s", id)
			continue
		}
		if r.Payment != pays {
			t.Errorf("cajamarca %s: payment %v, want %v", id, r.Payment, pays)
		}
		if pays && r.Fee != "S/ 8.10" {
			t.Errorf("cajamarca %s: fee %q", id, r.Fee)
		}
		if !pays && r.Fee != "" {
			t.Errorf("cajamarca %s: a fee %q without payment", id, r.Fee)
		}
	}
	// No Mexican state charges for first issuance.
	for _, id := range fiveJurisdictions {
		if r, ok := mustPolicy(t, id).Reason("first_issuance"); !ok || r.Payment {
			t.Errorf("%s: first_issuance %+v", id, r)
		}
	}
}

func TestEachPolicyChecklistListsItsInPersonItems(t *testing.T) {
	bio3 := []string{"biometric.photo", "biometric.fingerprints", "biometric.handwritten_signature"}
	want := map[string][]string{
		"jalisco":   append([]string{"id.not_seen", "in_person", "agreement"}, bio3...),
		"zacatecas": append([]string{"curp.renapo", "id.not_seen", "in_person", "request_form", "agreement"}, bio3...),
		"tijuana":   append([]string{"id.not_seen", "in_person", "request_form", "agreement"}, bio3...),
		"chiapas":   append([]string{"id.not_seen", "in_person", "agreement"}, bio3...),
		"cajamarca": {"dni.issue_date", "id.not_seen", "biometric.photo", "biometric.handwritten_signature"},
	}
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		// The checklist is the same whether the items are met or not.
		for _, e := range []Enrollment{{}, {IDDocument: &IDDocument{Kind: "INE", Number: "1"}, InPerson: true,
			Biometrics: []string{"PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE"}, RequestFormSigned: true, AgreementSigned: true}} {
			d := p.Evaluate(e, now)
			if got := codesOf(d.Checklist); !equalSets(got, want[id]) {
				t.Errorf("%s: checklist %v, want %v", id, got, sorted(want[id]))
			}
			for _, f := range d.Checklist {
				if !f.InPerson || f.ES == "" || f.EN == "" {
					t.Errorf("%s: checklist item %+v", id, f)
				}
			}
		}
	}
}

// --- time ----------------------------------------------------------------------

func TestEachCalendarFollowsItsCountry(t *testing.T) {
	fiestasPatrias := calendar.Date{Year: 2026, Month: time.July, Day: 28} // Peru, a Tuesday
	revolucion := calendar.Date{Year: 2026, Month: time.November, Day: 16} // Mexico, third Monday of November
	ordinary := calendar.Date{Year: 2026, Month: time.November, Day: 24}   // a Tuesday
	for _, id := range fiveJurisdictions {
		c := mustPolicy(t, id).Calendar()
		peru := id == "cajamarca"
		if got := c.IsBusinessDate(fiestasPatrias); got != !peru {
			t.Errorf("%s: 2026-07-28 business day = %v", id, got)
		}
		if got := c.IsBusinessDate(revolucion); got != peru {
			t.Errorf("%s: 2026-11-16 business day = %v", id, got)
		}
		if !c.IsBusinessDate(ordinary) {
			t.Errorf("%s: 2026-11-24 is not a business day", id)
		}
		if c.IsBusinessDate(calendar.Date{Year: 2026, Month: time.November, Day: 28}) {
			t.Errorf("%s: a Saturday is a business day", id)
		}
	}
}

func TestEachCalendarUsesItsTimeZoneAndHours(t *testing.T) {
	zones := map[string]string{"jalisco": "America/Mexico_City", "zacatecas": "America/Mexico_City",
		"tijuana": "America/Tijuana", "chiapas": "America/Mexico_City", "cajamarca": "America/Lima"}
	for id, z := range zones {
		if got := mustPolicy(t, id).Calendar().Location().String(); got != z {
			t.Errorf("%s: time zone %s, want %s", id, got, z)
		}
	}
	// 15:30 UTC on Tuesday 2026-11-24 is 07:30 in Tijuana (before its 08:00
	// opening), 09:30 in Mexico City and 10:30 in Lima.
	at := time.Date(2026, 11, 24, 15, 30, 0, 0, time.UTC)
	open := map[string]bool{"jalisco": true, "zacatecas": true, "tijuana": false, "chiapas": true, "cajamarca": true}
	for id, want := range open {
		if got := mustPolicy(t, id).Calendar().IsBusinessHour(at); got != want {
			t.Errorf("%s: business hour at %s = %v", id, at, got)
		}
	}
	// Cajamarca closes at 16:30 Lima time (exclusive); a filing then is
	// received the next business day at 08:00 (RULES D4).
	caj := mustPolicy(t, "cajamarca").Calendar()
	lima := caj.Location()
	if caj.IsBusinessHour(time.Date(2026, 11, 24, 16, 30, 0, 0, lima)) || !caj.IsBusinessHour(time.Date(2026, 11, 24, 16, 29, 0, 0, lima)) {
		t.Error("cajamarca: closing time")
	}
	if got := caj.ReceptionTime(time.Date(2026, 11, 24, 16, 30, 0, 0, lima)); !got.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, lima)) {
		t.Errorf("cajamarca: received at %s", got)
	}
	// Tijuana art. 17: a filing on a Saturday counts from the first business
	// hour of Monday.
	tij := mustPolicy(t, "tijuana").Calendar()
	tz := tij.Location()
	if got := tij.ReceptionTime(time.Date(2026, 11, 28, 11, 0, 0, 0, tz)); !got.Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, tz)) {
		t.Errorf("tijuana: received at %s", got)
	}
}

func TestRule_D1_D3_DeadlinesInBusinessDays(t *testing.T) {
	for _, id := range fiveJurisdictions {
		d := mustPolicy(t, id).Deadlines
		if d != (Deadlines{DeficiencyDays: 3, NotPresentedDays: 5, RefusalNoticeDays: 3, DefaultTermDays: 3}) {
			t.Errorf("%s: deadlines %+v", id, d)
		}
	}
}

// RULES D5 (Cajamarca): "enviados a RENIEC los días viernes a las 4:30
// p.m. de cada semana"; an early renewal goes in "el viernes a los 10 días
// antes de su caducidad". Real dates, Lima time; the other jurisdictions
// state no batch.
func TestRule_D5_CajamarcaBatchAndRenewalWindow(t *testing.T) {
	p := mustPolicy(t, "cajamarca")
	lima, err := time.LoadLocation("America/Lima")
	if err != nil {
		t.Fatal(err)
	}
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, lima) }
	for _, c := range []struct {
		from, next, before time.Time
	}{
		{at(time.November, 23, 11, 0), at(time.November, 27, 16, 30), at(time.November, 20, 16, 30)},  // Monday
		{at(time.November, 27, 16, 30), at(time.November, 27, 16, 30), at(time.November, 27, 16, 30)}, // the batch itself
		{at(time.November, 27, 16, 31), at(time.December, 4, 16, 30), at(time.November, 27, 16, 30)},  // just missed
		{at(time.December, 20, 23, 59), at(time.December, 25, 16, 30), at(time.December, 18, 16, 30)}, // a Sunday
		// 16:30 in Lima is 21:30 UTC: a UTC Saturday's early hours are still Friday in Lima.
		{time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC), at(time.December, 4, 16, 30), at(time.November, 27, 16, 30)},
	} {
		if got, ok := p.NextBatch(c.from); !ok || !got.Equal(c.next) {
			t.Errorf("next batch after %v: %v, want %v", c.from, got, c.next)
		}
		if got, ok := p.BatchAtOrBefore(c.from); !ok || !got.Equal(c.before) {
			t.Errorf("batch at or before %v: %v, want %v", c.from, got, c.before)
		}
	}
	if p.Renewal.WindowDays != 10 {
		t.Errorf("renewal window %d", p.Renewal.WindowDays)
	}
	for _, id := range fiveJurisdictions[:4] {
		if _, ok := mustPolicy(t, id).NextBatch(at(time.November, 23, 11, 0)); ok {
			t.Errorf("%s: a batch the source does not state", id)
		}
	}
}

// RULES S2 (Zacatecas art. 66-IV): only the revocation for breach of
// duties waits for a prior notice; the other causes apply at once.
func TestRule_S2_ZacatecasPriorNoticeOnlyForBreachOfDuties(t *testing.T) {
	for _, id := range fiveJurisdictions {
		for _, r := range mustPolicy(t, id).StatusCodes.Revocation {
			want := 0
			if id == "zacatecas" && r.ID == "breach_of_duties" {
				want = 3
			}
			if r.PriorNoticeDays != want {
				t.Errorf("%s %s: prior notice %d days, want %d", id, r.ID, r.PriorNoticeDays, want)
			}
		}
	}
}

func TestRule_D6_CredentialLifetimes(t *testing.T) {
	for _, id := range fiveJurisdictions {
		c := mustPolicy(t, id).Credential
		if c.LifetimeDays != 30 || c.ResendWindowDays != 7 {
			t.Errorf("%s: credential %+v", id, c)
		}
	}
}

// --- certificate ---------------------------------------------------------------

func TestRule_P2_EachJurisdictionCapsValidityAtItsTerm(t *testing.T) {
	terms := map[string]string{"jalisco": "2030-12-05", "zacatecas": "2027-09-11", "tijuana": "2027-09-30",
		"chiapas": "2030-12-07", "cajamarca": "2026-12-31"}
	for id, end := range terms {
		p := mustPolicy(t, id)
		if p.Term.End != end {
			t.Errorf("%s: term ends %s, want %s", id, p.Term.End, end)
			continue
		}
		got, err := p.Validity(now, activeAppointment("x", "y"))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		want := now.AddDate(0, 0, p.Certificate.MaxValidityDays)
		if te := p.TermEnd().Truncate(time.Second); te.Before(want) {
			want = te
		}
		if !got.Equal(want) {
			t.Errorf("%s: validity ends %s, want %s", id, got, want)
		}
		if got.Format("2006-01-02") > end {
			t.Errorf("%s: validity %s beyond the term %s", id, got, end)
		}
	}
}

// RULES P1: the certificate profiles are checked on issued certificates, in
// ra (TestRule_P1_CertificateProfiles); here, what a certificate cannot show:
// the policy's organisation identifier is well formed for its country.
func TestRule_P1_OrganisationIdentifierFollowsTheCountry(t *testing.T) {
	govMX := regexp.MustCompile(`^GOVMX\+[A-Z0-9]{1,3}$`) // S/MIME BR: GOV + country + "+" + ISO 3166-2 subdivision
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		switch p.Jurisdiction.Country {
		case "MX":
			if !govMX.MatchString(p.Jurisdiction.OrganizationIdentifier) || p.CalendarSpec.Country != "MX" {
				t.Errorf("%s: %s / calendar %s", id, p.Jurisdiction.OrganizationIdentifier, p.CalendarSpec.Country)
			}
		case "PE":
			if _, err := validate.ParseRUC(strings.TrimPrefix(p.Jurisdiction.OrganizationIdentifier, "VATPE-")); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		default:
			t.Errorf("%s: country %s", id, p.Jurisdiction.Country)
		}
		if c := p.Certificate.MaxValidityDays; c < 1 || c > 825 {
			t.Errorf("%s: max validity %d", id, c)
		}
	}
}

// --- status catalogues ---------------------------------------------------------

func statusIDs(list []StatusReason) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

func TestRule_S1_S3_S5_StatusCatalogues(t *testing.T) {
	z := mustPolicy(t, "zacatecas")
	if got := statusIDs(z.StatusCodes.Revocation); !reflect.DeepEqual(got[:8], []string{"misuse", "false_documents",
		"key_confidentiality_risk", "breach_of_duties", "unauthorised_alteration", "key_usable_by_others", "duplicate_key", "leave_of_absence"}) {
		t.Errorf("zacatecas art. 66: %v", got)
	}
	if len(z.StatusCodes.Suspension) != 0 {
		t.Error("zacatecas: no suspension in the source")
	}

	tj := mustPolicy(t, "tijuana")
	if got := statusIDs(tj.StatusCodes.Suspension); !reflect.DeepEqual(got, []string{"missing_documents", "servant_suspended", "holder_request", "precautionary"}) {
		t.Errorf("tijuana art. 41-42, 48: %v", got)
	}
	for _, r := range tj.StatusCodes.Suspension {
		if r.RFC5280 != "certificateHold" || r.InvestDays < 1 || r.Rule != "S1" {
			t.Errorf("tijuana suspension %+v", r)
		}
	}
	if got := statusIDs(tj.StatusCodes.Revocation); !reflect.DeepEqual(got, []string{"platform_incompatibility", "misuse",
		"key_privacy_compromised", "separation_from_office", "removal_or_disqualification", "delegation_withdrawn", "left_office"}) {
		t.Errorf("tijuana art. 43-44: %v", got)
	}
	if got := statusIDs(tj.StatusCodes.Extinction); !reflect.DeepEqual(got, []string{"expiry", "judicial_or_administrative_resolution", "death"}) {
		t.Errorf("tijuana art. 40: %v", got)
	}
	if r, group, ok := tj.StatusReason("holder_request"); !ok || group != "suspension" || !r.HolderMay {
		t.Errorf("tijuana holder_request: %+v %s", r, group)
	}
	// Art. 42-IV: a suspension whose cause persists becomes a revocation.
	escalations := map[string]string{"missing_documents": "", "servant_suspended": "removal_or_disqualification",
		"holder_request": "key_privacy_compromised", "precautionary": ""}
	for id, to := range escalations {
		r, _, _ := tj.StatusReason(id)
		if r.EscalatesTo != to {
			t.Errorf("tijuana %s escalates to %q, want %q", id, r.EscalatesTo, to)
		}
		if to != "" {
			if _, group, ok := tj.StatusReason(to); !ok || group != "revocation" {
				t.Errorf("tijuana %s escalates to %s, which is not a revocation", id, to)
			}
		}
	}

	c := mustPolicy(t, "cajamarca")
	wantC := map[string]string{"left_entity": "affiliationChanged", "data_incorrect": "affiliationChanged",
		"pin_damaged_or_lost": "keyCompromise", "pin_exposed": "keyCompromise", "ca_compromised": "cACompromise",
		"entity_dissolved": "cessationOfOperation", "express_request": "unspecified"}
	if len(c.StatusCodes.Revocation) != len(wantC) {
		t.Errorf("cajamarca: %d cancellation reasons", len(c.StatusCodes.Revocation))
	}
	for id, name := range wantC {
		r, group, ok := c.StatusReason(id)
		if !ok || group != "revocation" || r.RFC5280 != name || r.Rule != "S5" {
			t.Errorf("cajamarca %s: %+v %s", id, r, group)
		}
	}
	if CRLReasons["cACompromise"] != 2 {
		t.Error("cACompromise is RFC 5280 code 2")
	}

	// Every policy: every reason maps to an RFC 5280 code, has both texts, and
	// leaving office revokes automatically (RULES P2).
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		auto := false
		for _, list := range [][]StatusReason{p.StatusCodes.Suspension, p.StatusCodes.Revocation, p.StatusCodes.Extinction} {
			for _, r := range list {
				if _, ok := CRLReasons[r.RFC5280]; !ok || r.ES == "" || r.EN == "" {
					t.Errorf("%s: status reason %+v", id, r)
				}
			}
		}
		for _, r := range p.StatusCodes.Revocation {
			auto = auto || (r.Automatic && r.RFC5280 == "affiliationChanged")
		}
		if !auto {
			t.Errorf("%s: no automatic affiliationChanged revocation for leaving office", id)
		}
	}
}

func TestRule_G6_RegistryNeverPublishesPersonalIdentifiers(t *testing.T) {
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		for _, f := range []string{"identifier", "email", "certificate"} {
			if contains(p.Registry.PublicFields, f) {
				t.Errorf("%s: the public registry shows %s", id, f)
			}
		}
		if !contains(p.Registry.PublicFields, "status") || !contains(p.Registry.PublicFields, "serial") {
			t.Errorf("%s: the registry cannot answer a status lookup (RULES P5): %v", id, p.Registry.PublicFields)
		}
	}
	// Zacatecas art. 44: "contendrá la clave pública y los datos del titular".
	z := mustPolicy(t, "zacatecas").Registry.PublicFields
	for _, f := range []string{"name", "position", "organisation", "public_key"} {
		if !contains(z, f) {
			t.Errorf("zacatecas: registry lacks %s", f)
		}
	}
}

func TestEveryJurisdictionUsesACELCondition(t *testing.T) {
	want := map[string]string{"zacatecas": "G3", "tijuana": "P1", "chiapas": "R1", "cajamarca": "R1"}
	for id, rule := range want {
		p := mustPolicy(t, id)
		if len(p.Conditions) != 1 || p.Conditions[0].Rule != rule || len(p.cel) != 1 {
			t.Errorf("%s: conditions %+v", id, p.Conditions)
		}
	}
}
