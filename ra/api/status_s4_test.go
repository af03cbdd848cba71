package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sello-pki/sello/store/storetest"
)

// RULES S4 (Zacatecas art. 68-I-c, 68-II) through the API: a holder's
// revocation request without the holder's address is a 400; a
// representative's needs the id of an uploaded power of attorney of the
// holder (the word "poder" is not enough); the address is recorded and
// shown with the request.
func TestRule_S4_StatusBodyCarriesAddressAndPowerOfAttorney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newAuthzFixture(t, e)
		h := f.h
		path := fmt.Sprintf("/api/v1/certificates/%d/status", f.certID)
		body := map[string]any{"kind": "revoke", "reason": "key_compromise", "identifier": f.holderCURP, "requester": "holder"}
		if r := h.do(f.clerk.Client, "POST", path, body); r.Status != 400 || !strings.Contains(string(r.Body), "domicilio") {
			t.Fatalf("no address: %d %s", r.Status, r.Body)
		}
		rep := map[string]any{"kind": "revoke", "reason": "key_compromise", "identifier": f.holderCURP, "requester": "representative",
			"address": "Av. Alcalde 1351, Guadalajara", "statement": "Actúo con poder notarial."}
		if r := h.do(f.clerk.Client, "POST", path, rep); r.Status != 400 || !strings.Contains(string(r.Body), "requiere el documento del poder") {
			t.Fatalf("a representative with no power of attorney: %d %s", r.Status, r.Body)
		}
		// f.docID is another kind of document, of another person's request.
		rep["powerOfAttorney"] = f.docID
		if r := h.do(f.clerk.Client, "POST", path, rep); r.Status != 400 || !strings.Contains(string(r.Body), "no es un poder") {
			t.Fatalf("another document as power of attorney: %d %s", r.Status, r.Body)
		}
		body["address"] = "Av. Alcalde 1351, Guadalajara"
		var out struct {
			Request struct {
				Address string `json:"address"`
				State   string `json:"state"`
			} `json:"request"`
		}
		h.ok(f.clerk.Client, 200, "POST", path, body, &out)
		if out.Request.Address != "Av. Alcalde 1351, Guadalajara" || out.Request.State != "done" {
			t.Fatalf("recorded request %+v", out.Request)
		}
	})
}
