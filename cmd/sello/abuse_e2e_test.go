package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sello-pki/sello/store"
)

// The attacks of issue 16 against a running `sello serve`: an anonymous
// flood of 900 KB paths does not grow the audit log by what it sends,
// personal data is not served over plain HTTP, and 2,000 online filings
// from one address are rate-limited after the first few, with nothing
// stored for a foreign e-mail domain.
func TestServe_AnonymousAbuseIsBounded(t *testing.T) {
	data := filepath.Join(t.TempDir(), "sello-data")
	t.Setenv("SELLO_LISTEN_HTTP", "127.0.0.1:0")
	t.Setenv("SELLO_LISTEN_HTTPS", "127.0.0.1:0")
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	httpURL, httpsURL, _ := startServe(t, data)
	mustRun(t, "org", "add", "--data", data, "--code", "SEP-JAL", "--name", "Secretaría de Educación Jalisco", "--policy", "jalisco")

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(mustRead(t, filepath.Join(data, "ca", "jalisco", "chain.pem")))
	anon := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	db := openDB(t, store.SQLite, data, "")
	auditBytes := func() int64 {
		var n int64
		if err := db.QueryRow("SELECT COALESCE(SUM(LENGTH(object) + LENGTH(details)), 0) FROM audit_entries").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	count := func(table string) int {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// 1. 50 anonymous requests with a 900 KB path, over HTTPS and over HTTP.
	before := auditBytes()
	long := "/api/v1/requests/" + strings.Repeat("a", 900<<10)
	for i := 0; i < 50; i++ {
		if code, _ := get(t, anon, httpsURL+long); code != http.StatusUnauthorized {
			t.Fatalf("anonymous request %d over HTTPS: %d, want 401", i, code)
		}
		if code, _ := get(t, http.DefaultClient, httpURL+long); code != http.StatusForbidden {
			t.Fatalf("anonymous request %d over HTTP: %d, want 403", i, code)
		}
	}
	if grown := auditBytes() - before; grown > 16<<10 {
		t.Errorf("50 anonymous requests with a 900 KB path added %d bytes to the audit log", grown)
	}
	if _, body := get(t, http.DefaultClient, httpURL+"/metrics"); !bytes.Contains(body, []byte(`sello_anonymous_refused_total{type="unauthorized"} 50`)) {
		t.Errorf("the refusals are not counted in /metrics")
	}

	// 2. Personal data is served over HTTPS only.
	resp, err := http.Post(httpURL+"/api/v1/public/requests", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte(httpsURL)) {
		t.Errorf("public filing over plain HTTP: %d %s", resp.StatusCode, body)
	}

	// 3. A foreign domain is refused before anything is stored; then 2,000
	// filings from one address.
	file := func(email string) *http.Response {
		b, _ := json.Marshal(map[string]string{"organisation": "SEP-JAL", "reason": "first_issuance", "givenNames": "María Guadalupe",
			"firstSurname": "López", "curp": "LOHM800101MJCPRR06", "email": email})
		resp, err := anon.Post(httpsURL+"/api/v1/public/requests", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	people, jobs := count("people"), count("outbox")
	for _, email := range []string{"victim@example.org", "a@jalisco.gob.mx.evil.com"} {
		if r := file(email); r.StatusCode != http.StatusBadRequest {
			t.Errorf("filing for %s: %d, want 400", email, r.StatusCode)
		}
	}
	if count("people") != people || count("enrollments") != 0 || count("outbox") != jobs {
		t.Fatal("a filing for a foreign domain stored something or mailed someone")
	}
	accepted, limited := 0, 0
	for i := 0; i < 2000; i++ {
		switch r := file(fmt.Sprintf("p%d@jalisco.gob.mx", i)); r.StatusCode {
		case http.StatusCreated:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("filing %d: %d", i, r.StatusCode)
		}
	}
	if accepted > 10 || limited < 1990 || count("enrollments") != accepted {
		t.Errorf("2,000 filings from one address: %d accepted, %d limited, %d stored", accepted, limited, count("enrollments"))
	}
}
