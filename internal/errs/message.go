package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Languages a message is rendered in. Spanish is the default: Sello's agents
// and operators are Spanish-speaking.
const (
	Spanish = "es"
	English = "en"
)

// Normalize maps a language tag to "en" or "es" (anything that is not
// English, including an empty tag, is Spanish).
func Normalize(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if l == English || strings.HasPrefix(l, English+"-") || strings.HasPrefix(l, English+"_") {
		return English
	}
	return Spanish
}

// Message renders the client-safe detail in lang ("en" for English, anything
// else for Spanish). Arguments that are themselves typed errors are rendered
// in the same language. A format missing from the catalogue falls back to
// English; the catalogue test keeps that from happening in shipped code.
func (e *Error) Message(lang string) string {
	if e.Format == "" {
		return e.Detail
	}
	lang = Normalize(lang)
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		args[i] = localizeArg(a, lang)
	}
	format := e.Format
	if lang == Spanish {
		if es, ok := spanish[format]; ok {
			format = es
		}
	}
	return fmt.Sprintf(format, args...)
}

// localizeArg renders a typed-error argument in lang; other arguments pass
// through unchanged.
func localizeArg(a any, lang string) any {
	err, ok := a.(error)
	if !ok {
		return a
	}
	var e *Error
	if errors.As(err, &e) && e.Error() == err.Error() {
		return e.Message(lang)
	}
	return a
}

// Translate renders format with args in lang from the catalogue, for text
// that is not an error (e.g. a decoder's list of missing fields).
func Translate(lang, format string, args ...any) string {
	return (&Error{Format: format, Args: args}).Message(lang)
}

// MessageOf renders err in lang: a typed error by its detail, anything else
// by its Error text.
func MessageOf(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message(lang)
	}
	return err.Error()
}

// SpanishFormat returns the catalogue's Spanish format for an English one.
func SpanishFormat(english string) (string, bool) {
	es, ok := spanish[english]
	return es, ok
}
