// Package api is the agents' JSON API over HTTPS (RULES O2, O3). It is an
// adapter and nothing more: each route decodes its typed body, calls one
// method of package ra with the authenticated Actor, and encodes the typed
// answer. Authentication, authorisation, reads, documents and the audit
// log all belong to ra. Every error is an RFC 7807 problem document. A few
// public endpoints (online filing, e-mail verification, the online check of
// printed documents) need no certificate.
package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/apischema"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
	"github.com/sello-pki/sello/ra"
)

// Config holds the API's dependencies.
type Config struct {
	RA     *ra.RA
	Logger *slog.Logger
}

// Handler serves /api/ and /verificar/.
type Handler struct {
	ra     *ra.RA
	log    *slog.Logger
	routes map[string]route // by mux pattern
	mux    *http.ServeMux
}

// New returns the API handler.
func New(c Config) *Handler {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{ra: c.RA, log: c.Logger, mux: http.NewServeMux()}
	h.routes = map[string]route{}
	for _, rt := range h.table() {
		h.mux.HandleFunc(rt.method+" "+rt.path, h.serve(rt))
		h.routes[rt.method+" "+rt.path] = rt
	}
	h.mux.HandleFunc("GET /api/openapi.json", h.openapi)
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, errs.New(errs.NotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// routeFor is the route that serves r, if any.
func (h *Handler) routeFor(r *http.Request) (route, bool) {
	_, pattern := h.mux.Handler(r)
	rt, ok := h.routes[pattern]
	return rt, ok
}

// call is one request as a route's function sees it.
type call struct {
	r     *http.Request
	w     http.ResponseWriter
	actor ra.Actor
	id    int64 // the {id} of the path, when it has one
	lang  string
}

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// route is one endpoint. The mux and the OpenAPI document are both built
// from the table, and the document's schemas from in and out, so neither
// can drift from what is served.
type route struct {
	method, path, summary string
	public                bool
	status                int          // on success
	in, out               reflect.Type // JSON bodies; nil: none
	consumes, produces    string       // media types other than JSON
	query                 []param
	run                   func(c *call) error // decodes, calls ra, writes the answer
}

// param documents a query parameter.
type param struct {
	name, doc string
	enum      []string
	required  bool
}

// apiRefusal marks an error that the API itself raised (a body it could
// not decode, an id it could not parse): the API audits it. Errors from ra
// were audited by ra.
type apiRefusal struct{ error }

func (e apiRefusal) Unwrap() error { return e.error }

// jsonRoute is a route with a typed JSON body In and a typed JSON answer Out.
func jsonRoute[In, Out any](method, path, summary string, status int, fn func(ctx context.Context, c *call, in *In) (*Out, error)) route {
	rt := route{method: method, path: path, summary: summary, status: status, out: reflect.TypeFor[Out]()}
	if method != http.MethodGet {
		rt.in = reflect.TypeFor[In]()
	}
	rt.run = func(c *call) error {
		var in In
		if rt.in != nil {
			if err := decode(c.r, &in); err != nil {
				return apiRefusal{err}
			}
		}
		out, err := fn(c.r.Context(), c, &in)
		if err != nil {
			return err
		}
		writeJSON(c.w, status, out)
		return nil
	}
	return rt
}

// pdfRoute prints a document.
func pdfRoute(path, summary string, fn func(ctx context.Context, c *call) (*ra.PDF, error)) route {
	return route{method: http.MethodGet, path: path, summary: summary, status: http.StatusOK, produces: "application/pdf",
		query: []param{{name: "lang", doc: "Language of the form", enum: []string{"es", "en"}}},
		run: func(c *call) error {
			pdf, err := fn(c.r.Context(), c)
			if err != nil {
				return err
			}
			c.w.Header().Set("Content-Type", "application/pdf")
			c.w.Header().Set("Content-Disposition", `inline; filename="`+pdf.Name+`"`)
			c.w.Header().Set("Cache-Control", "no-store")
			c.w.Write(pdf.Data)
			return nil
		}}
}

func (rt route) withQuery(p ...param) route { rt.query = append(rt.query, p...); return rt }
func (rt route) public_() route             { rt.public = true; return rt }

// serve authenticates the caller (unless the route is public), parses the
// path id, and runs the route.
func (h *Handler) serve(rt route) http.HandlerFunc {
	hasID := strings.Contains(rt.path, "{id}")
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{r: r, w: w, lang: problem.Lang(r), actor: ra.Actor{Kind: ra.ActorAnonymous, From: originOf(r)}}
		if !rt.public {
			a, err := h.ra.Authenticate(r.Context(), verifiedLeaf(r), c.actor.From)
			if err != nil {
				h.fail(c, err)
				return
			}
			c.actor = a
		}
		if err := cmp.Or(checkPath(r), checkQuery(rt, r)); err != nil {
			h.fail(c, apiRefusal{err})
			return
		}
		if hasID {
			id, err := pathID(r)
			if err != nil {
				h.fail(c, apiRefusal{err})
				return
			}
			c.id = id
		}
		if err := rt.run(c); err != nil {
			h.fail(c, err)
		}
	}
}

// originOf is where r came from: the connection's remote address, never a
// forwarded header a client can write (a deployment behind a proxy sees
// the proxy's address; see listen.* in configs/sello.yaml).
func originOf(r *http.Request) ra.Origin {
	return ra.Origin{Addr: r.RemoteAddr, Call: r.Method + " " + r.URL.Path}
}

// verifiedLeaf is the client certificate the TLS layer verified, or nil.
func verifiedLeaf(r *http.Request) *x509.Certificate {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
		return nil
	}
	return r.TLS.PeerCertificates[0]
}

