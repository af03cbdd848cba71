package validate

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// Each fuzz target checks that a parser never panics, that every refusal is a
// complete *Error, and that an accepted value round-trips: parsing its
// canonical text gives the same result.

func checkRefusal(t *testing.T, field string, err error) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok || e.Field != field || !strings.HasPrefix(e.Code, field+".") || e.EN == "" || e.ES == "" {
		t.Fatalf("refusal is not a complete *Error: %#v", err)
	}
}

func FuzzParseCURP(f *testing.F) {
	for _, tc := range validCURPs {
		f.Add(tc.curp)
	}
	for _, s := range []string{"", "PEGL890909MJCRMS09", "ÑEGG560427MVZRRL04", "hegg560427mvzrrl04", "HEGG990230MVZRRL04", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCURP(s)
		if err != nil {
			checkRefusal(t, "curp", err)
			return
		}
		if c.Value != s || len(s) != 18 || NormalizeCURP(s) != s {
			t.Fatalf("accepted %q as %+v", s, c)
		}
		if d, err := CURPCheckDigit(s[:17]); err != nil || d != s[17] {
			t.Fatalf("accepted %q with check digit %q, %v", s, d, err)
		}
		again, err := ParseCURP(c.Value)
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip of %q: %+v, %v; first %+v", s, again, err, c)
		}
	})
}

func FuzzParseRFC(f *testing.F) {
	for _, s := range []string{"GODE561231GR8", "MAB9307148T4", "MUÑ110218LJ6", "&&&030828PX7", "XAXX010101000", "SIN9311169P8", "", "GODE 561231 GR8", "muñ110218lj6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, w, err := ParseRFC(s)
		if err != nil {
			checkRefusal(t, "rfc", err)
			if w != nil {
				t.Fatalf("warnings with a refusal: %v", w)
			}
			return
		}
		n := utf8.RuneCountInString(s)
		if r.Value != s || (n == 13) != (r.Kind == RFCFisica) || (n == 12) != (r.Kind == RFCMoral) || NormalizeRFC(s) != s {
			t.Fatalf("accepted %q as %+v", s, r)
		}
		for _, x := range w {
			if x.Code == "" || x.EN == "" || x.ES == "" {
				t.Fatalf("incomplete warning %+v", x)
			}
		}
		again, w2, err := ParseRFC(r.Value)
		if err != nil || !reflect.DeepEqual(again, r) || !reflect.DeepEqual(w2, w) {
			t.Fatalf("round trip of %q: %+v %v %v; first %+v %v", s, again, w2, err, r, w)
		}
	})
}

func FuzzParseDNI(f *testing.F) {
	for _, tc := range validDNIs {
		f.Add(tc.in)
	}
	for _, s := range []string{"", "10117410-3", "10812543-h", "5209244", "10117410-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDNI(s)
		if err != nil {
			checkRefusal(t, "dni", err)
			return
		}
		if len(d.Number) != 8 || !allDigits(d.Number) || len(d.Check) > 1 {
			t.Fatalf("accepted %q as %+v", s, d)
		}
		again, err := ParseDNI(d.String())
		if err != nil || again != d {
			t.Fatalf("round trip of %q via %q: %+v, %v; first %+v", s, d.String(), again, err, d)
		}
	})
}

func FuzzParseRUC(f *testing.F) {
	for _, s := range []string{"20131312955", "20453744168", "10054148289", "15484032987", "17155542071", "20512333798", "", "99512333792"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRUC(s)
		if err != nil {
			checkRefusal(t, "ruc", err)
			return
		}
		if r.Value != s || len(s) != 11 || (r.Prefix == "10") != (r.DNI != "") {
			t.Fatalf("accepted %q as %+v", s, r)
		}
		if r.DNI != "" {
			if _, err := ParseDNI(r.DNI); err != nil {
				t.Fatalf("RUC %q embeds DNI %q that ParseDNI refuses: %v", s, r.DNI, err)
			}
		}
		again, err := ParseRUC(r.Value)
		if err != nil || again != r {
			t.Fatalf("round trip of %q: %+v, %v; first %+v", s, again, err, r)
		}
	})
}

func FuzzInstitutionalEmail(f *testing.F) {
	for _, s := range []string{"a@jalisco.gob.mx", "a@sep.jalisco.gob.mx", "a@evil-jalisco.gob.mx", "A <a@jalisco.gob.mx>", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		err := InstitutionalEmail(addr, []string{"jalisco.gob.mx"})
		if err != nil {
			checkRefusal(t, "email", err)
			return
		}
		at := strings.LastIndexByte(addr, '@')
		domain := strings.ToLower(addr[at+1:])
		if domain != "jalisco.gob.mx" && !strings.HasSuffix(domain, ".jalisco.gob.mx") {
			t.Fatalf("accepted %q outside the allowed domain", addr)
		}
	})
}
