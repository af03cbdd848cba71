package validate

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Codes of the refusals of Name and Text. The field checked is in
// Error.Field, so the code is the same for every field.
const (
	CodeTextUTF8       = "text.utf8"       // not valid UTF-8
	CodeTextControl    = "text.control"    // NUL, C0 and C1 controls, including the ESC of ANSI escapes
	CodeTextInvisible  = "text.invisible"  // format characters: bidi overrides and isolates, zero-width characters, BOM
	CodeTextUnassigned = "text.unassigned" // unassigned code points, noncharacters, private use, line and paragraph separators
	CodeTextPlane      = "text.plane"      // outside the Basic Multilingual Plane (emoji): the printed forms cannot show it
)

// Name checks a text that is printed as one line wherever it appears: a
// person's given names and surnames, a title or position, an organisation's
// name or unit. It refuses, naming field, text that is not valid UTF-8 and
// any character that is not a letter, mark, digit, punctuation, symbol or
// space of the Basic Multilingual Plane:
//
//   - control characters (NUL, tab, newline, ESC and hence ANSI escapes, C1);
//   - format characters, which are invisible: the bidirectional overrides and
//     isolates (U+202A–U+202E, U+2066–U+2069), zero-width characters
//     (U+200B–U+200F, U+2060) and the byte-order mark (U+FEFF), with which a
//     name can be made to read differently from what it holds;
//   - unassigned and private-use code points, noncharacters and the line and
//     paragraph separators;
//   - characters outside the Basic Multilingual Plane, such as emoji: no
//     civil registry writes them in a name, and the embedded font of the
//     printed forms has none of them.
//
// Name does not trim or rewrite value; an empty value passes (whether a field
// is required is the caller's to say).
func Name(field, value string) error { return checkText(field, value, false) }

// Text is Name for free text that may run over several lines (a statement,
// the grounds of a refusal, a reason): it also accepts line feeds, carriage
// returns and tabs.
func Text(field, value string) error { return checkText(field, value, true) }

func checkText(field, value string, multiline bool) error {
	pos := 0
	for i, r := range value {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(value[i:]); size <= 1 {
				return textError(field, CodeTextUTF8, i+1, r,
					"%s is not valid UTF-8 text (byte %d).",
					"%s no es texto UTF-8 válido (byte %d).", i+1)
			}
		}
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		switch {
		case unicode.Is(unicode.Cc, r):
			return textError(field, CodeTextControl, pos, r,
				"%s contains a control character (U+%04X) at position %d.",
				"%s contiene un carácter de control (U+%04X) en la posición %d.", r, pos)
		case unicode.Is(unicode.Cf, r):
			return textError(field, CodeTextInvisible, pos, r,
				"%s contains an invisible formatting character (U+%04X) at position %d, such as a direction override or a zero-width character.",
				"%s contiene un carácter de formato invisible (U+%04X) en la posición %d, como un cambio de dirección del texto o un carácter de ancho cero.", r, pos)
		case r > 0xFFFF && printable(r):
			return textError(field, CodeTextPlane, pos, r,
				"%s contains a character the printed forms cannot show (U+%04X) at position %d, such as an emoji.",
				"%s contiene un carácter que los formatos impresos no pueden mostrar (U+%04X) en la posición %d, como un emoji.", r, pos)
		case !printable(r) || r > 0xFFFF:
			return textError(field, CodeTextUnassigned, pos, r,
				"%s contains a character that is unassigned or for private use (U+%04X) at position %d.",
				"%s contiene un carácter no asignado o de uso privado (U+%04X) en la posición %d.", r, pos)
		}
	}
	return nil
}

// printable reports whether r is an assigned letter, mark, number,
// punctuation, symbol or space character.
func printable(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs)
}

func textError(field, code string, pos int, r rune, en, es string, args ...any) *Error {
	return &Error{
		Field:    field,
		Code:     code,
		EN:       fmt.Sprintf(en, append([]any{field}, args...)...),
		ES:       fmt.Sprintf(es, append([]any{field}, args...)...),
		Position: pos,
		Rune:     r,
	}
}
