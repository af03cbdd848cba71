package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
)

// FuzzDecode: any request body gives the typed value or a precise 4xx error
// type, never a panic or an internal error.
func FuzzDecode(f *testing.F) {
	f.Add(`{"organisation":"SEP-JAL","reason":"first_issuance","givenNames":"María"}`)
	f.Add(`{"curp": 5}`)
	f.Add(`{"x":1}`)
	f.Add(`{} {}`)
	f.Add(`[`)
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/requests", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var b FilingBody
		err := decode(r, &b)
		if err == nil {
			return
		}
		switch errs.TypeOf(err) {
		case errs.Malformed, errs.TooLarge, errs.UnsupportedType:
		default:
			t.Fatalf("decode(%q) = %v: not a 4xx error type", body, err)
		}
	})
}
