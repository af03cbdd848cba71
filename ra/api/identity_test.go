package api

import (
	"net/http"
	"testing"

	"github.com/sello-pki/sello/store/storetest"
)

// Issue 17 "Identity at filing", through the API: a filing in person is
// checked like one online (the CURP's format and check digit, RULES R3; the
// institutional domain, R9) before anything is stored, and an identifier on
// record under another name is refused for a filing and for a new agent.
func TestRule_R3_IdentityCheckedAtFilingThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		h, admin, clerk := newJaliscoDesk(t, e)
		filing := func(field, value string) map[string]any {
			b := map[string]any{"givenNames": "Juan", "firstSurname": "Pérez", "curp": "PEXJ800101HJCRXN07",
				"email": "juan.perez@jalisco.gob.mx", "title": "Jefe", "reason": "first_issuance"}
			b[field] = value
			return b
		}
		enrollments := func() int {
			var n int
			e.Store.DB().Get(&n, "SELECT COUNT(*) FROM enrollments")
			return n
		}
		for _, c := range []struct {
			what        string
			client      *http.Client
			path        string
			body        map[string]any
			status      int
			recordsMore bool
		}{
			{"a malformed CURP", clerk.Client, "/api/v1/requests", filing("curp", "ABC123"), 400, false},
			{"a webmail address", clerk.Client, "/api/v1/requests", filing("email", "eva@gmail.com"), 400, false},
			{"another person's CURP", clerk.Client, "/api/v1/requests", func() map[string]any {
				b := filing("curp", "CLXC800101HJCLRR09")
				b["givenNames"], b["firstSurname"] = "Luis", "Gómez"
				return b
			}(), 409, false},
			{"a compliant filing", clerk.Client, "/api/v1/requests", filing("title", "Jefe"), 201, true},
		} {
			before := enrollments()
			if r := h.do(c.client, "POST", c.path, c.body); r.Status != c.status {
				t.Errorf("%s: %s, want %d", c.what, r, c.status)
			}
			if after := enrollments(); (after > before) != c.recordsMore {
				t.Errorf("%s: %d requests before, %d after", c.what, before, after)
			}
		}
		pedro := map[string]any{"organisation": "SEP-JAL", "role": "agent", "givenNames": "Pedro", "firstSurname": "Núñez",
			"curp": "CLXC800101HJCLRR09", "email": "pedro.nunez@jalisco.gob.mx", "title": "Agente", "csr": string(scCSR(t))}
		if r := h.do(admin.Client, "POST", "/api/v1/agents", pedro); r.Status != 409 {
			t.Errorf("an agent with another person's CURP: %s, want 409", r)
		}
	})
}