// fail writes err as a problem document. A refusal is audited once, by the
// layer that refused: the API records its own (apiRefusal); ra's are
// already in the log.
func (h *Handler) fail(c *call, err error) {
	var own apiRefusal
	if errors.As(err, &own) {
		err = own.error
		h.ra.RecordRefusal(c.r.Context(), c.actor, "api.refused", c.r.Method+" "+c.r.URL.Path, err)
	}
	h.problem(c.w, c.r, err)
}

func (h *Handler) problem(w http.ResponseWriter, r *http.Request, err error) {
	if t := errs.TypeOf(err); t == errs.Internal || t == errs.Unavailable || t == errs.BadConfig {
		h.log.Error("api error", "path", r.URL.Path, "err", err)
	}
	problem.Write(w, problem.Lang(r), err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// maxJSON bounds JSON request bodies.
const maxJSON = 64 << 10

// decode reads a JSON body strictly: a wrong content type, invalid JSON,
// unknown or duplicate fields, trailing data, an oversized body and missing
// required fields are a precise 4xx; a body type with a check method runs it.
func decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.New(errs.UnsupportedType, "send application/json, not %s", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "cannot read the request body")
	}
	// An action that takes no body may be sent none at all.
	if _, none := dst.(*NoBody); none && len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := apischema.Decode(bytes.NewReader(body), maxJSON, dst); err != nil {
		return err
	}
	if v, ok := dst.(interface{ check() error }); ok {
		return v.check()
	}
	return nil
}

// maxQuery bounds a query string: the longest a route reads is a search
// term (200 characters) or a list of states, far below it.
const maxQuery = 2048

// checkQuery refuses, before any route runs, a query string longer than
// maxQuery, one that does not parse, a parameter the route does not declare
// and a parameter given twice (?view=a&view=b: which one would count?).
func checkQuery(rt route, r *http.Request) error {
	if len(r.URL.RawQuery) > maxQuery {
		return errs.New(errs.Malformed, "the query string is longer than %d bytes", maxQuery)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "the query string does not parse")
	}
	for name, values := range q {
		if !slices.ContainsFunc(rt.query, func(p param) bool { return p.name == name }) {
			return errs.New(errs.Malformed, "unknown query parameter %q", name)
		}
		if len(values) > 1 {
			return errs.New(errs.Malformed, "query parameter %q is given %d times: give it once", name, len(values))
		}
		if !plainText(values[0]) {
			return errs.New(errs.Malformed, "query parameter %q holds a control character or text that is not UTF-8", name)
		}
	}
	return nil
}

// checkPath refuses a path whose decoded text (the {id}, {folio} or {code}
// a route reads) holds a control character or is not UTF-8: PostgreSQL
// refuses a NUL or invalid UTF-8 in a text parameter, and no id has them.
func checkPath(r *http.Request) error {
	if !plainText(r.URL.Path) {
		return errs.New(errs.Malformed, "the path holds a control character or text that is not UTF-8")
	}
	return nil
}

// plainText reports whether s is UTF-8 without control characters.
func plainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

func pathID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, errs.New(errs.Malformed, "%q is not an id", s)
	}
	return id, nil
}

func pathValue(c *call, name string) string {
	v, _ := url.PathUnescape(c.r.PathValue(name))
	return v
}
