package appointment

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

const testToken = "tok-9f8e7d6c5b4a" // what the fake HR API expects

// hrAPI is a fake HR JSON API keyed by the escaped identifier in the path
// /api/v1/servidores/{kind}/{id}.
type hrAPI struct {
	token string // "" accepts any request (mTLS tests)
	mu    sync.Mutex
	paths []string // escaped paths requested
	auth  []string // Authorization headers seen
}

func person(estatus, inicio, fin string) string {
	end := "null"
	if fin != "" {
		end = `"` + fin + `"`
	}
	return fmt.Sprintf(`{"data":{"curp":"X","dependencia":"Secretaría de Educación","puesto":"Director de área",`+
		`"estatus":%q,"fecha_inicio":%q,"fecha_fin":%s}}`, estatus, inicio, end)
}

func (h *hrAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.paths = append(h.paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
	h.auth = append(h.auth, r.Header.Get("Authorization"))
	h.mu.Unlock()
	if h.token != "" && r.Header.Get("Authorization") != "Bearer "+h.token {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	id := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v1/servidores/CURP/")
	if q := r.URL.Query().Get("curp"); q != "" {
		id = q
	}
	jsonOK := func(body string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(body))
	}
	switch id {
	case "ACTIVE01", "A%2FB", "a&b=c":
		jsonOK(person("ACTIVO", "2025-02-01", "2027-01-31"))
	case "LEAVE01":
		jsonOK(person("LICENCIA", "2024-06-01", ""))
	case "TERM01":
		jsonOK(person("BAJA", "2019-01-01", "2026-10-15T23:59:59-06:00"))
	case "NUMBERS":
		jsonOK(`{"data":{"dependencia":1203,"puesto":"Analista","estatus":"ACTIVO","fecha_inicio":"2025-01-01"}}`)
	case "NOPE":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"no existe"}`))
	case "BOOM":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case "GATEWAY":
		w.WriteHeader(http.StatusServiceUnavailable)
	case "NOFIELD":
		jsonOK(`{"data":{"dependencia":"SEJ","estatus":"ACTIVO","fecha_inicio":"2025-01-01"}}`)
	case "NOSTATUS":
		jsonOK(`{"data":{"dependencia":"SEJ","puesto":"Analista","estatus":null,"fecha_inicio":"2025-01-01"}}`)
	case "NOSTART":
		jsonOK(`{"data":{"dependencia":"SEJ","puesto":"Analista","estatus":"ACTIVO","fecha_inicio":""}}`)
	case "BADDATE":
		jsonOK(person("ACTIVO", "31/12/2025", ""))
	case "BADEND":
		jsonOK(person("ACTIVO", "2025-01-01", "pronto"))
	case "UNMAPPED":
		jsonOK(person("JUBILADO", "2025-01-01", ""))
	case "BADJSON":
		jsonOK(`{"data":{"dependencia":"SEJ",`)
	case "TRAILING":
		jsonOK(person("ACTIVO", "2025-02-01", "") + `{"data":{}}`)
	case "ARRAY":
		jsonOK(`{"data":[{"dependencia":"SEJ","puesto":"A","estatus":"ACTIVO","fecha_inicio":"2025-01-01"}]}`)
	case "BOOLSTATUS":
		jsonOK(`{"data":{"dependencia":"SEJ","puesto":"A","estatus":true,"fecha_inicio":"2025-01-01"}}`)
	case "EMPTY":
		jsonOK(``)
	case "HTML":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(person("ACTIVO", "2025-02-01", "")))
	case "HUGE":
		jsonOK(`{"data":{"dependencia":"SEJ","puesto":"A","estatus":"ACTIVO","fecha_inicio":"2025-01-01","x":"` +
			strings.Repeat("a", MaxHTTPBody) + `"}}`)
	case "REDIRECT":
		http.Redirect(w, r, "/api/v1/servidores/CURP/ACTIVE01", http.StatusFound)
	case "SLOW":
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		jsonOK(person("ACTIVO", "2025-02-01", ""))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"no existe"}`))
	}
}

func testHTTPFields() HTTPFields {
	return HTTPFields{Organisation: "data.dependencia", Position: "data.puesto", Status: "data.estatus",
		Start: "data.fecha_inicio", End: "data.fecha_fin"}
}

// newHTTPTest starts the fake API and a source with a token file.
func newHTTPTest(t *testing.T, token string, edit func(*HTTPConfig)) (*HTTPSource, *hrAPI, *httptest.Server) {
	t.Helper()
	api := &hrAPI{token: testToken}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := HTTPConfig{
		URL:       srv.URL + "/api/v1/servidores/{kind}/{id}",
		TokenFile: writeFile(t, t.TempDir(), "token", token+"\n"),
		Fields:    testHTTPFields(),
		Mapping:   testMapping(),
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewHTTPSource("rh-jalisco", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	return s, api, srv
}

func curp(v string) PersonID { return PersonID{KindCURP, v} }

func TestHTTP_Lookup(t *testing.T) {
	s, api, _ := newHTTPTest(t, testToken, nil)
	ctx := context.Background()

	a, err := s.Lookup(ctx, curp("ACTIVE01"))
	wantAppointment(t, a, err, Appointment{Person: curp("ACTIVE01"), Organisation: "Secretaría de Educación",
		Position: "Director de área", Status: Active, Start: day("2025-02-01"), End: day("2027-01-31"),
		Source: "rh-jalisco", CheckedAt: testNow})
	if !a.CurrentAt(testNow) {
		t.Fatal("active appointment inside its term is not current")
	}

	a, err = s.Lookup(ctx, curp("LEAVE01"))
	wantAppointment(t, a, err, Appointment{Person: curp("LEAVE01"), Organisation: "Secretaría de Educación",
		Position: "Director de área", Status: OnLeave, Start: day("2024-06-01"), Source: "rh-jalisco", CheckedAt: testNow})
	if a.CurrentAt(testNow) {
		t.Fatal("on leave is current")
	}

	a, err = s.Lookup(ctx, curp("TERM01"))
	wantAppointment(t, a, err, Appointment{Person: curp("TERM01"), Organisation: "Secretaría de Educación",
		Position: "Director de área", Status: Terminated, Start: day("2019-01-01"),
		End: time.Date(2026, 10, 16, 5, 59, 59, 0, time.UTC), Source: "rh-jalisco", CheckedAt: testNow})

	a, err = s.Lookup(ctx, curp("NUMBERS"))
	if err != nil || a.Organisation != "1203" {
		t.Fatalf("numeric organisation code: %+v %v", a, err)
	}

	a, err = s.Lookup(ctx, curp("NOPE"))
	wantNotFound(t, a, err)

	api.mu.Lock()
	defer api.mu.Unlock()
	for _, h := range api.auth {
		if h != "Bearer "+testToken {
			t.Fatalf("Authorization header %q", h)
		}
	}
}

func TestRule_R1_UnavailableSourceNeverApproves(t *testing.T) {
	s, _, _ := newHTTPTest(t, testToken, func(c *HTTPConfig) { c.Timeout = 300 * time.Millisecond })
	for _, id := range []string{
		"BOOM", "GATEWAY", "NOFIELD", "NOSTATUS", "NOSTART", "BADDATE", "BADEND", "UNMAPPED", "BADJSON", "TRAILING",
		"ARRAY", "BOOLSTATUS", "EMPTY", "HTML", "HUGE", "REDIRECT", "SLOW",
	} {
		t.Run(id, func(t *testing.T) {
			start := time.Now()
			a, err := s.Lookup(context.Background(), curp(id))
			wantUnavailable(t, a, err)
			if strings.Contains(err.Error(), testToken) {
				t.Fatalf("the error leaks the token: %v", err)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("lookup took %s with a 300ms timeout", el)
			}
		})
	}
	_, err := s.Lookup(context.Background(), curp("UNMAPPED"))
	if !strings.Contains(err.Error(), `"JUBILADO"`) {
		t.Fatalf("the error does not name the unmapped status: %v", err)
	}
}

func TestHTTP_WrongTokenIsUnavailable(t *testing.T) {
	s, _, _ := newHTTPTest(t, "not-the-token", nil)
	a, err := s.Lookup(context.Background(), curp("ACTIVE01"))
	wantUnavailable(t, a, err)
	if !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "not-the-token") {
		t.Fatalf("error %v: want the status and never the token", err)
	}
}

func TestHTTP_ServerDownIsUnavailable(t *testing.T) {
	s, _, srv := newHTTPTest(t, testToken, nil)
	srv.Close()
	a, err := s.Lookup(context.Background(), curp("ACTIVE01"))
	wantUnavailable(t, a, err)
	if strings.Contains(err.Error(), "ACTIVE01") {
		t.Fatalf("the error carries the person's identifier: %v", err)
	}
}

func TestHTTP_CancelledContextIsUnavailable(t *testing.T) {
	s, _, _ := newHTTPTest(t, testToken, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	a, err := s.Lookup(ctx, curp("SLOW"))
	wantUnavailable(t, a, err)
}

func TestHTTP_IdentifierIsEscaped(t *testing.T) {
	s, api, srv := newHTTPTest(t, testToken, nil)
	a, err := s.Lookup(context.Background(), curp("A/B"))
	if err != nil || a.Status != Active {
		t.Fatalf("%+v %v", a, err)
	}
	api.mu.Lock()
	got := api.paths[len(api.paths)-1]
	api.mu.Unlock()
	if got != "/api/v1/servidores/CURP/A%2FB?" {
		t.Fatalf("requested %q, want the slash escaped", got)
	}
	for _, v := range []string{".", ".."} {
		a, err := s.Lookup(context.Background(), curp(v))
		wantType(t, err, errs.Malformed)
		if a != (Appointment{}) {
			t.Fatal("non-zero appointment")
		}
	}

	// In a query string the identifier cannot add a parameter.
	q, err := NewHTTPSource("q", HTTPConfig{URL: srv.URL + "/buscar?curp={id}&tipo={kind}", TokenFile: writeFile(t, t.TempDir(), "t", testToken),
		Fields: testHTTPFields(), Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := q.Lookup(context.Background(), curp("a&b=c")); err != nil || a.Status != Active {
		t.Fatalf("%+v %v", a, err)
	}
	api.mu.Lock()
	got = api.paths[len(api.paths)-1]
	api.mu.Unlock()
	if got != "/buscar?curp=a%26b%3Dc&tipo=CURP" {
		t.Fatalf("requested %q", got)
	}
}

func TestHTTP_IDKindRestriction(t *testing.T) {
	_, _, srv := newHTTPTest(t, testToken, nil)
	e, err := NewHTTPSource("e", HTTPConfig{URL: srv.URL + "/api/v1/servidores/CURP/{id}", IDKind: KindCURP,
		TokenFile: writeFile(t, t.TempDir(), "t", testToken), Fields: testHTTPFields(), Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := e.Lookup(context.Background(), curp("ACTIVE01")); err != nil || a.Status != Active {
		t.Fatalf("%+v %v", a, err)
	}
	a, err := e.Lookup(context.Background(), PersonID{KindDNI, "ACTIVE01"})
	wantType(t, err, errs.Malformed)
	if a != (Appointment{}) {
		t.Fatal("non-zero appointment")
	}
}

func TestHTTP_ConfigIsChecked(t *testing.T) {
	dir := t.TempDir()
	tok := writeFile(t, dir, "token", testToken)
	empty := writeFile(t, dir, "empty", "\n")
	ok := func(f func(*HTTPConfig)) HTTPConfig {
		c := HTTPConfig{URL: "https://rh.example.gob.mx/api/{kind}/{id}", TokenFile: tok, Fields: testHTTPFields(), Mapping: testMapping()}
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  HTTPConfig
		key  string
	}{
		{"no url", ok(func(c *HTTPConfig) { c.URL = "" }), "http.url"},
		{"no {id}", ok(func(c *HTTPConfig) { c.URL = "https://rh.example/api/x" }), "http.url"},
		{"not http", ok(func(c *HTTPConfig) { c.URL = "ftp://rh.example/{id}" }), "http.url"},
		{"placeholder in host", ok(func(c *HTTPConfig) { c.URL = "https://{id}.rh.example/x" }), "http.url"},
		{"credentials in url", ok(func(c *HTTPConfig) { c.URL = "https://u:p@rh.example/{kind}/{id}" }), "http.url"},
		{"no {kind} and no id_kind", ok(func(c *HTTPConfig) { c.URL = "https://rh.example/{id}" }), "http.id_kind"},
		{"bad id_kind", ok(func(c *HTTPConfig) { c.IDKind = "NSS" }), "http.id_kind"},
		{"no authentication", ok(func(c *HTTPConfig) { c.TokenFile = "" }), "http.token_file"},
		{"token over plain http", ok(func(c *HTTPConfig) { c.URL = "http://rh.example/{kind}/{id}" }), "http.token_file"},
		{"missing token file", ok(func(c *HTTPConfig) { c.TokenFile = filepath.Join(dir, "nope") }), "http.token_file"},
		{"empty token file", ok(func(c *HTTPConfig) { c.TokenFile = empty }), "http.token_file"},
		{"cert without key", ok(func(c *HTTPConfig) { c.CertFile = tok }), "http.cert_file"},
		{"mtls over http", ok(func(c *HTTPConfig) {
			c.URL, c.TokenFile, c.CertFile, c.KeyFile = "http://127.0.0.1/{kind}/{id}", "", tok, tok
		}), "http.cert_file"},
		{"bad client cert", ok(func(c *HTTPConfig) { c.CertFile, c.KeyFile = tok, tok }), "http.cert_file"},
		{"bad ca file", ok(func(c *HTTPConfig) { c.CAFile = tok }), "http.ca_file"},
		{"negative timeout", ok(func(c *HTTPConfig) { c.Timeout = -time.Second }), "http.timeout"},
		{"no status field", ok(func(c *HTTPConfig) { c.Fields.Status = "" }), "http.fields.status"},
		{"no start field", ok(func(c *HTTPConfig) { c.Fields.Start = "" }), "http.fields.start"},
		{"bad path", ok(func(c *HTTPConfig) { c.Fields.Position = "data..puesto" }), "http.fields.position"},
		{"no status_map", ok(func(c *HTTPConfig) { c.StatusMap = nil }), "http.status_map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewHTTPSource("rh", tt.cfg, newFakeClock())
			wantConfigError(t, err, tt.key)
			if s != nil {
				t.Fatal("a source was returned with an error")
			}
			if strings.Contains(err.Error(), testToken) {
				t.Fatalf("the error leaks the token: %v", err)
			}
		})
	}
	// Without an end field every appointment is open-ended.
	if _, err := NewHTTPSource("rh", ok(func(c *HTTPConfig) { c.Fields.End = "" }), newFakeClock()); err != nil {
		t.Fatal(err)
	}
	// A token to a loopback address over plain http is allowed (sidecars, tests).
	if _, err := NewHTTPSource("rh", ok(func(c *HTTPConfig) { c.URL = "http://localhost:8080/{kind}/{id}" }), newFakeClock()); err != nil {
		t.Fatal(err)
	}
}

// testPKI is a tiny CA with a server and client certificates, on disk.
type testPKI struct {
	caFile, serverCert, serverKey, clientCert, clientKey string
	server                                               tls.Certificate
	pool                                                 *x509.CertPool
}

func newTestPKI(t *testing.T, dir, prefix string) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: prefix + " test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	p.caFile = writeFile(t, dir, prefix+"-ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})))
	leaf := func(serial int64, cn string, eku x509.ExtKeyUsage, ips []net.IP) (string, string, tls.Certificate) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku}, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(key)
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, prefix+"-"+cn+".pem", string(certPEM)), writeFile(t, dir, prefix+"-"+cn+".key", string(keyPEM)), pair
	}
	p.serverCert, p.serverKey, p.server = leaf(2, "server", x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)})
	p.clientCert, p.clientKey, _ = leaf(3, "sello", x509.ExtKeyUsageClientAuth, nil)
	return p
}

func TestHTTP_MutualTLS(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir, "hr")
	other := newTestPKI(t, dir, "other")
	api := &hrAPI{}
	srv := httptest.NewUnstartedServer(api)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	base := HTTPConfig{URL: srv.URL + "/api/v1/servidores/{kind}/{id}", CAFile: pki.caFile,
		CertFile: pki.clientCert, KeyFile: pki.clientKey, Fields: testHTTPFields(), Mapping: testMapping()}

	s, err := NewHTTPSource("rh-mtls", base, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Lookup(context.Background(), curp("ACTIVE01"))
	if err != nil || a.Status != Active || a.Source != "rh-mtls" {
		t.Fatalf("with a client certificate: %+v %v", a, err)
	}
	a, err = s.Lookup(context.Background(), curp("NOPE"))
	wantNotFound(t, a, err)

	for name, edit := range map[string]func(*HTTPConfig){
		"no client certificate": func(c *HTTPConfig) {
			c.CertFile, c.KeyFile, c.TokenFile = "", "", writeFile(t, dir, "tok", testToken)
		},
		"client certificate from another CA": func(c *HTTPConfig) { c.CertFile, c.KeyFile = other.clientCert, other.clientKey },
		"server not trusted":                 func(c *HTTPConfig) { c.CAFile = other.caFile },
		"system roots only":                  func(c *HTTPConfig) { c.CAFile = "" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base
			edit(&cfg)
			s, err := NewHTTPSource("rh-mtls", cfg, newFakeClock())
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.Lookup(context.Background(), curp("ACTIVE01"))
			wantUnavailable(t, a, err)
		})
	}
}

// FuzzHTTPAnswer checks that no body makes a field extraction panic or
// yields a value from a non-scalar.
func FuzzHTTPAnswer(f *testing.F) {
	f.Add([]byte(person("ACTIVO", "2025-01-01", "")))
	f.Add([]byte(`{"data":[1,2]}`))
	f.Add([]byte(`{"data":{"puesto":{"a":1}}} x`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := decodeJSON(body)
		if err != nil {
			return
		}
		for _, p := range []string{"data.puesto", "data", "x.y.z"} {
			v, err := jsonScalar(doc, strings.Split(p, "."))
			if err != nil && v != "" {
				t.Fatalf("%s: value %q with an error", p, v)
			}
		}
	})
}

func TestHTTP_SecretsAreNotPrinted(t *testing.T) {
	s, _, _ := newHTTPTest(t, testToken, nil)
	pass := writeFile(t, t.TempDir(), "pass", "ldap-pa55word\n")
	l, err := NewLDAPSource("ad", LDAPConfig{URL: "ldap://127.0.0.1:389", BindDN: "cn=sello,dc=example", PasswordFile: pass,
		BaseDN: "dc=example", Filter: "(employeeID={id})", IDKind: KindDNI, Attributes: testLDAPAttributes(), Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{s, *s, l, *l} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, testToken) || strings.Contains(out, "ldap-pa55word") {
				t.Fatalf("%s of a source prints a secret: %s", verb, out)
			}
		}
	}
}

func TestRule_R1_FourOutcomesAreDistinct(t *testing.T) {
	s, _, _ := newHTTPTest(t, testToken, nil)
	type outcome struct {
		status                Status
		notFound, unavailable bool
	}
	for id, want := range map[string]outcome{
		"ACTIVE01": {status: Active},
		"LEAVE01":  {status: OnLeave},
		"TERM01":   {status: Terminated},
		"NOPE":     {notFound: true},
		"BOOM":     {unavailable: true},
	} {
		a, err := s.Lookup(context.Background(), curp(id))
		got := outcome{status: a.Status, notFound: errs.Has(err, errs.NotFound), unavailable: errs.Has(err, errs.Unavailable)}
		if got != want {
			t.Fatalf("%s: got %+v (%v), want %+v", id, got, err, want)
		}
		if (err == nil) != (a.Status != "") {
			t.Fatalf("%s: an answer must be either an appointment or an error: %+v %v", id, a, err)
		}
	}
}

// RULES R3: an HTTP source may give the holder's name (fields.name,
// optional), which the RA compares with the applicant's.
func TestRule_R3_HTTPNameField(t *testing.T) {
	api := &hrAPI{token: testToken}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/servidores/CURP/NAMED01", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":{"nombre":" María López Ruiz ","dependencia":"SEJ","puesto":"Analista","estatus":"ACTIVO","fecha_inicio":"2025-01-01"}}`))
	})
	mux.HandleFunc("/api/v1/servidores/CURP/OBJNAME01", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":{"nombre":{"pila":"María"},"dependencia":"SEJ","puesto":"Analista","estatus":"ACTIVO","fecha_inicio":"2025-01-01"}}`))
	})
	mux.Handle("/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := HTTPConfig{
		URL:       srv.URL + "/api/v1/servidores/{kind}/{id}",
		TokenFile: writeFile(t, t.TempDir(), "token", testToken+"\n"),
		Fields:    testHTTPFields(),
		Mapping:   testMapping(),
	}
	ctx := context.Background()

	// Off by default: the same answer gives no name.
	s, err := NewHTTPSource("rh", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := s.Lookup(ctx, curp("NAMED01")); err != nil || a.Name != "" {
		t.Fatalf("without fields.name: %+v %v, want no name", a, err)
	}

	cfg.Fields.Name = "data.nombre"
	s, err = NewHTTPSource("rh", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Lookup(ctx, curp("NAMED01"))
	if err != nil || a.Name != "María López Ruiz" || a.Status != Active {
		t.Fatalf("%+v %v, want the name María López Ruiz", a, err)
	}
	// A person whose answer has no name is still answered, without one.
	if a, err := s.Lookup(ctx, curp("ACTIVE01")); err != nil || a.Name != "" {
		t.Fatalf("answer without the name: %+v %v", a, err)
	}
	// A name that is not a string is a doubt, not an empty name.
	a, err = s.Lookup(ctx, curp("OBJNAME01"))
	wantUnavailable(t, a, err)

	cfg.Fields.Name = "data..nombre"
	_, err = NewHTTPSource("rh", cfg, newFakeClock())
	wantConfigError(t, err, "http.fields.name")
}
