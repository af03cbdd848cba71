package validate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestName_AcceptsNamesAsRegistriesWriteThem(t *testing.T) {
	for _, s := range []string{"", "María Guadalupe", "NÚÑEZ MÜLLER", "O'Connor", "Huamán", "José\u0301", "Ñañez-Ávila",
		"Escuela Secundaria Técnica N° 5", "Jefa de Departamento «A»", "Δημήτρης", "Владимир", "山田", "Secretaría de Educación & Cultura"} {
		if err := Name("givenNames", s); err != nil {
			t.Errorf("Name(%q) = %v", s, err)
		}
	}
}

func TestName_RefusesWhatIsNotPrintedText(t *testing.T) {
	cases := []struct {
		value string
		code  string
		pos   int
	}{
		{"Ana\x00", CodeTextControl, 4},
		{"Ana\tMaría", CodeTextControl, 4},
		{"Ana\nMaría", CodeTextControl, 4},
		{"\x1b[31mAna\x1b[0m", CodeTextControl, 1},
		{"Ana\u0085", CodeTextControl, 4},
		{"Ana\u202eaíraM", CodeTextInvisible, 4},
		{"\u202aAna", CodeTextInvisible, 1},
		{"\u2066Ana\u2069", CodeTextInvisible, 1},
		{"An\u200ba", CodeTextInvisible, 3},
		{"An\u200da", CodeTextInvisible, 3},
		{"An\u200fa", CodeTextInvisible, 3},
		{"An\u2060a", CodeTextInvisible, 3},
		{"\ufeffAna", CodeTextInvisible, 1},
		{"Ana \U0001F600", CodeTextPlane, 5},
		{"𠮷野", CodeTextPlane, 1},
		{"Ana\ue000", CodeTextUnassigned, 4},
		{"Ana\ufffe", CodeTextUnassigned, 4},
		{"Ana\u2028", CodeTextUnassigned, 4},
		{"Ana\U000F0000", CodeTextUnassigned, 4},
		{"Ana\xff", CodeTextUTF8, 4},
	}
	for _, c := range cases {
		err := Name("firstSurname", c.value)
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("Name(%q) = %v, want a refusal %s", c.value, err, c.code)
			continue
		}
		if e.Code != c.code || e.Field != "firstSurname" || e.Position != c.pos {
			t.Errorf("Name(%q) = %s field %s at %d, want %s at %d", c.value, e.Code, e.Field, e.Position, c.code, c.pos)
		}
		if !strings.HasPrefix(e.EN, "firstSurname ") || !strings.HasPrefix(e.ES, "firstSurname ") || e.EN == e.ES {
			t.Errorf("Name(%q): messages do not name the field in both languages: %q / %q", c.value, e.EN, e.ES)
		}
	}
}

func TestText_AcceptsLinesRefusesTheRest(t *testing.T) {
	if err := Text("statement", "Primera línea.\r\nSegunda\tlínea."); err != nil {
		t.Fatal(err)
	}
	if CodeOf(Text("statement", "Hola\x1b[2J")) != CodeTextControl || CodeOf(Text("statement", "Hola\u202e")) != CodeTextInvisible {
		t.Fatal("Text accepts controls or overrides")
	}
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"María", "Ana\x00", "\u202eAna", "\U0001F600", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := Name("givenNames", s)
		if err == nil {
			if !utf8.ValidString(s) {
				t.Fatalf("accepted invalid UTF-8 %q", s)
			}
			for _, r := range s {
				if r > 0xFFFF || r < 0x20 || (r >= 0x7F && r < 0xA0) || (r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) ||
					(r >= 0x2060 && r <= 0x2069) || r == 0xFEFF {
					t.Fatalf("accepted %q (U+%04X)", s, r)
				}
			}
			return
		}
		e, ok := err.(*Error)
		if !ok || e.Field != "givenNames" || e.EN == "" || e.ES == "" || e.Position < 1 {
			t.Fatalf("refusal is not a complete *Error: %#v", err)
		}
	})
}
