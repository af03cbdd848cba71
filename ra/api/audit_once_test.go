package api

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// A refusal is audited once, by the layer that refused: the RA for what it
// refuses (a transition from the wrong state, another organisation's
// record, a login nobody holds), the API for what never reached the RA (a
// body it cannot decode, an id it cannot parse).
func TestAuditOnce_RefusedCallsLeaveOneEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		mx, _ := time.LoadLocation("America/Mexico_City")
		h := newScHarness(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, mx))
		h.addOrg("SEP-JAL", "Secretaría de Educación Jalisco", "jalisco", "Dirección de Personal")
		h.setAckSigner("SEP-JAL", "acuses@jalisco.gob.mx")
		h.addOrg("SALUD-JAL", "Secretaría de Salud Jalisco", "jalisco", "Dirección de Personal")
		clerk := h.addAgent("SEP-JAL", store.RoleAgent, store.PersonData{GivenNames: "Carlos", FirstSurname: "Clerk",
			CURP: "CLXC800101HJCLRR09", Email: "carlos@jalisco.gob.mx"}, "Agente")
		other := h.addAgent("SALUD-JAL", store.RoleAgent, store.PersonData{GivenNames: "Ana", FirstSurname: "Otra",
			CURP: "LOHM800101MJCPRR06", Email: "ana@jalisco.gob.mx"}, "Agente")
		var filed struct {
			Request struct{ ID int64 } `json:"request"`
		}
		h.ok(clerk.Client, 201, "POST", "/api/v1/requests", map[string]any{"givenNames": "Juan", "firstSurname": "Pérez",
			"curp": "PEXJ800101HJCRXN07", "email": "juan.perez@jalisco.gob.mx", "title": "Jefe", "reason": "first_issuance"}, &filed)
		id := strconv.FormatInt(filed.Request.ID, 10)
		cases := []struct {
			what   string
			status int
			call   func() scResponse
		}{
			{"a transition from the wrong state (refused by the RA)", 409,
				func() scResponse { return h.do(clerk.Client, "POST", "/api/v1/requests/"+id+"/resume", nil) }},
			{"another organisation's request (refused by the RA, answered as a missing one)", 404,
				func() scResponse {
					return h.do(other.Client, "POST", "/api/v1/requests/"+id+"/cancel", map[string]any{"reason": "x"})
				}},
			{"a request that does not exist (refused by the RA)", 404,
				func() scResponse {
					return h.do(clerk.Client, "POST", "/api/v1/requests/999999/cancel", map[string]any{"reason": "x"})
				}},
			{"no client certificate (refused by the RA's authentication)", 401,
				func() scResponse { return h.do(h.anon, "GET", "/api/v1/requests", nil) }},
			{"a body that is not JSON (refused by the API)", 400,
				func() scResponse {
					return h.do(clerk.Client, "POST", "/api/v1/requests/"+id+"/cancel", scRawJSON(`{"reason":`))
				}},
			{"an id that is not one (refused by the API)", 400,
				func() scResponse { return h.do(clerk.Client, "GET", "/api/v1/requests/05", nil) }},
		}
		for _, c := range cases {
			seq := h.auditHead()
			if r := c.call(); r.Status != c.status {
				t.Errorf("%s: %s, want %d", c.what, r, c.status)
				continue
			}
			// An anonymous caller's refusals are tallied: one entry per
			// client and minute, written when the minute ends.
			h.ra.FlushAnonymousRefusals(context.Background(), true)
			var refused int
			for _, en := range h.auditSince(seq) {
				if en.Outcome == store.OutcomeRefused {
					refused++
				}
			}
			if refused != 1 {
				t.Errorf("%s: %d refused audit entries, want exactly 1", c.what, refused)
			}
		}
	})
}
