package validate

import (
	"errors"
	"testing"
)

// DNIs with their verification character, collected online by python-stdnum
// (tests/test_pe_cui.doctest): current cards print a digit, older ones a letter.
var validDNIs = []struct{ in, number, check string }{
	{"10117410-2", "10117410", "2"},
	{"10812543-3", "10812543", "3"},
	{"10812543-H", "10812543", "H"}, // the same number's letter form
	{"05209244-8", "05209244", "8"}, // leading zero kept
	{"06009893-5", "06009893", "5"},
	{"25465832-0", "25465832", "0"},
	{"72859897-8", "72859897", "8"},
	{"10586119B", "10586119", "B"},
	{"25543680E", "25543680", "E"},
	{"32023446H", "32023446", "H"},
	{"45055499E", "45055499", "E"},
	{"474996072", "47499607", "2"},
	{"10117410", "10117410", ""}, // no verification character
	{"00000000", "00000000", ""},
}

func TestRule_F3_DNIValid(t *testing.T) {
	for _, tc := range validDNIs {
		got, err := ParseDNI(tc.in)
		if err != nil {
			t.Errorf("ParseDNI(%q): %v", tc.in, err)
			continue
		}
		if got.Number != tc.number || got.Check != tc.check {
			t.Errorf("ParseDNI(%q) = %+v; want %s/%s", tc.in, got, tc.number, tc.check)
		}
	}
}

func TestRule_F3_DNICheckCharacters(t *testing.T) {
	// 1·3 + 0·2 + 1·7 + 1·6 + 7·5 + 4·4 + 1·3 + 0·2 = 70; 70 mod 11 = 4 → '2' and 'G'.
	d, l, err := DNICheckCharacters("10117410")
	if err != nil || d != '2' || l != 'G' {
		t.Errorf("DNICheckCharacters(10117410) = %c %c %v; want 2 G", d, l, err)
	}
	// 1·3 + 0·2 + 8·7 + 1·6 + 2·5 + 5·4 + 4·3 + 3·2 = 113; 113 mod 11 = 3 → '3' and 'H'.
	d, l, _ = DNICheckCharacters("10812543")
	if d != '3' || l != 'H' {
		t.Errorf("DNICheckCharacters(10812543) = %c %c; want 3 H", d, l)
	}
	if _, _, err := DNICheckCharacters("1011741"); err == nil {
		t.Error("7 digits accepted")
	}
}

func TestRule_F3_DNIRefusals(t *testing.T) {
	tests := []struct{ name, in, code string }{
		{"empty", "", "dni.format"},
		{"7 digits (dropped leading zero)", "5209244", "dni.length"},
		{"wrong check digit", "10117410-3", "dni.check_digit"}, // python-stdnum
		{"wrong check letter", "10117410-K", "dni.check_digit"},
		{"lowercase check letter", "10812543-h", "dni.check_format"},
		{"hyphen without check", "10117410-", "dni.check_format"},
		{"symbol as check", "10117410-*", "dni.check_format"},
		{"letter in number", "108125H3-3", "dni.format"},         // python-stdnum
		{"10 characters, no hyphen", "1081254332", "dni.format"}, // python-stdnum
		{"space separator", "10117410 2", "dni.format"},
		{"11 digits (a RUC)", "10101174102", "dni.format"},
		{"leading space", " 10117410", "dni.format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDNI(tc.in)
			if CodeOf(err) != tc.code {
				t.Fatalf("ParseDNI(%q) = %v (code %q); want %q", tc.in, err, CodeOf(err), tc.code)
			}
			var e *Error
			if !errors.As(err, &e) || e.Field != "dni" || e.EN == "" || e.ES == "" {
				t.Errorf("incomplete error %#v", err)
			}
		})
	}
}

func TestRule_F3_RUCValid(t *testing.T) {
	tests := []struct{ ruc, prefix, dni, source string }{
		{"20131312955", "20", "", "SUNAT's own RUC"},
		{"20453744168", "20", "", "Gobierno Regional Cajamarca (seed 001: the RUC for RENIEC fee payments)"},
		{"20512333797", "20", "", "python-stdnum stdnum/pe/ruc.py docstring"},
		{"10054148289", "10", "05414828", "python-stdnum (to_dni example)"},
		{"10101174102", "10", "10117410", "python-stdnum (to_ruc of DNI 10117410-2)"},
		{"15484032987", "15", "", "python-stdnum test_pe_ruc.doctest"},
		{"17155542071", "17", "", "python-stdnum test_pe_ruc.doctest"},
		// sum 143, 143 mod 11 = 0, 11 − 0 = 11 → 1
		{"10053358671", "10", "05335867", "python-stdnum test_pe_ruc.doctest"},
		// sum 122, 122 mod 11 = 1, 11 − 1 = 10 → 0
		{"20131372770", "20", "", "python-stdnum test_pe_ruc.doctest"},
	}
	for _, tc := range tests {
		got, err := ParseRUC(tc.ruc)
		if err != nil {
			t.Errorf("ParseRUC(%q) (%s): %v", tc.ruc, tc.source, err)
			continue
		}
		if got.Value != tc.ruc || got.Prefix != tc.prefix || got.DNI != tc.dni {
			t.Errorf("ParseRUC(%q) = %+v; want prefix %s DNI %q", tc.ruc, got, tc.prefix, tc.dni)
		}
	}
}

func TestRule_F3_RUCCheckDigit(t *testing.T) {
	// SUNAT: 2·5+0·4+1·3+3·2+1·7+3·6+1·5+2·4+9·3+5·2 = 94; 94 mod 11 = 6; 11 − 6 = 5.
	tests := map[string]byte{"2013131295": '5', "1005335867": '1', "2013137277": '0', "2045374416": '8'}
	for in, want := range tests {
		if got, err := RUCCheckDigit(in); err != nil || got != want {
			t.Errorf("RUCCheckDigit(%s) = %c, %v; want %c", in, got, err, want)
		}
	}
	if _, err := RUCCheckDigit("201313129"); err == nil {
		t.Error("9 digits accepted")
	}
}

func TestRule_F3_RUCRefusals(t *testing.T) {
	tests := []struct{ name, in, code string }{
		{"empty", "", "ruc.length"},
		{"10 digits", "2051233379", "ruc.length"},         // python-stdnum
		{"bad prefix", "99512333792", "ruc.prefix"},       // python-stdnum
		{"letter", "20A12333797", "ruc.format"},           // python-stdnum
		{"wrong check", "20512333798", "ruc.check_digit"}, // python-stdnum
		{"wrong check (SUNAT)", "20131312956", "ruc.check_digit"},
		{"hyphen", "20-131312955", "ruc.format"},
		{"space", " 20131312955", "ruc.format"},
	}
	for _, tc := range tests {
		_, err := ParseRUC(tc.in)
		if CodeOf(err) != tc.code {
			t.Errorf("%s: ParseRUC(%q) = %v (code %q); want %q", tc.name, tc.in, err, CodeOf(err), tc.code)
		}
	}
}

// A natural person's RUC embeds the DNI: the two parsers agree.
func TestRule_F3_RUCEmbedsDNI(t *testing.T) {
	r, err := ParseRUC("10101174102")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDNI(r.DNI)
	if err != nil || d.Number != "10117410" {
		t.Errorf("ParseDNI(%q) = %+v, %v", r.DNI, d, err)
	}
}
