package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
)

// An error is told once, without its type name, in the chosen language.
func TestUserMessage_OnceAndInTheChosenLanguage(t *testing.T) {
	eof := errors.New("unexpected EOF")
	quoted := errs.Wrap(errs.Malformed, eof, "invalid JSON: %s", eof)
	unquoted := errs.Wrap(errs.BadConfig, errors.New("permission denied"), "cannot write %s", "/srv/x")
	typedCause := errs.Wrap(errs.BadConfig, errs.New(errs.Malformed, "the key is not PEM"), "audit key")
	for _, c := range []struct {
		err  error
		lang string
		want string
	}{
		{quoted, "es", "JSON no válido: unexpected EOF"},
		{quoted, "en", "invalid JSON: unexpected EOF"},
		{unquoted, "es", "no se pudo escribir /srv/x: permission denied"},
		{unquoted, "en", "cannot write /srv/x: permission denied"},
		{typedCause, "es", "llave de la bitácora: la llave no está en formato PEM"},
		{typedCause, "en", "audit key: the key is not PEM"},
		{fmt.Errorf("org add: %w", errs.New(errs.NotFound, "organisation %d not found", 3)), "es", "org add: no se encontró la organización 3"},
		{errors.New(`unknown command "x"`), "es", `unknown command "x"`},
	} {
		if got := userMessage(c.err, c.lang); got != c.want {
			t.Errorf("userMessage(%v, %s) = %q, want %q", c.err, c.lang, got, c.want)
		}
	}
}

func TestLangFlag(t *testing.T) {
	t.Setenv("SELLO_LANG", "")
	if _, err := run(t, context.Background(), "--lang", "en", "version"); err != nil {
		t.Fatalf("--lang en: %v", err)
	}
	_, err := run(t, context.Background(), "--lang", "fr", "version")
	if !errs.Has(err, errs.Malformed) || !strings.Contains(userMessage(err, "es"), `idioma "fr"`) {
		t.Fatalf("--lang fr: %v", err)
	}
	root := newRoot()
	if lang, _ := root.PersistentFlags().GetString("lang"); lang != "es" {
		t.Errorf("default language %q, want es", lang)
	}
	t.Setenv("SELLO_LANG", "en")
	root = newRoot()
	if lang, _ := root.PersistentFlags().GetString("lang"); lang != "en" {
		t.Errorf("SELLO_LANG=en gives %q", lang)
	}
}
