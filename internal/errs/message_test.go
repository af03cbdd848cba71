package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestMessage_SpanishByDefaultEnglishOnRequest(t *testing.T) {
	e := New(NotFound, "agent %d not found", 7)
	for lang, want := range map[string]string{
		"":      "no se encontró el agente 7",
		"es":    "no se encontró el agente 7",
		"es-MX": "no se encontró el agente 7",
		"en":    "agent 7 not found",
		"EN-us": "agent 7 not found",
	} {
		if got := e.Message(lang); got != want {
			t.Errorf("Message(%q) = %q, want %q", lang, got, want)
		}
	}
	if e.Detail != "agent 7 not found" {
		t.Errorf("Detail = %q, want the English text", e.Detail)
	}
}

func TestMessage_TypedArgumentsAreTranslatedToo(t *testing.T) {
	inner := New(Malformed, "the key is not PEM")
	e := Wrap(BadConfig, inner, "HR source %q: %s", "rh", inner)
	if got, want := e.Message("es"), `fuente de Recursos Humanos "rh": la llave no está en formato PEM`; got != want {
		t.Errorf("es: %q, want %q", got, want)
	}
	if got, want := e.Message("en"), `HR source "rh": the key is not PEM`; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	// A wrapped typed error is shown by its own text, not re-rendered.
	wrapped := fmt.Errorf("context: %w", inner)
	if got := New(Malformed, "%s", wrapped).Message("es"); got != "context: malformed: the key is not PEM" {
		t.Errorf("wrapped argument: %q", got)
	}
}

func TestMessage_UncataloguedFormatFallsBackToEnglish(t *testing.T) {
	if got := New(Malformed, "not in the catalogue %d", 1).Message("es"); got != "not in the catalogue 1" {
		t.Errorf("got %q", got)
	}
	if got := (&Error{Type: Internal, Detail: "raw"}).Message("es"); got != "raw" {
		t.Errorf("error without format: %q", got)
	}
}

func TestMessageOf(t *testing.T) {
	if got := MessageOf(fmt.Errorf("x: %w", New(NotFound, "agent %d not found", 2)), "es"); got != "no se encontró el agente 2" {
		t.Errorf("typed: %q", got)
	}
	if got := MessageOf(errors.New("plain"), "es"); got != "plain" {
		t.Errorf("plain: %q", got)
	}
}

func TestSubproblems(t *testing.T) {
	e := New(PolicyRefused, "requirements not met: %s", "R1").WithSubproblems(
		Subproblem{Rule: "R1", ES: "falta el nombramiento", EN: "no appointment"})
	if len(e.Subproblems) != 1 || e.Subproblems[0].Message("es") != "falta el nombramiento" || e.Subproblems[0].Message("en") != "no appointment" {
		t.Fatalf("subproblems: %+v", e.Subproblems)
	}
	if !errors.Is(e, Sentinel(PolicyRefused)) {
		t.Error("errors.Is by type no longer matches")
	}
}
