package problem

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		header []string
		want   string
	}{
		{nil, "es"},
		{[]string{""}, "es"},
		{[]string{"en"}, "en"},
		{[]string{"en-US,en;q=0.9"}, "en"},
		{[]string{"EN-gb"}, "en"},
		{[]string{"es-MX,es;q=0.9,en;q=0.8"}, "es"},
		{[]string{"en;q=0.5, es;q=0.9"}, "es"},
		{[]string{"es;q=0.4, en;q=0.6"}, "en"},
		{[]string{"fr, en;q=0.1"}, "en"},
		{[]string{"fr, de"}, "es"},
		{[]string{"en;q=0"}, "es"},
		{[]string{"en, es"}, "en"},
		{[]string{"es, en"}, "es"},
		{[]string{"*"}, "es"},
		{[]string{"es;q=0, *;q=0.5"}, "en"},
		{[]string{"en;q=abc, es;q=0.2"}, "es"},
		{[]string{"en;q=2"}, "es"},
		{[]string{"de", "en;q=0.7"}, "en"},
		{[]string{"english"}, "es"},
	} {
		if got := Negotiate(c.header...); got != c.want {
			t.Errorf("Negotiate(%q) = %s, want %s", c.header, got, c.want)
		}
	}
}

func TestLang_ReadsAcceptLanguage(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if Lang(r) != "es" {
		t.Error("no header: want es")
	}
	r.Header.Set("Accept-Language", "en-US,en;q=0.9,es;q=0.8")
	if Lang(r) != "en" {
		t.Error("English preferred: want en")
	}
}

func write(t *testing.T, lang string, err error) (*httptest.ResponseRecorder, Document) {
	t.Helper()
	w := httptest.NewRecorder()
	Write(w, lang, err)
	var d Document
	if e := json.Unmarshal(w.Body.Bytes(), &d); e != nil {
		t.Fatal(e)
	}
	return w, d
}

func TestWrite_SameTypeBothLanguages(t *testing.T) {
	err := errs.New(errs.NotFound, "agent %d not found", 4)
	wes, es := write(t, "es", err)
	wen, en := write(t, "en", err)
	if es.Type != en.Type || es.Type != "urn:sello:problem:notFound" || es.Status != 404 || wes.Code != 404 {
		t.Fatalf("es %+v en %+v", es, en)
	}
	if es.Title != "No encontrado" || es.Detail != "no se encontró el agente 4" {
		t.Errorf("Spanish: %+v", es)
	}
	if en.Title != "Not found" || en.Detail != "agent 4 not found" {
		t.Errorf("English: %+v", en)
	}
	if wes.Header().Get("Content-Type") != "application/problem+json" || wes.Header().Get("Content-Language") != "es" || wen.Header().Get("Content-Language") != "en" {
		t.Errorf("headers: %v / %v", wes.Header(), wen.Header())
	}
}

func TestWrite_SubproblemsPerLanguage(t *testing.T) {
	err := errs.New(errs.PolicyRefused, "requirements not met: %s", "R1, R2").WithSubproblems(
		errs.Subproblem{Rule: "R1", ES: "no hay nombramiento vigente", EN: "no current appointment"},
		errs.Subproblem{Rule: "R2", ES: "falta la identificación", EN: "the ID is missing"})
	_, es := write(t, "es", err)
	_, en := write(t, "en", err)
	if len(es.Subproblems) != 2 || len(en.Subproblems) != 2 {
		t.Fatalf("subproblems: %+v / %+v", es.Subproblems, en.Subproblems)
	}
	if es.Subproblems[0] != (Subproblem{Type: "urn:sello:rule:R1", Rule: "R1", Detail: "no hay nombramiento vigente"}) {
		t.Errorf("es[0] = %+v", es.Subproblems[0])
	}
	if en.Subproblems[1] != (Subproblem{Type: "urn:sello:rule:R2", Rule: "R2", Detail: "the ID is missing"}) {
		t.Errorf("en[1] = %+v", en.Subproblems[1])
	}
	if es.Detail != "requisitos no cumplidos: R1, R2" || es.Status != 422 {
		t.Errorf("es = %+v", es)
	}
}

func TestLocalized_HidesServerFailures(t *testing.T) {
	for _, err := range []error{
		errs.Wrap(errs.BadConfig, errors.New("secret path /etc/x"), "policy %s", "jal"),
		errs.New(errs.LintFailed, "certificate fails %d lint(s): %s", 1, "x"),
		errors.New("untyped: password=hunter2"),
	} {
		d := Localized(err, "en")
		if d.Type != "urn:sello:problem:internal" || d.Status != 500 || d.Detail != "" || d.Title != "Internal error" {
			t.Errorf("%v -> %+v", err, d)
		}
	}
	d := Localized(errs.Wrap(errs.Unavailable, errors.New("dial tcp"), "database unavailable"), "es")
	if d.Status != 503 || d.Detail != "la base de datos no está disponible" {
		t.Errorf("unavailable -> %+v", d)
	}
}

func TestTitle_EveryTypeInBothLanguages(t *testing.T) {
	for typ := range statusOf {
		es, en := Title(typ, "es"), Title(typ, "en")
		if es == "" || en == "" || es == en {
			t.Errorf("%s: es %q en %q", typ, es, en)
		}
		if _, ok := titles[typ]; !ok {
			t.Errorf("%s has no title", typ)
		}
	}
	if StatusOf(errs.BadConfig) != http.StatusInternalServerError || StatusOf(errs.NotFound) != http.StatusNotFound {
		t.Error("StatusOf")
	}
}

// A rate-limited client is told, in the header, when it may retry: 429
// with Retry-After in whole seconds, rounded up, and a Spanish title.
func TestWrite_RateLimitedAnswers429WithRetryAfter(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, "es", errs.Limited(1500*time.Millisecond, "too many filings from this address"))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("status %d, Retry-After %q; want 429 and 2", w.Code, w.Header().Get("Retry-After"))
	}
	var d Document
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || d.Title != "Demasiadas solicitudes; intente más tarde" {
		t.Fatalf("document %+v (%v)", d, err)
	}
}
