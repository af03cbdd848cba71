package validate

import (
	"errors"
	"testing"
	"time"
)

func warningCodes(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func TestRule_F2_RFCValid(t *testing.T) {
	tests := []struct {
		rfc, kind, date string
		source          string
	}{
		// SAT's worked example (INFOMEX request 0610100135506): Gómez Díaz Emma.
		{"GODE561231GR8", RFCFisica, "1956-12-31", "SAT algorithm document, worked example"},
		{"CFE370814QI0", RFCMoral, "1937-08-14", "Comisión Federal de Electricidad, printed on its CFDI invoices"},
		{"SAT970701NN3", RFCMoral, "1997-07-01", "Servicio de Administración Tributaria (RfcProvCertif of every CFDI stamp)"},
		{"MAB9307148T4", RFCMoral, "1993-07-14", "python-stdnum stdnum/mx/rfc.py docstring"},
		{"&&&030828PX7", RFCMoral, "2003-08-28", "python-stdnum test_mx_rfc.doctest (& in the name)"},
		{"B&D9605298Y3", RFCMoral, "1996-05-29", "python-stdnum test_mx_rfc.doctest"},
		{"MUÑ110218LJ6", RFCMoral, "2011-02-18", "python-stdnum test_mx_rfc.doctest (Ñ in the name)"},
		{"EDI000229CA3", RFCMoral, "2000-02-29", "python-stdnum test_mx_rfc.doctest (leap day 2000)"},
		{"AEL7407151YA", RFCMoral, "1974-07-15", "python-stdnum test_mx_rfc.doctest (check digit A)"},
		{"GOAJ7101257MA", RFCFisica, "1971-01-25", "python-stdnum test_mx_rfc.doctest (check digit A)"},
		{"AAA390128530", RFCMoral, "1939-01-28", "python-stdnum test_mx_rfc.doctest (check digit 0)"},
		{"AUHF891016KE4", RFCFisica, "1989-10-16", "python-stdnum test_mx_rfc.doctest"},
	}
	for _, tc := range tests {
		t.Run(tc.rfc, func(t *testing.T) {
			got, warnings, err := ParseRFC(tc.rfc)
			if err != nil {
				t.Fatalf("ParseRFC(%q) (%s): %v", tc.rfc, tc.source, err)
			}
			if len(warnings) != 0 {
				t.Errorf("ParseRFC(%q) warnings %v; want none", tc.rfc, warningCodes(warnings))
			}
			want, _ := time.Parse(time.DateOnly, tc.date)
			if got.Value != tc.rfc || got.Kind != tc.kind || !got.Date.Equal(want) {
				t.Errorf("ParseRFC(%q) = %+v; want kind %s date %s", tc.rfc, got, tc.kind, tc.date)
			}
		})
	}
}

func TestRule_F2_RFCCheckDigit(t *testing.T) {
	tests := []struct {
		first string
		want  byte
	}{
		// SAT's example: sum 1026, 1026 mod 11 = 3, 11 − 3 = 8.
		{"GODE561231GR", '8'},
		{"MAB9307148T", '4'}, // moral: computed as " MAB9307148T"
		{"CFE370814QI", '0'}, // remainder 0 → '0'
		{"AEL7407151Y", 'A'}, // 11 − remainder = 10 → 'A'
		{"MUÑ110218LJ", '6'},
	}
	for _, tc := range tests {
		if got, err := RFCCheckDigit(tc.first); err != nil || got != tc.want {
			t.Errorf("RFCCheckDigit(%q) = %q, %v; want %q", tc.first, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "GODE561231", "GODE561231GR8", "GODE56123-GR"} {
		if _, err := RFCCheckDigit(bad); err == nil {
			t.Errorf("RFCCheckDigit(%q) accepted", bad)
		}
	}
}

// RULES F2: SAT has issued RFCs whose check digit fails; they are accepted
// with a warning for the agent.
func TestRule_F2_RFCBadCheckDigitIsAWarning(t *testing.T) {
	tests := []struct{ rfc, want string }{
		// python-stdnum lists these as in use (checked on SAT's ConsultaRFC)
		// although their check digits fail.
		{"SIN9311169P8", "2"},
		{"AAC0903183F6", ""},
		{"VACE460910SX6", "5"},
	}
	for _, tc := range tests {
		got, warnings, err := ParseRFC(tc.rfc)
		if err != nil {
			t.Fatalf("ParseRFC(%q): %v; a bad check digit must not refuse", tc.rfc, err)
		}
		if got.Value != tc.rfc || len(warnings) != 1 || warnings[0].Code != "rfc.check_digit" {
			t.Fatalf("ParseRFC(%q) = %+v, %v; want one rfc.check_digit warning", tc.rfc, got, warningCodes(warnings))
		}
		if warnings[0].EN == "" || warnings[0].ES == "" {
			t.Errorf("warning lacks text: %+v", warnings[0])
		}
		if tc.want != "" {
			if want := "El dígito verificador del RFC no coincide (se esperaba " + tc.want + ")."; warnings[0].ES[:len(want)] != want {
				t.Errorf("ES = %q; want prefix %q", warnings[0].ES, want)
			}
		}
	}
}

// SAT's generic RFCs: XAXX010101000 (general public) fails the check digit
// (4 would be right), XEXX010101000 (foreigners) passes it. Both identify
// nobody, so the agent is warned.
func TestRule_F2_RFCGeneric(t *testing.T) {
	_, w, err := ParseRFC("XAXX010101000")
	if err != nil {
		t.Fatal(err)
	}
	if got := warningCodes(w); len(got) != 2 || got[0] != "rfc.generic" || got[1] != "rfc.check_digit" {
		t.Errorf("XAXX010101000 warnings = %v; want [rfc.generic rfc.check_digit]", got)
	}
	_, w, err = ParseRFC("XEXX010101000")
	if err != nil {
		t.Fatal(err)
	}
	if got := warningCodes(w); len(got) != 1 || got[0] != "rfc.generic" {
		t.Errorf("XEXX010101000 warnings = %v; want [rfc.generic]", got)
	}
}

func TestRule_F2_RFCRefusals(t *testing.T) {
	tests := []struct{ name, in, code string }{
		{"empty", "", "rfc.length"},
		{"11 characters", "GODE561231G", "rfc.length"},
		{"14 characters", "GODE561231GR8X", "rfc.length"},
		{"lowercase", "gode561231gr8", "rfc.lowercase"},
		{"lowercase ñ", "MUñ110218LJ6", "rfc.lowercase"},
		{"accent", "GÓDE561231GR8", "rfc.accent"},
		{"spaces as printed by some systems", "GODE 561231 GR8", "rfc.space"},
		{"hyphens", "GODE-561231-GR8", "rfc.charset"},
		{"digit in a física's name", "G0DE561231GR8", "rfc.name"},
		{"& in a física's name", "GOD&561231GR8", "rfc.name"},
		{"digit in a moral's name", "M4B9307148T4", "rfc.name"},
		{"30 February 1999", "GODE990230GR8", "rfc.date"},
		{"month 13", "GODE561331GR8", "rfc.date"},
		{"29 February 2001", "ABC010229AB1", "rfc.date"},
		{"letter in date", "GODE5612E1GR8", "rfc.date"},
		{"Ñ in homoclave", "GODE561231GÑ8", "rfc.homoclave"}, // cf. python-stdnum 'AABN 821103 8Ñ2'
		{"& in homoclave", "MAB930714&T4", "rfc.homoclave"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, w, err := ParseRFC(tc.in)
			if CodeOf(err) != tc.code {
				t.Fatalf("ParseRFC(%q) = %v (code %q); want code %q", tc.in, err, CodeOf(err), tc.code)
			}
			var e *Error
			if !errors.As(err, &e) || e.Field != "rfc" || e.EN == "" || e.ES == "" || w != nil {
				t.Errorf("ParseRFC(%q) = %#v, %v", tc.in, err, w)
			}
		})
	}
}

func TestRule_F2_NormalizeRFC(t *testing.T) {
	if got := NormalizeRFC("  muñ110218lj6 "); got != "MUÑ110218LJ6" {
		t.Errorf("NormalizeRFC = %q", got)
	}
	if _, _, err := ParseRFC(NormalizeRFC(" gode561231gr8\n")); err != nil {
		t.Errorf("normalised RFC refused: %v", err)
	}
}
