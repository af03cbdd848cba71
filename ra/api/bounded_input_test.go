package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sello-pki/sello/store/storetest"
)

// Issue 16 "Bounded input": what a client sends is bounded and parsed
// before anything reaches the database, on both databases: an oversized or
// repeated query is a 400, not a 503 from the database, and ids, JSON keys
// and bodies are read strictly.
func TestBoundedInput_RefusedBeforeTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		h, admin, clerk := newJaliscoDesk(t, e)
		var filed struct {
			Request struct{ ID int64 } `json:"request"`
		}
		h.ok(clerk.Client, 201, "POST", "/api/v1/requests", map[string]any{"givenNames": "Juan", "firstSurname": "Pérez",
			"curp": "PEXJ800101HJCRXN07", "email": "juan.perez@jalisco.gob.mx", "title": "Jefe", "reason": "first_issuance"}, &filed)
		id := strconv.FormatInt(filed.Request.ID, 10)

		words := strings.TrimSpace(strings.Repeat("maria ", 40000))
		states := strings.TrimSuffix(strings.Repeat("submitted,", 40000), ",")
		longCode := strings.Repeat("A", 20000)
		cases := []struct {
			what   string
			client int // 0 clerk, 1 admin, 2 anonymous
			method string
			path   string
			body   any
		}{
			{"a search with 40,000 words", 0, "GET", "/api/v1/search?q=" + url.QueryEscape(words), nil},
			{"a search by CURP with a long term", 0, "GET", "/api/v1/search?by=curp&q=" + strings.Repeat("A", 5000), nil},
			{"a search by DNI with a long term", 0, "GET", "/api/v1/search?by=dni&q=" + strings.Repeat("1", 300), nil},
			{"a filter with 40,000 states", 0, "GET", "/api/v1/requests?state=" + states, nil},
			{"a 20,000-character organisation code (requests)", 1, "GET", "/api/v1/requests?organisation=" + longCode, nil},
			{"a 20,000-character organisation code (agents)", 1, "GET", "/api/v1/agents?organisation=" + longCode, nil},
			{"a query string of 100 KB", 0, "GET", "/api/v1/requests?x=" + strings.Repeat("a", 100<<10), nil},
			{"a repeated query key", 0, "GET", "/api/v1/requests?view=all&view=mine", nil},
			{"a repeated search term", 0, "GET", "/api/v1/search?q=juan&q=maria", nil},
			{"a query parameter the route does not take", 0, "GET", "/api/v1/requests?veiw=mine", nil},
			{"an id with a sign", 0, "GET", "/api/v1/requests/+" + id, nil},
			{"an id with a leading zero", 0, "GET", "/api/v1/requests/0" + id, nil},
			{"duplicate JSON keys", 0, "POST", "/api/v1/requests/" + id + "/cancel", scRawJSON(`{"reason":"a","reason":"b"}`)},
			{"a body on resend-credential", 0, "POST", "/api/v1/requests/" + id + "/resend-credential", scRawJSON(`{"force":true}`)},
			{"a body on resend-certificate", 0, "POST", "/api/v1/requests/" + id + "/resend-certificate", scRawJSON(`{"x":1}`)},
			{"invalid JSON on resend-credential", 0, "POST", "/api/v1/requests/" + id + "/resend-credential", scRawJSON(`{`)},
			// PostgreSQL refuses a NUL or invalid UTF-8 in a text parameter:
			// refused first, they are a 400 and not a 503.
			{"a NUL in a search term", 0, "GET", "/api/v1/search?q=Juan%00", nil},
			{"a NUL in a CURP search", 0, "GET", "/api/v1/search?by=curp&q=PEXJ800101HJCRXN07%00", nil},
			{"invalid UTF-8 in a search term", 0, "GET", "/api/v1/search?q=Juan%FF", nil},
			{"a NUL in an organisation code", 1, "GET", "/api/v1/requests?organisation=SEP-JAL%00", nil},
			{"invalid UTF-8 in an organisation code", 1, "GET", "/api/v1/agents?organisation=SEP%FF", nil},
			{"a NUL in a filing's organisation", 0, "POST", "/api/v1/requests", map[string]any{"organisation": "SEP-JAL\x00", "givenNames": "Juan",
				"firstSurname": "Pérez", "curp": "PEXJ800101HJCRXN07", "email": "juan.perez@jalisco.gob.mx", "title": "Jefe", "reason": "first_issuance"}},
			{"a NUL in a folio", 2, "POST", "/api/v1/public/requests/SEP-JAL%00/verify-email", map[string]any{"token": "x"}},
			{"a NUL in a verification code", 2, "GET", "/verificar/SEP-JAL-SOL-2026-000001?codigo=AAAA%00", nil},
			{"a NUL in the folio to verify", 2, "GET", "/verificar/SEP%00?codigo=K7Q2-9XMA-3HTN-0C5E", nil},
		}
		for _, c := range cases {
			cl := []*http.Client{clerk.Client, admin.Client, h.anon}[c.client]
			r := h.do(cl, c.method, c.path, c.body)
			if r.Status != 400 {
				t.Errorf("%s: %d %.300s, want 400", c.what, r.Status, r.Body)
			}
		}
	})
}
