package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// run executes the CLI in-process.
func run(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out syncBuffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, context.Background(), args...)
	if err != nil {
		t.Fatalf("sello %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func openssl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// serveStartDeadline bounds how long startServe waits for `sello serve` to be
// ready. Start-up is bounded by work, not by a budget: under -race on two
// cores, decrypting the CA keys alone (PBKDF2, 600,000 iterations each) takes
// seconds, so the wait is generous and the test polls readiness instead.
const serveStartDeadline = 180 * time.Second

// startServe runs `sello serve` until the test ends and returns its HTTP and
// HTTPS base URLs, read from the banner, once /readyz answers 200. If serve
// stops or is not ready in time, the test fails with its output and log.
func startServe(t *testing.T, data string) (httpURL, httpsURL string, elapsed time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	root := newRoot()
	var out, logs syncBuffer
	root.SetOut(&out)
	root.SetErr(&logs)
	root.SetArgs([]string{"serve", "--data", data})
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- root.ExecuteContext(ctx) }()
	stopped := false
	t.Cleanup(func() {
		cancel()
		if stopped {
			return
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve exited with %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop after cancel")
		}
	})
	re := regexp.MustCompile(`(https?)://127\.0\.0\.1:\d+`)
	client := &http.Client{Timeout: 5 * time.Second}
	for time.Since(start) < serveStartDeadline {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("serve stopped: %v\n%s\nlog:\n%s", err, out.String(), logs.String())
		default:
		}
		if httpURL == "" {
			if s := out.String(); strings.Contains(s, "/api/v1/whoami") {
				for _, m := range re.FindAllStringSubmatch(s, -1) {
					if m[1] == "http" && httpURL == "" {
						httpURL = m[0]
					}
					if m[1] == "https" && httpsURL == "" {
						httpsURL = m[0]
					}
				}
			}
		}
		if httpURL != "" && ready(client, httpURL+"/readyz") {
			return httpURL, httpsURL, time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve not ready after %v:\n%s\nlog:\n%s", serveStartDeadline, out.String(), logs.String())
	return
}

// ready reports whether url answers 200.
func ready(c *http.Client, url string) bool {
	resp, err := c.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

func get(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServeFromNothingThenAgentsAndAudit(t *testing.T) {
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "sello-data")
			t.Setenv("SELLO_LISTEN_HTTP", "127.0.0.1:0")
			t.Setenv("SELLO_LISTEN_HTTPS", "127.0.0.1:0")
			t.Setenv("SELLO_CA_PASSPHRASE", "")
			var dsn string
			if dialect == store.Postgres {
				dsn = storetest.DSN(t, store.Postgres)
				t.Setenv("SELLO_DATABASE_URL", dsn)
			}

			// 1. serve with no configuration creates the data folder and serves.
			httpURL, httpsURL, took := startServe(t, data)
			t.Logf("first start (with initialisation) took %v", took)
			for _, f := range []string{"sello.yaml", "ca/jalisco/issuing.crt", "ca/jalisco/chain.pem", "ca/root.crt", "ca/root.key", "ca/jalisco/issuing.key", "secrets/ca.pass", "secrets/data.key",
				"secrets/audit.key", "policies/jalisco.yaml", "admin.p12", "admin.p12.pass"} {
				if _, err := os.Stat(filepath.Join(data, f)); err != nil {
					t.Errorf("data folder lacks %s", f)
				}
			}
			if dialect == store.SQLite {
				if _, err := os.Stat(filepath.Join(data, "sello.db")); err != nil {
					t.Error("no SQLite database")
				}
			}
			key, _ := os.ReadFile(filepath.Join(data, "ca", "jalisco", "issuing.key"))
			if !bytes.Contains(key, []byte("ENCRYPTED PRIVATE KEY")) {
				t.Error("issuing CA key is not encrypted at rest")
			}
			if code, body := get(t, http.DefaultClient, httpURL+"/healthz"); code != 200 || string(body) != "ok\n" {
				t.Fatalf("healthz = %d %q", code, body)
			}
			if code, _ := get(t, http.DefaultClient, httpURL+"/readyz"); code != 200 {
				t.Fatalf("readyz = %d", code)
			}
			if code, body := get(t, http.DefaultClient, httpURL+"/metrics"); code != 200 || !bytes.Contains(body, []byte("sello_http_requests_total")) || !bytes.Contains(body, []byte(`sello_certificates{issuer="jalisco",status="valid"}`)) {
				t.Fatalf("metrics = %d", code)
			}
			code, notFound := get(t, http.DefaultClient, httpURL+"/ca/nope.crt")
			if code != 404 || !bytes.Contains(notFound, []byte(`"status":404`)) {
				t.Fatalf("unknown CA file = %d %s", code, notFound)
			}

			// 2. The chain served over HTTP verifies with openssl.
			dir := t.TempDir()
			_, chain := get(t, http.DefaultClient, httpURL+"/ca/jalisco/chain.pem")
			_, root := get(t, http.DefaultClient, httpURL+"/ca/root.pem")
			_, issuing := get(t, http.DefaultClient, httpURL+"/ca/jalisco/issuing.pem")
			os.WriteFile(filepath.Join(dir, "chain.pem"), chain, 0o644)
			os.WriteFile(filepath.Join(dir, "root.pem"), root, 0o644)
			os.WriteFile(filepath.Join(dir, "issuing.pem"), issuing, 0o644)
			if out := openssl(t, "verify", "-CAfile", filepath.Join(dir, "root.pem"), filepath.Join(dir, "issuing.pem")); !strings.Contains(out, "OK") {
				t.Fatalf("openssl verify: %s", out)
			}

			// 3. An organisation and an agent; the PKCS#12 opens with openssl.
			mustRun(t, "org", "add", "--data", data, "--code", "SEP-JAL", "--name", "Secretaría de Educación Jalisco", "--policy", "jalisco")
			p12 := filepath.Join(dir, "maria.p12")
			mustRun(t, "agent", "add", "--data", data, "--org", "SEP-JAL", "--role", "agent", "--given-names", "María Guadalupe",
				"--first-surname", "López", "--second-surname", "Hernández", "--curp", "LOHM800101MJCPRR06",
				"--email", "maria.lopez@jalisco.gob.mx", "--title", "Agente registrador", "--out", p12)
			pass, _ := os.ReadFile(p12 + ".pass")
			info := openssl(t, "pkcs12", "-info", "-in", p12, "-passin", "pass:"+strings.TrimSpace(string(pass)), "-nodes")
			for _, want := range []string{"BEGIN PRIVATE KEY", "BEGIN CERTIFICATE"} {
				if !strings.Contains(info, want) {
					t.Fatalf("pkcs12 -info lacks %s", want)
				}
			}
			leafPEM := firstCert(info)
			os.WriteFile(filepath.Join(dir, "maria.pem"), leafPEM, 0o644)
			if out := openssl(t, "verify", "-CAfile", filepath.Join(dir, "root.pem"), "-untrusted", filepath.Join(dir, "issuing.pem"),
				filepath.Join(dir, "maria.pem")); !strings.Contains(out, "OK") {
				t.Fatalf("agent certificate does not verify: %s", out)
			}
			text := openssl(t, "x509", "-in", filepath.Join(dir, "maria.pem"), "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space")
			for _, want := range []string{"CN=MARÍA GUADALUPE LÓPEZ HERNÁNDEZ", "title=Agente registrador", "O=Secretaría de Educación Jalisco",
				"serialNumber=PNOMX-LOHM800101MJCPRR06", "email:maria.lopez@jalisco.gob.mx", "2.25.329800735698586629295641978511506172918.1.1",
				"OCSP - URI:http://127.0.0.1:8080/ocsp", "CA Issuers - URI:http://127.0.0.1:8080/ca/jalisco/issuing.crt",
				"URI:http://127.0.0.1:8080/crl/jalisco.crl", "Digital Signature, Non Repudiation", "E-mail Protection"} {
				if !strings.Contains(text, want) {
					t.Errorf("agent certificate lacks %q", want)
				}
			}

			// 4. The agent logs in over HTTPS with the PKCS#12; without it, 401.
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(chain)
			keyAny, cert, _, err := pkcs12.DecodeChain(mustRead(t, p12), strings.TrimSpace(string(pass)))
			if err != nil {
				t.Fatal(err)
			}
			withCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool,
				Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: keyAny}}}}}
			code, body := get(t, withCert, httpsURL+"/api/v1/whoami")
			var who struct {
				Role         string                `json:"role"`
				Organisation struct{ Code string } `json:"organisation"`
			}
			json.Unmarshal(body, &who)
			if code != 200 || who.Role != "agent" || who.Organisation.Code != "SEP-JAL" {
				t.Fatalf("whoami = %d %s", code, body)
			}
			anon := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
			if code, body := get(t, anon, httpsURL+"/api/v1/whoami"); code != 401 || !bytes.Contains(body, []byte("urn:sello:problem:unauthorized")) {
				t.Fatalf("anonymous whoami = %d %s", code, body)
			}

			// 5. The audit log verifies, then fails naming the entry edited in the database.
			// The chain is keyed and the checkpoint key's records live outside
			// the database: its state (0600) and the exported heads.
			for _, f := range []string{"secrets/audit-chain.key", "secrets/audit.state", "audit-heads.jsonl"} {
				if fi, err := os.Stat(filepath.Join(data, f)); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: %v; want a 0600 file", f, err)
				}
			}
			heads := filepath.Join(t.TempDir(), "heads-copy.jsonl")
			if b, err := os.ReadFile(filepath.Join(data, "audit-heads.jsonl")); err != nil || os.WriteFile(heads, b, 0o600) != nil {
				t.Fatalf("heads file: %v", err)
			}
			if out := mustRun(t, "--lang", "en", "audit", "verify", "--data", data, "--heads", heads); !strings.Contains(out, "audit log intact") ||
				!strings.Contains(out, "keyed (HMAC-SHA-256): true") || !strings.Contains(out, "exported heads in "+heads+" match") {
				t.Fatalf("audit verify: %s", out)
			}
			if out := mustRun(t, "audit", "verify", "--data", data); !strings.Contains(out, "bitácora íntegra") {
				t.Fatalf("audit verify in Spanish: %s", out)
			}
			// Reading needs no CA passphrase; writing a checkpoint does.
			passFile := filepath.Join(data, "secrets", "ca.pass")
			if err := os.Rename(passFile, passFile+".away"); err != nil {
				t.Fatal(err)
			}
			for _, c := range [][]string{{"audit", "verify"}, {"org", "list"}, {"agent", "list"}, {"enrollment", "list"}} {
				if out, err := run(t, context.Background(), append(c, "--data", data)...); err != nil {
					t.Errorf("%s without the CA passphrase: %v %s", strings.Join(c, " "), err, out)
				}
			}
			if _, err := run(t, context.Background(), "audit", "checkpoint", "--data", data); err == nil || !strings.Contains(err.Error(), "passphrase") {
				t.Errorf("audit checkpoint without the CA passphrase: %v, want the passphrase asked for", err)
			}
			if err := os.Rename(passFile+".away", passFile); err != nil {
				t.Fatal(err)
			}
			db := openDB(t, dialect, data, dsn)
			var (
				seq   int64
				actor string
			)
			if err := db.QueryRow("SELECT seq, actor FROM audit_entries WHERE action = 'org.add' ORDER BY seq DESC LIMIT 1").Scan(&seq, &actor); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(rebind(dialect, "UPDATE audit_entries SET actor = 'cli:mallory' WHERE seq = ?"), seq); err != nil {
				t.Fatal(err)
			}
			_, err = run(t, context.Background(), "audit", "verify", "--data", data)
			if err == nil || !strings.Contains(err.Error(), "entry "+itoa(seq)+": altered") {
				t.Fatalf("audit verify after tampering: %v (want entry %d altered)", err, seq)
			}
			// Put the entry back, then delete every checkpoint: verification
			// fails on the head the checkpoint key signed last.
			restore := "UPDATE audit_entries SET actor = ? WHERE seq = ?"
			if dialect == store.Postgres {
				restore = "UPDATE audit_entries SET actor = $1 WHERE seq = $2"
			}
			if _, err := db.Exec(restore, actor, seq); err != nil {
				t.Fatal(err)
			}
			mustRun(t, "audit", "verify", "--data", data)
			var signed int64
			if err := db.QueryRow("SELECT MAX(seq) FROM audit_checkpoints").Scan(&signed); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec("DELETE FROM audit_checkpoints"); err != nil {
				t.Fatal(err)
			}
			_, err = run(t, context.Background(), "--lang", "en", "audit", "verify", "--data", data)
			if err == nil || !strings.Contains(err.Error(), "entry "+itoa(signed)+": state") || !strings.Contains(err.Error(), "checkpoints deleted") {
				t.Fatalf("audit verify with the checkpoints deleted: %v (want entry %d: state)", err, signed)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func rebind(d store.Dialect, q string) string {
	if d == store.Postgres {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

func openDB(t *testing.T, d store.Dialect, data, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if d == store.Postgres {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(data, "sello.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstCert(s string) []byte {
	i := strings.Index(s, "-----BEGIN CERTIFICATE-----")
	j := strings.Index(s, "-----END CERTIFICATE-----")
	if i < 0 || j < 0 {
		return nil
	}
	blk, _ := pem.Decode([]byte(s[i : j+len("-----END CERTIFICATE-----")]))
	if blk == nil {
		return nil
	}
	return pem.EncodeToMemory(blk)
}
