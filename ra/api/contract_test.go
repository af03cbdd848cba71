package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sello-pki/sello/internal/apischema/schematest"
)

// The API is a contract: every answer the scenario tests receive, and
// every example the document shows, validates against the OpenAPI
// document's schemas, which are generated from the Go types.

var contract struct {
	once sync.Once
	doc  map[string]any
	v    *schematest.Validator
	err  error
}

func contractOf(t testing.TB, h *Handler) (map[string]any, *schematest.Validator) {
	t.Helper()
	contract.once.Do(func() {
		raw, err := h.document()
		if err != nil {
			contract.err = err
			return
		}
		if contract.err = json.Unmarshal(raw, &contract.doc); contract.err != nil {
			return
		}
		contract.v, contract.err = schematest.New(raw)
	})
	if contract.err != nil {
		t.Fatalf("the OpenAPI document: %v", contract.err)
	}
	return contract.doc, contract.v
}

// schemaAt walks the document to the schema of an operation's response
// (or request body), and returns the component it names.
func schemaAt(doc map[string]any, keys ...string) (string, error) {
	var cur any = doc
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no %s in the document", strings.Join(keys, " / "))
		}
		if cur, ok = m[k]; !ok {
			return "", fmt.Errorf("no %s in the document", strings.Join(keys, " / "))
		}
	}
	m, _ := cur.(map[string]any)
	ref, _ := m["$ref"].(string)
	if !strings.HasPrefix(ref, "#/components/schemas/") {
		return "", fmt.Errorf("%s is not a named schema", strings.Join(keys, " / "))
	}
	return strings.TrimPrefix(ref, "#/components/schemas/"), nil
}

// checkContract validates one answer of the API against the document.
func checkContract(t testing.TB, h *Handler, req *http.Request, r scResponse) {
	t.Helper()
	if h == nil || !strings.HasPrefix(req.URL.Path, "/api/v1/") && !strings.HasPrefix(req.URL.Path, "/verificar/") {
		return
	}
	doc, v := contractOf(t, h)
	rt, ok := h.routeFor(req)
	if !ok {
		return // an unknown endpoint: a problem document, checked below by the 404 tests
	}
	op := []string{"paths", rt.path, strings.ToLower(rt.method), "responses"}
	ct := r.Header.Get("Content-Type")
	var keys []string
	switch {
	case strings.HasPrefix(ct, "application/problem+json"):
		keys = append(op, "default", "content", "application/problem+json", "schema")
	case strings.HasPrefix(ct, "application/json"):
		if r.Status != rt.status {
			t.Errorf("%s %s answered %d with JSON; the document says %d", req.Method, req.URL.Path, r.Status, rt.status)
			return
		}
		keys = append(op, strconv.Itoa(rt.status), "content", "application/json", "schema")
	default:
		if rt.produces == "" || r.Status != rt.status {
			t.Errorf("%s %s answered %d %q; the document says %d %s", req.Method, req.URL.Path, r.Status, ct, rt.status, rt.produces)
		}
		return
	}
	name, err := schemaAt(doc, keys...)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return
	}
	if err := v.Validate(name, r.Body); err != nil {
		t.Errorf("%s %s answered %d, which does not validate against %s: %v\n%s", req.Method, req.URL.Path, r.Status, name, err, r.Body)
	}
}

// Every documented request example decodes with the route's own decoder
// and validates against the route's request schema.
func TestContract_DocumentedExamplesValidate(t *testing.T) {
	h := New(Config{})
	doc, v := contractOf(t, h)
	n := 0
	for _, rt := range h.table() {
		ex, ok := examples[rt.method+" "+rt.path]
		if !ok {
			continue
		}
		n++
		raw, _ := json.Marshal(ex)
		name, err := schemaAt(doc, "paths", rt.path, strings.ToLower(rt.method), "requestBody", "content", "application/json", "schema")
		if err != nil {
			t.Errorf("%s %s: %v", rt.method, rt.path, err)
			continue
		}
		if err := v.Validate(name, raw); err != nil {
			t.Errorf("%s %s: the example does not validate against %s: %v", rt.method, rt.path, name, err)
		}
		req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(string(raw)))
		req.Header.Set("Content-Type", "application/json")
		if err := decode(req, newIn(rt)); err != nil {
			t.Errorf("%s %s: the example is refused by the route's decoder: %v", rt.method, rt.path, err)
		}
	}
	if n != len(examples) {
		t.Errorf("%d of %d examples belong to a route", n, len(examples))
	}
}

// A body that is valid JSON but says nothing the route needs is a 400
// that names the missing fields, in Spanish by default and in English on
// request.
func TestContract_EmptyBodyNamesMissingFields(t *testing.T) {
	h := New(Config{})
	for _, rt := range h.table() {
		if rt.in == nil || rt.in.Name() == "NoBody" {
			continue
		}
		req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		err := decode(req, newIn(rt))
		if err == nil {
			if rt.in.Name() == "ConfirmBody" {
				t.Errorf("%s %s: {} accepted", rt.method, rt.path)
			}
			continue
		}
		if !strings.Contains(err.Error(), "missing") && rt.in.Name() != "ConfirmBody" {
			t.Errorf("%s %s: {} refused without naming the missing fields: %v", rt.method, rt.path, err)
		}
	}
}

// newIn is a fresh request body of rt's type.
func newIn(rt route) any { return reflect.New(rt.in).Interface() }
