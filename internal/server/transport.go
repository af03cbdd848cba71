package server

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
)

// plainPath reports whether path may be served over plain HTTP: what
// relying parties fetch without TLS and holds no personal data (health,
// metrics, the CA certificates; OCSP and CRLs when they arrive). The
// public API, the agents' API and the document check carry personal data
// and are served over HTTPS only.
func plainPath(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(path, "/ca/") || strings.HasPrefix(path, "/ocsp/") || path == "/ocsp" || strings.HasPrefix(path, "/crl/")
}

// refusePlain answers a request for personal data that arrived over plain
// HTTP with a problem naming the HTTPS listener. It does not redirect: the
// request (and any body) already crossed the network in clear, and a
// redirect would teach clients that plain HTTP works.
func refusePlain(w http.ResponseWriter, r *http.Request, httpsURL string) {
	var err error
	if httpsURL != "" {
		err = errs.New(errs.Forbidden, "this address serves only health, metrics and the CA certificates; personal data is served over HTTPS only, at %s", httpsURL)
	} else {
		err = errs.New(errs.Forbidden, "this address serves only health, metrics and the CA certificates; personal data is served over HTTPS only")
	}
	problem.Write(w, problem.Lang(r), err)
}

// metricsFor limits /metrics to the callers access allows. The address is
// the connection's: behind a reverse proxy on the same host every caller
// is loopback, so such a proxy must not forward /metrics.
func metricsFor(access MetricsAccess, h http.Handler) http.Handler {
	if access == MetricsAny {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			problem.Write(w, problem.Lang(r), errs.New(errs.NotFound, "nothing at %s", r.URL.Path))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Timeouts bound how long a client may hold a connection: reading the
// header, reading the whole request with its body, writing the answer and
// idling between requests. Without them a client sending a body one byte
// at a time keeps its connection, and a goroutine, forever.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts suit the API's bodies (JSON up to 64 KiB, uploads of a
// few MiB) on a slow link.
func DefaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: 5 * time.Second, Read: 60 * time.Second, Write: 120 * time.Second, Idle: 120 * time.Second}
}

// New returns an http.Server for h with the timeouts set and its error log
// (TLS handshake failures, malformed requests) written through log as
// structured lines, not plain text inside a JSON log.
func New(h http.Handler, t Timeouts, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, WriteTimeout: t.Write, IdleTimeout: t.Idle,
		ErrorLog: slog.NewLogLogger(log.Handler().WithAttrs([]slog.Attr{slog.String("component", "http")}), slog.LevelWarn)}
}
