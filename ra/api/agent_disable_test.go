package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sello-pki/sello/store/storetest"
)

// RULES O2, S4, issue 17: disabling an agent revokes their login
// certificate through the common status path: the holder is notified, the
// audit entry counts the certificates it revoked (not those the agent ever
// had), and the revocation receipt prints.
func TestRule_O2_DisabledAgentRevocationIsACommonRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newAuthzFixture(t, e)
		h := f.h
		cert := f.loginCertificateID(f.colleague)
		h.flush()
		disable := func() int {
			seq := h.auditHead()
			h.ok(f.admin.Client, 200, "POST", fmt.Sprintf("/api/v1/agents/%d/disable", f.colleague.ID), map[string]any{"reason": "baja del agente"}, nil)
			for _, en := range h.auditSince(seq) {
				if en.Action == "agent.disable" {
					var d struct {
						Revoked int `json:"certificatesRevoked"`
					}
					if err := json.Unmarshal([]byte(en.Details), &d); err != nil {
						t.Fatalf("agent.disable details %q: %v", en.Details, err)
					}
					return d.Revoked
				}
			}
			t.Fatal("no agent.disable audit entry")
			return -1
		}
		if n := disable(); n != 1 {
			t.Errorf("first disable reports %d certificates revoked, want 1", n)
		}
		h.one(h.flush(), "revocation", "pedro.ruiz@jalisco.gob.mx")
		if n := disable(); n != 0 {
			t.Errorf("disabling again reports %d certificates revoked, want 0 (the certificate was already revoked)", n)
		}
		if r := h.do(f.admin.Client, "GET", fmt.Sprintf("/api/v1/certificates/%d/revocation-receipt.pdf", cert), nil); r.Status != 200 {
			t.Fatalf("revocation receipt of a disabled agent's certificate: %s", r)
		}
	})
}

// RULES S4, issue 17: a status change without the holder's identifier says
// the identifier is required, not that the one given does not match.
func TestRule_S4_StatusChangeWithoutIdentifierSaysItIsRequired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newAuthzFixture(t, e)
		r := f.h.do(f.clerk.Client, "POST", fmt.Sprintf("/api/v1/certificates/%d/status", f.certID),
			map[string]any{"kind": "suspend", "reason": f.suspend, "requester": "agent"})
		if r.Status != 400 || !strings.Contains(string(r.Body), "identifier") || strings.Contains(string(r.Body), "no coincide") {
			t.Fatalf("suspend without identifier: %s", r)
		}
	})
}
