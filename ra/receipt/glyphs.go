package receipt

import (
	"encoding/binary"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// placeholderRune stands, visibly, for a character the embedded font cannot
// print: U+FFFD REPLACEMENT CHARACTER, which DejaVu Sans has (the question
// mark when a font lacks even that).
const placeholderRune = '\uFFFD'

// printable returns s as the embedded fonts can print it, so that no text
// can make fpdf fail or panic and nothing is dropped without a trace:
// decomposed accents are composed (compose), a carriage return before a
// line feed is dropped and a tab is a space, and every other control or
// invisible formatting character, every character outside the Basic
// Multilingual Plane (fpdf's UTF-8 fonts stop at U+FFFF; an emoji there
// panicked) and every character either font has no glyph for is replaced by
// the placeholder. The RA refuses these characters in names at the door
// (validate.Name); this is what keeps a document printable whatever an
// older record or another text holds.
func printable(s string) string {
	s = compose(s)
	g := glyphs()
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !g.plain(r) }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteRune(g.placeholder) // a byte that is not UTF-8
				continue
			}
		}
		switch {
		case r == '\r':
			// dropped: a line feed follows, or the line simply ends here
		case r == '\t':
			b.WriteRune(' ')
		case g.plain(r):
			b.WriteRune(r)
		default:
			b.WriteRune(g.placeholder)
		}
	}
	return b.String()
}

// glyphSet is the characters both embedded fonts (regular and bold) map to
// a glyph, and the placeholder they share.
type glyphSet struct {
	has         map[rune]bool
	placeholder rune
}

// plain reports whether r prints as itself: a line feed (MultiCell breaks
// the line there) or a visible character both fonts have.
func (g *glyphSet) plain(r rune) bool {
	if r == '\n' {
		return true
	}
	if r > 0xFFFF || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs) {
		return false
	}
	return g.has[r]
}

var glyphs = sync.OnceValue(func() *glyphSet {
	regular, bold := cmapBMP(dejaVuSans), cmapBMP(dejaVuSansBold)
	g := &glyphSet{has: make(map[rune]bool, len(regular)), placeholder: '?'}
	for r := range regular {
		if bold[r] {
			g.has[r] = true
		}
	}
	if g.has[placeholderRune] {
		g.placeholder = placeholderRune
	}
	return g
})

// cmapBMP returns the characters of the Basic Multilingual Plane that a
// TrueType font's Unicode cmap (format 4, platform 3 encoding 1 or platform
// 0) maps to a glyph other than .notdef. A table it cannot read gives the
// empty set, so that everything but a line feed prints as '?': wrong, but
// never a panic.
func cmapBMP(font []byte) map[rune]bool {
	out := map[rune]bool{}
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(font) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(font[off:])), true
	}
	u32 := func(off int) (int, bool) {
		if off < 0 || off+4 > len(font) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(font[off:])), true
	}
	numTables, ok := u16(4)
	if !ok {
		return out
	}
	cmap := -1
	for i := range numTables {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return out
		}
		if string(font[rec:rec+4]) == "cmap" {
			cmap, _ = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return out
	}
	n, _ := u16(cmap + 2)
	sub := -1
	for i := range n {
		platform, _ := u16(cmap + 4 + 8*i)
		encoding, _ := u16(cmap + 6 + 8*i)
		off, ok := u32(cmap + 8 + 8*i)
		if !ok {
			return out
		}
		if format, _ := u16(cmap + off); format == 4 && (platform == 3 && encoding == 1 || platform == 0) {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return out
	}
	segX2, ok := u16(sub + 6)
	if !ok {
		return out
	}
	ends, starts, deltas, ranges := sub+14, sub+16+segX2, sub+16+2*segX2, sub+16+3*segX2
	for i := 0; i < segX2/2; i++ {
		end, ok1 := u16(ends + 2*i)
		start, ok2 := u16(starts + 2*i)
		delta, ok3 := u16(deltas + 2*i)
		rangeOff, ok4 := u16(ranges + 2*i)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return out
		}
		for c := start; c <= end && c != 0xFFFF; c++ {
			gid := 0
			if rangeOff == 0 {
				gid = (c + delta) & 0xFFFF
			} else if v, ok := u16(ranges + 2*i + rangeOff + 2*(c-start)); ok && v != 0 {
				gid = (v + delta) & 0xFFFF
			}
			if gid != 0 {
				out[rune(c)] = true
			}
		}
	}
	return out
}
