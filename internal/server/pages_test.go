package server

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(name)) })
}

// The public pages behind the links Sello hands out are mounted, over
// HTTPS only; the online check answers JSON to a client that asks for it.
func TestPublicPagesMounted(t *testing.T) {
	h := Handler(Options{Registry: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler),
		API: named("api"), Web: named("web"), HTTPSURL: "https://127.0.0.1:8443"})
	for _, c := range []struct {
		path, accept, want string
	}{
		{"/verificar/SEP-JAL-SOL-2026-000001?codigo=K7Q2-9XMA-3HTN-0C5E", "", "web"},
		{"/verificar/SEP-JAL-SOL-2026-000001?codigo=K7Q2-9XMA-3HTN-0C5E", "text/html,application/json", "web"},
		{"/verificar/SEP-JAL-SOL-2026-000001?codigo=K7Q2-9XMA-3HTN-0C5E", "application/json", "api"},
		{"/solicitud/verificar?folio=SEP-JAL-SOL-2026-000001&token=x", "", "web"},
		{"/solicitud/SEP-JAL-SOL-2026-000001", "", "web"},
	} {
		r := httptest.NewRequest("GET", c.path, nil)
		r.Header.Set("Accept", c.accept)
		r.TLS = &tls.ConnectionState{}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 || w.Body.String() != c.want {
			t.Errorf("GET %s (Accept %q) = %d %q, want %s", c.path, c.accept, w.Code, w.Body, c.want)
		}
		r.TLS = nil
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden {
			t.Errorf("GET %s over plain HTTP = %d, want 403", c.path, w.Code)
		}
	}
}
