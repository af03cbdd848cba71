// Package server composes Sello's HTTP surface: operational endpoints
// (/healthz, /readyz, /metrics), the CA certificates (/ca/…), and the front
// ends mounted beside them (the agents' API now; OCSP, CRL, EST, ACME and the
// public registry as they arrive). It adds request metrics and access logs.
package server

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
)

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options are the server's dependencies.
type Options struct {
	DB       Pinger
	Root     *x509.Certificate // the deployment's root; nil when it has none (only imported issuing CAs)
	Issuers  []Issuer
	Registry *prometheus.Registry
	API      http.Handler
	// Web serves the public pages behind the links Sello hands out
	// (/verificar/, /solicitud/; ra/web); nil: none.
	Web    http.Handler
	Logger *slog.Logger
	// HTTPSURL is the HTTPS listener's base URL, which the plain listener
	// names when it refuses a path that carries personal data; "" when
	// there is none.
	HTTPSURL string
	// Metrics says who may read /metrics (listen.metrics).
	Metrics MetricsAccess
}

// MetricsAccess says who may read /metrics.
type MetricsAccess string

// Who may read /metrics: callers on the loopback interface (the default:
// a Prometheus on the same host, or an SSH tunnel), anyone who reaches the
// listener, or nobody.
const (
	MetricsLoopback MetricsAccess = "loopback"
	MetricsAny      MetricsAccess = "any"
	MetricsOff      MetricsAccess = "off"
)

// Issuer is one issuing CA whose certificates are served under
// /ca/<Name>/: issuing.crt (DER, what certificates' AIA caIssuers names),
// issuing.pem and chain.pem (issuing first, then up to the root).
type Issuer struct {
	Name  string
	Chain []*x509.Certificate
}

// Handler returns the root handler.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := o.DB.Ping(ctx); err != nil {
			problem.Write(w, problem.Lang(r), err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ready\n"))
	})
	if o.Metrics != MetricsOff {
		mux.Handle("GET /metrics", metricsFor(o.Metrics, promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})))
	}

	mux.Handle("GET /ca/{name}", caFiles(rootFiles(o.Root), "root.crt, root.pem, <issuer>/chain.pem"))
	for _, is := range o.Issuers {
		mux.Handle("GET /ca/"+is.Name+"/{name}", caFiles(issuerFiles(is), "issuing.crt, issuing.pem, chain.pem"))
	}
	if o.API != nil {
		mux.Handle("/api/", o.API)
	}
	if o.Web != nil {
		mux.Handle("/solicitud/", o.Web)
		mux.Handle("/verificar/", documentCheck(o.Web, o.API))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, problem.Lang(r), errs.New(errs.NotFound, "nothing at %s", r.URL.Path))
	})
	return instrument(mux, o.Registry, o.Logger, o.HTTPSURL)
}

// documentCheck serves the online check of a printed document (RULES G4)
// as a page, or as JSON to a client that asks for it only (the API's
// DocumentCheck).
func documentCheck(page, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if api != nil && strings.HasPrefix(r.Header.Get("Accept"), "application/json") {
			api.ServeHTTP(w, r)
			return
		}
		page.ServeHTTP(w, r)
	})
}

func pemOf(cs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range cs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func rootFiles(root *x509.Certificate) map[string][]byte {
	if root == nil {
		return nil
	}
	return map[string][]byte{"root.crt": root.Raw, "root.pem": pemOf(root)}
}

func issuerFiles(is Issuer) map[string][]byte {
	return map[string][]byte{"issuing.crt": is.Chain[0].Raw, "issuing.pem": pemOf(is.Chain[0]), "chain.pem": pemOf(is.Chain...)}
}

// caFiles serves fixed certificate files, built once at start-up.
func caFiles(certs map[string][]byte, have string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		body, ok := certs[name]
		if !ok {
			problem.Write(w, problem.Lang(r), errs.New(errs.NotFound, "no CA certificate %q (have %s)", name, have))
			return
		}
		ct := "application/pkix-cert" // RFC 2585, for AIA caIssuers
		if strings.HasSuffix(name, ".pem") {
			ct = "application/x-pem-file"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func instrument(next *http.ServeMux, reg *prometheus.Registry, log *slog.Logger, httpsURL string) http.Handler {
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sello_http_requests_total", Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sello_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"route"})
	reg.MustRegister(reqs, dur)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				log.Error("panic in handler", "path", r.URL.Path, "panic", v)
				problem.Write(sw, problem.Lang(r), errs.New(errs.Internal, "internal error"))
			}
			_, route := next.Handler(r)
			if route == "" {
				route = "unmatched"
			}
			reqs.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			dur.WithLabelValues(route).Observe(time.Since(start).Seconds())
			log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration_ms", time.Since(start).Milliseconds())
		}()
		if r.TLS == nil && !plainPath(r.URL.Path) {
			refusePlain(sw, r, httpsURL)
			return
		}
		next.ServeHTTP(sw, r)
	})
}
