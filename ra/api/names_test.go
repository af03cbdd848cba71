package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sello-pki/sello/store/storetest"
)

// Issue 16 "Names", through the API on both databases: a name or title
// holding a NUL, an ANSI escape, a bidi override, a zero-width character
// or an emoji is a 400 whose detail names the field, on every channel; a
// name the API accepts is printed, with a visible placeholder for what the
// embedded font cannot show, and never breaks the acknowledgement.
func TestNames_RefusedThroughTheAPIAndAcceptedNamesPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		h, admin, clerk := newJaliscoDesk(t, e)
		filing := func(field, value string) map[string]any {
			b := map[string]any{"organisation": "SEP-JAL", "givenNames": "Juan", "firstSurname": "Pérez", "curp": "PEXJ800101HJCRXN07",
				"email": "juan.perez@jalisco.gob.mx", "title": "Jefe", "reason": "first_issuance"}
			b[field] = value
			return b
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
		agent := func(field, value string) map[string]any {
			b := map[string]any{"organisation": "SEP-JAL", "role": "agent", "givenNames": "Ana", "firstSurname": "Ruiz",
				"curp": "RUXA900215MJCZXN06", "email": "ana.ruiz@jalisco.gob.mx", "title": "Agente registradora",
				"csr": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))}
			b[field] = value
			return b
		}
		cases := []struct {
			what, path, field string
			client            int // 0 clerk, 1 admin, 2 anonymous
			body              map[string]any
		}{
			{"in person, an emoji in the given names", "/api/v1/requests", "givenNames", 0, filing("givenNames", "Juan 😀")},
			{"in person, a right-to-left override in the surname", "/api/v1/requests", "firstSurname", 0, filing("firstSurname", "Pérez\u202ezeréP")},
			{"in person, an ANSI escape in the title", "/api/v1/requests", "title", 0, filing("title", "\x1b[1mDirector\x1b[0m")},
			{"in person, a NUL in the place", "/api/v1/requests", "place", 0, filing("place", "Guadalajara\x00")},
			{"online, a zero-width space in the given names", "/api/v1/public/requests", "givenNames", 2, filing("givenNames", "Ju\u200ban")},
			{"online, a bidi isolate in the second surname", "/api/v1/public/requests", "secondSurname", 2, filing("secondSurname", "\u2067López\u2069")},
			{"agent, a NUL in the given names", "/api/v1/agents", "givenNames", 1, agent("givenNames", "Ana\x00")},
			{"agent, a BOM in the title", "/api/v1/agents", "title", 1, agent("title", "\ufeffAgente")},
			{"organisation, a word joiner in the name", "/api/v1/organisations", "name", 1,
				map[string]any{"code": "SEC-JAL", "name": "Secretaría\u2060General", "policy": "jalisco"}},
			{"organisation, a control character in the unit", "/api/v1/organisations", "unit", 1,
				map[string]any{"code": "SEC-JAL", "name": "Secretaría General", "policy": "jalisco", "unit": "Dirección\u0085"}},
		}
		for _, c := range cases {
			cl := []*http.Client{clerk.Client, admin.Client, h.anon}[c.client]
			r := h.do(cl, "POST", c.path, c.body)
			var p struct {
				Detail string `json:"detail"`
			}
			_ = json.Unmarshal(r.Body, &p)
			if r.Status != http.StatusBadRequest || !strings.HasPrefix(p.Detail, c.field+": ") {
				t.Errorf("%s: %s, want 400 naming %s", c.what, r, c.field)
			}
		}

		// A name the API accepts prints: a CJK given name, which DejaVu Sans
		// cannot show, is printed as placeholders beside the rest.
		var filed struct {
			Request struct{ ID int64 } `json:"request"`
		}
		h.ok(clerk.Client, 201, "POST", "/api/v1/requests", filing("givenNames", "Juan 山田"), &filed)
		text := h.pdfText(clerk.Client, "/api/v1/requests/"+strconv.FormatInt(filed.Request.ID, 10)+"/acknowledgement.pdf")
		if !strings.Contains(text, "JUAN \uFFFD\uFFFD") {
			t.Errorf("the acknowledgement does not print the name with placeholders:\n%s", text)
		}
	})
}
