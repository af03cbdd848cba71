package receipt

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// Issue 16: a name with a character outside the Basic Multilingual Plane
// made fpdf panic while printing the acknowledgement. Every PDF builder
// prints any text it is given, however odd: arbitrary UTF-8 (and bytes
// that are not UTF-8) in the names, the title, the place and the
// statements is printed with a placeholder for what the font cannot show,
// and never panics.
func FuzzPDFBuildersPrintAnyName(f *testing.F) {
	for _, s := range []string{testName, "Ana 😀 López", "\U0001F600", "𠮷野家", "\x00\x1b[31mRojo\x1b[0m", "Ana\u202eaíraM",
		"An\u200ba\u2060\ufeff", "\xff\xfe\xfd", "山田太郎", "Δημήτρης", "\ue000\U000F0000", "a\r\nb\tc", strings.Repeat("W", 3000), ""} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, text string) {
		// The builders refuse a missing name or place (tested elsewhere).
		if strings.TrimSpace(name) == "" {
			name = "x" + name
		}
		if strings.TrimSpace(text) == "" {
			text = "x" + text
		}
		a := sampleAck(t)
		a.Filer.Name, a.Place, a.ReceivingBody.Unit = name, text, text
		pdf, err := AcknowledgementPDF(a, testCode, "es")
		checkPDF(t, "acknowledgement", pdf, err)

		c := sampleAcceptance(t)
		c.HolderName, c.Position, c.AgentName, c.AdditionalTerms = name, text, name, []string{text}
		pdf, err = AcceptanceFormPDF(c, "en")
		checkPDF(t, "acceptance", pdf, err)

		v := sampleRevocation(t)
		v.HolderName, v.RequesterName, v.Place = name, name, text
		pdf, err = RevocationReceiptPDF(v, "es")
		checkPDF(t, "revocation", pdf, err)

		r := sampleRefusal(t)
		r.ApplicantName, r.Organisation, r.Grounds[0].Text, r.OfficialName = name, text, text+" ", name
		pdf, err = RefusalPDF(r, "es")
		checkPDF(t, "refusal", pdf, err)
	})
}

func checkPDF(t *testing.T, what string, pdf []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatalf("%s: not a PDF", what)
	}
}

// What the fonts cannot show is printed as a visible placeholder, never
// dropped and never passed to fpdf.
func TestPrintable_ReplacesWhatTheFontCannotShow(t *testing.T) {
	ph := string(glyphs().placeholder)
	if ph != "\uFFFD" {
		t.Fatalf("placeholder %q: DejaVu Sans has U+FFFD", ph)
	}
	for in, want := range map[string]string{
		"MARÍA LÓPEZ":        "MARÍA LÓPEZ",
		"JOSE\u0301":         "JOSÉ",
		"Ana 😀":              "Ana " + ph,
		"Ana\x00\x1b[31m":    "Ana" + ph + ph + "[31m",
		"An\u200ba\u202e":    "An" + ph + "a" + ph,
		"línea 1\r\nlínea 2": "línea 1\nlínea 2",
		"a\tb":               "a b",
		"\xff":               ph,
		"山":                  ph,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// The cmap reader finds what DejaVu Sans is known to have and lack.
func TestGlyphs_ReadFromTheEmbeddedFonts(t *testing.T) {
	g := glyphs()
	for _, r := range "AZaz09ÁÉÍÓÚÑÜñüŁŠŐĞİ€«»—°ºΔЖ\uFFFD" {
		if !g.has[r] {
			t.Errorf("U+%04X %c: not found in the font", r, r)
		}
	}
	for _, r := range []rune{'山', 0xE000, 0xFFFF} {
		if g.has[r] {
			t.Errorf("U+%04X: found, but DejaVu Sans has no such glyph", r)
		}
	}
	if len(g.has) < 3000 {
		t.Errorf("%d characters: the cmap was not read", len(g.has))
	}
}

// printable is what stands between any text and fpdf: whatever it returns
// is valid UTF-8 made only of line feeds and characters both fonts have.
// (This target runs fast; FuzzPDFBuildersPrintAnyName prints whole
// documents and is slow.)
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{testName, "Ana 😀", "\x00\x1b[31m", "\u202e\u200b\ufeff", "\xff", "JOSE\u0301", "山", "a\r\n\tb"} {
		f.Add(s)
	}
	g := glyphs()
	f.Fuzz(func(t *testing.T, s string) {
		out := printable(s)
		if !utf8.ValidString(out) {
			t.Fatalf("printable(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if r != '\n' && !g.has[r] {
				t.Fatalf("printable(%q) = %q: U+%04X has no glyph", s, out, r)
			}
		}
		if len(s) > 0 && strings.Trim(s, "\r") != "" && out == "" {
			t.Fatalf("printable(%q) dropped everything", s)
		}
	})
}
