package appointment

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// MaxHTTPBody is the largest HR answer read; anything longer is Unavailable.
const MaxHTTPBody = 1 << 20

// DefaultTimeout bounds one lookup when a source sets no timeout.
const DefaultTimeout = 5 * time.Second

// HTTPConfig configures a source that GETs one JSON document per person.
type HTTPConfig struct {
	// URL is a template with {id} and optionally {kind}, e.g.
	// "https://rh.example.gob.mx/api/v1/servidores/{kind}/{id}". Values are
	// path-escaped (query-escaped after a '?').
	URL string `yaml:"url"`
	// IDKind restricts lookups to one identifier kind; required when URL has
	// no {kind} placeholder, so a DNI is never sent where an employee number
	// is expected.
	IDKind string `yaml:"id_kind"`
	// TokenFile holds a bearer token (surrounding blanks are trimmed).
	TokenFile string `yaml:"token_file"`
	// CertFile and KeyFile are a client certificate for mutual TLS.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// CAFile holds the PEM roots that verify the server (default: system).
	CAFile string `yaml:"ca_file"`
	// Timeout bounds one lookup (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	// Fields are dotted JSON paths to each value.
	Fields  HTTPFields `yaml:"fields"`
	Mapping `yaml:",inline"`
}

// HTTPFields are dotted paths into the JSON answer, e.g. "data.puesto".
// Organisation, position, status and start are required; without End every
// appointment is open-ended.
type HTTPFields struct {
	Organisation string `yaml:"organisation"`
	Position     string `yaml:"position"`
	Status       string `yaml:"status"`
	Start        string `yaml:"start"`
	End          string `yaml:"end"`
	// Name, optional, is the holder's full name; the RA checks that the
	// applicant's name agrees with it (RULES R3).
	Name string `yaml:"name"`
}

// HTTPSource looks appointments up in an HR JSON API.
type HTTPSource struct {
	m       *mapper
	tmpl    string
	query   int // index of '?' in tmpl, -1 if none
	idKind  string
	token   func() string // a closure, so that printing the source cannot show it
	timeout time.Duration
	client  *http.Client
	fields  [6][]string // organisation, position, status, start, end, name
}

