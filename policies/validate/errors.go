package validate

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Error is a refusal of one identifier. Code is stable and machine readable
// (e.g. "curp.check_digit"); EN and ES are complete sentences for people.
type Error struct {
	Field string // "curp", "rfc", "dni", "ruc", "email", or the name field Name checked
	Code  string
	EN    string
	ES    string
	// Position and Rune locate the character a text check refused (Name,
	// Text): Position counts characters from 1, or bytes for invalid UTF-8.
	Position int
	Rune     rune
}

// Error returns the English message.
func (e *Error) Error() string { return e.EN }

// Is lets errors.Is(err, &Error{Code: "curp.length"}) match by Code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.EN == "" && t.ES == ""
}

// CodeOf returns the Code of err if it is (or wraps) an *Error, and "" otherwise.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Warning is a fact about an accepted identifier that an agent should see
// (RULES F2: a bad RFC check digit is shown, not refused).
type Warning struct {
	Code string
	EN   string
	ES   string
}

// labelError is newError for messages that start with the identifier's name,
// which differs between the languages.
func labelError(l idLabel, code, en, es string, args ...any) *Error {
	return &Error{
		Field: l.field,
		Code:  l.field + "." + code,
		EN:    fmt.Sprintf(en, append([]any{l.en}, args...)...),
		ES:    fmt.Sprintf(es, append([]any{l.es}, args...)...),
	}
}

// charsetError is labelError for the default "not allowed" refusal, whose
// second verb is the label's list of allowed characters.
func charsetError(l idLabel, en, es string, pos int, r rune) *Error {
	return &Error{
		Field: l.field,
		Code:  l.field + ".charset",
		EN:    fmt.Sprintf(en, l.en, l.allowEN, pos, r),
		ES:    fmt.Sprintf(es, l.es, l.allowES, pos, r),
	}
}

func newError(field, code, en, es string, args ...any) *Error {
	return &Error{
		Field: field,
		Code:  field + "." + code,
		EN:    fmt.Sprintf(en, args...),
		ES:    fmt.Sprintf(es, args...),
	}
}

// idLabel names an identifier inside sentences ("the CURP" / "la CURP") and
// says which characters it may contain.
type idLabel struct {
	field            string
	en, es           string
	allowEN, allowES string
}

var (
	curpLabel = idLabel{"curp", "The CURP", "La CURP",
		"capital letters A–Z and digits", "letras mayúsculas de la A a la Z y dígitos"}
	rfcLabel = idLabel{"rfc", "The RFC", "El RFC",
		"capital letters A–Z, Ñ, & and digits", "letras mayúsculas de la A a la Z, Ñ, & y dígitos"}
)

// checkCharset refuses the first rune that allowed rejects, with a code that
// says what kind of character it is, because "lowercase", "Ñ" and "accent"
// call for different advice to the person at the counter.
func checkCharset(l idLabel, s string, allowed func(rune) bool) *Error {
	pos := 0
	for i, r := range s {
		pos++
		if allowed(r) {
			continue
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return labelError(l, "charset",
					"%s is not valid UTF-8 text (byte %d).",
					"%s contiene un carácter no reconocible (byte %d); por favor, escríbala de nuevo.",
					i+1)
			}
		}
		switch {
		case unicode.IsSpace(r):
			return labelError(l, "space",
				"%s must not contain spaces (position %d).",
				"%s no debe contener espacios (posición %d); por favor, retírelos.",
				pos)
		case (r == 'ñ' || r == 'Ñ') && !allowed('Ñ'):
			return labelError(l, "enye",
				"%s never contains the letter Ñ (position %d); RENAPO writes it as X.",
				"%s nunca lleva la letra Ñ (posición %d); RENAPO la sustituye por X. Por favor, verifíquela en el documento.",
				pos)
		case r >= 'a' && r <= 'z' || r == 'ñ':
			return labelError(l, "lowercase",
				"%s must be written in capital letters; character %d (%q) is lowercase.",
				"%s debe escribirse en mayúsculas; el carácter %d («%c») está en minúscula.",
				pos, r)
		case isAccented(r):
			return labelError(l, "accent",
				"%s has no accents or diaeresis; character %d (%q) is not allowed.",
				"%s no lleva acentos ni diéresis; el carácter %d («%c») no es válido.",
				pos, r)
		default:
			return charsetError(l,
				"%s may only contain %s; character %d (%q) is not allowed.",
				"%s solo admite %s; el carácter %d («%c») no es válido.",
				pos, r)
		}
	}
	return nil
}

// isAccented reports whether r is a Latin letter with a diacritic (Latin-1
// Supplement and Latin Extended-A), the usual result of typing a name's
// spelling into an identifier field.
func isAccented(r rune) bool {
	return r >= 0xC0 && r <= 0x17F && r != 0xD7 && r != 0xF7 && unicode.IsLetter(r)
}

func isUpperASCII(r rune) bool { return r >= 'A' && r <= 'Z' }
func isDigitASCII(r rune) bool { return r >= '0' && r <= '9' }
