package api

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// RULES O4, issue 17: on a server with no trusted authorities for
// homologation, POST /homologations says so (503, with the reason) instead
// of an opaque 500, and the configuration gap is logged for the operator.
func TestRule_O4_HomologationUnconfiguredIsAClearProblem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		mx, _ := time.LoadLocation("America/Mexico_City")
		h := newScHarness(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, mx))
		var logs lockedBuffer
		h.api.log = slog.New(slog.NewTextHandler(&logs, nil))
		h.addOrg("SEP-JAL", "Secretaría de Educación Jalisco", "jalisco", "Dirección de Personal")
		clerk := h.addAgent("SEP-JAL", store.RoleAgent, store.PersonData{GivenNames: "Carlos", FirstSurname: "Clerk", CURP: "PEXJ800101HJCRXN07",
			Email: "carlos@jalisco.gob.mx"}, "Agente")
		body := map[string]any{"givenNames": "Ana", "firstSurname": "Ruiz", "curp": "RUXA900215MJCZXN06",
			"email": "ana.ruiz@jalisco.gob.mx", "title": "Analista", "certificate": "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"}
		r := h.do(clerk.Client, "POST", "/api/v1/homologations", body)
		if r.Status != 503 || !strings.Contains(string(r.Body), "homologaci") {
			t.Fatalf("POST /homologations without roots = %s", r)
		}
		if !strings.Contains(logs.String(), "homologation") {
			t.Fatalf("nothing logged about the missing homologation roots:\n%s", logs.String())
		}
	})
}