// NewHTTPSource checks cfg and returns a source named name.
func NewHTTPSource(name string, cfg HTTPConfig, clk clock.Clock) (*HTTPSource, error) {
	const sec = "http"
	m, err := newMapper(sec, name, cfg.Mapping, clk)
	if err != nil {
		return nil, err
	}
	s := &HTTPSource{m: m, tmpl: cfg.URL, query: strings.IndexByte(cfg.URL, '?'), idKind: cfg.IDKind}

	if cfg.URL == "" {
		return nil, badConfig(sec, "url", "required")
	}
	if !strings.Contains(cfg.URL, "{id}") {
		return nil, badConfig(sec, "url", "must contain the {id} placeholder")
	}
	probe, err := url.Parse(strings.NewReplacer("{id}", "x", "{kind}", "x").Replace(cfg.URL))
	if err != nil || (probe.Scheme != "http" && probe.Scheme != "https") || probe.Host == "" {
		return nil, badConfig(sec, "url", "%q is not an http:// or https:// URL", cfg.URL)
	}
	if _, rest, _ := strings.Cut(cfg.URL, "://"); strings.Contains(authority(rest), "{") {
		// The person's identifier must never choose which server is asked.
		return nil, badConfig(sec, "url", "placeholders may not appear in the host")
	}
	if probe.User != nil {
		return nil, badConfig(sec, "url", "credentials in the URL are not allowed; use token_file")
	}
	if s.idKind != "" && !validKind(s.idKind) {
		return nil, badConfig(sec, "id_kind", "%q; want CURP, RFC, DNI or EMPLOYEE", s.idKind)
	}
	if s.idKind == "" && !strings.Contains(cfg.URL, "{kind}") {
		return nil, badConfig(sec, "id_kind", "required when url has no {kind} placeholder")
	}
	https := probe.Scheme == "https"

	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, badConfig(sec, "cert_file", "cert_file and key_file go together")
	}
	mtls := cfg.CertFile != ""
	if cfg.TokenFile == "" && !mtls {
		return nil, badConfig(sec, "token_file", "an HR source needs authentication: set token_file, or cert_file and key_file")
	}
	if mtls && !https {
		return nil, badConfig(sec, "cert_file", "mutual TLS needs an https:// url")
	}
	if cfg.CAFile != "" && !https {
		return nil, badConfig(sec, "ca_file", "only meaningful with an https:// url")
	}
	if cfg.TokenFile != "" {
		if !https && !loopback(probe.Hostname()) {
			return nil, badConfig(sec, "token_file", "a bearer token is only sent over https (or to a loopback address)")
		}
		b, err := os.ReadFile(cfg.TokenFile)
		if err != nil {
			return nil, badConfig(sec, "token_file", "cannot read: %v", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" || strings.ContainsAny(tok, "\r\n") {
			return nil, badConfig(sec, "token_file", "%s must hold one non-empty line", cfg.TokenFile)
		}
		s.token = func() string { return tok }
	}
	if s.timeout, err = checkPositive(sec, "timeout", cfg.Timeout, DefaultTimeout); err != nil {
		return nil, err
	}

	f := cfg.Fields
	for i, p := range []struct{ key, path string }{
		{"organisation", f.Organisation}, {"position", f.Position}, {"status", f.Status}, {"start", f.Start}, {"end", f.End},
		{"name", f.Name},
	} {
		if p.path == "" {
			if p.key == "end" || p.key == "name" {
				continue
			}
			return nil, badConfig(sec, "fields."+p.key, "required (a dotted JSON path such as data.%s)", p.key)
		}
		parts := strings.Split(p.path, ".")
		for _, part := range parts {
			if part == "" {
				return nil, badConfig(sec, "fields."+p.key, "%q has an empty path segment", p.path)
			}
		}
		s.fields[i] = parts
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, badConfig(sec, "ca_file", "cannot read: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, badConfig(sec, "ca_file", "%s holds no PEM certificate", cfg.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	if mtls {
		pair, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, badConfig(sec, "cert_file", "cannot load the client certificate and key: %v", err)
		}
		tr.TLSClientConfig.Certificates = []tls.Certificate{pair}
	}
	s.client = &http.Client{
		Transport: tr,
		Timeout:   s.timeout,
		// A redirect is not an answer: following it could carry the token
		// elsewhere or turn an error page into a 200.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

// Name returns the source's name.
func (s *HTTPSource) Name() string { return s.m.source }

// Lookup GETs the person's document and maps it.
func (s *HTTPSource) Lookup(ctx context.Context, id PersonID) (Appointment, error) {
	if err := id.check(); err != nil {
		return Appointment{}, err
	}
	if s.idKind != "" && id.Kind != s.idKind {
		return Appointment{}, errs.New(errs.Malformed, "HR source %q is keyed by %s, not %s", s.m.source, s.idKind, id.Kind)
	}
	if id.Value == "." || id.Value == ".." {
		return Appointment{}, errs.New(errs.Malformed, "%s %q is not an identifier", id.Kind, id.Value)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url(id), nil)
	if err != nil {
		return Appointment{}, s.m.down(err, "cannot build the request")
	}
	req.Header.Set("Accept", "application/json")
	if s.token != nil {
		req.Header.Set("Authorization", "Bearer "+s.token())
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return Appointment{}, s.m.down(redact(err), "request failed")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPBody+1))
	if err != nil {
		return Appointment{}, s.m.down(redact(err), "reading the answer failed")
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Appointment{}, s.m.notFound(id)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return Appointment{}, s.m.unavailable("answered HTTP %d", resp.StatusCode)
	}
	if len(body) > MaxHTTPBody {
		return Appointment{}, s.m.unavailable("answer larger than %d bytes", MaxHTTPBody)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil ||
		(mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return Appointment{}, s.m.unavailable("answer is %q, not JSON", resp.Header.Get("Content-Type"))
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return Appointment{}, s.m.down(err, "answer is not valid JSON")
	}
	var vals [6]string
	for i, path := range s.fields {
		if path == nil {
			continue
		}
		v, err := jsonScalar(doc, path)
		if err != nil {
			return Appointment{}, s.m.unavailable("%s", err)
		}
		vals[i] = v
	}
	return s.m.build(id, raw{organisation: vals[0], position: vals[1], status: vals[2], start: vals[3], end: vals[4], name: vals[5]})
}

// url fills the template; values after a '?' are query-escaped, so an
// identifier can neither add a path segment nor a query parameter.
func (s *HTTPSource) url(id PersonID) string {
	var b strings.Builder
	t := s.tmpl
	for i := 0; i < len(t); {
		val, n := "", 0
		switch {
		case strings.HasPrefix(t[i:], "{id}"):
			val, n = id.Value, len("{id}")
		case strings.HasPrefix(t[i:], "{kind}"):
			val, n = id.Kind, len("{kind}")
		default:
			b.WriteByte(t[i])
			i++
			continue
		}
		if s.query >= 0 && i > s.query {
			b.WriteString(url.QueryEscape(val))
		} else {
			b.WriteString(url.PathEscape(val))
		}
		i += n
	}
	return b.String()
}

// decodeJSON parses exactly one JSON value, keeping numbers as json.Number.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON document")
	}
	return doc, nil
}

// jsonScalar follows path through objects and returns a string or number as
// text. A missing key or null gives ""; an object, array or boolean is an error.
func jsonScalar(doc any, path []string) (string, error) {
	cur := doc
	for i, key := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			if cur == nil {
				return "", nil
			}
			return "", fmt.Errorf("%s is not an object", strings.Join(path[:i], "."))
		}
		cur, ok = obj[key]
		if !ok {
			return "", nil
		}
	}
	switch v := cur.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	default:
		return "", fmt.Errorf("%s is a %T, not a string or number", strings.Join(path, "."), cur)
	}
}

// loopback reports whether host is a loopback name or address.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact drops the URL from a client error: the URL holds the person's
// identifier, which belongs in no log line that does not need it.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// authority returns the part of rest (a URL after "scheme://") before its
// path, query or fragment.
func authority(rest string) string {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return rest[:i]
	}
	return rest
}
