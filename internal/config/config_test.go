package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/sello-pki/sello/ca/local" // registers the "local" backend the files name
)

// Every example in configs/ must load (STYLE.md: "A test loads every file in configs/").
func TestLoadEveryExampleConfig(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("configs: %v %v", files, err)
	}
	for _, f := range files {
		c, err := Load(f, nil)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if c.CABackend != "local" || c.CheckpointEveryEntries != 1000 || c.CheckpointInterval != 10*time.Minute {
			t.Errorf("%s: unexpected %+v", f, c)
		}
		if !filepath.IsAbs(c.DataDir) || !filepath.IsAbs(c.CAPassphraseFile) {
			t.Errorf("%s: paths not absolute: %s %s", f, c.DataDir, c.CAPassphraseFile)
		}
	}
}

// Every key of the File type is documented in configs/sello.yaml.
func TestEveryKeyDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../configs/sello.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keys := Keys()
	// The keys of list entries (ca.issuers[].name …) too.
	for _, f := range reflect.VisibleFields(reflect.TypeOf(IssuerFile{})) {
		keys = append(keys, "ca.issuers[]."+f.Tag.Get("yaml"))
	}
	for _, k := range keys {
		leaf := k[strings.LastIndex(k, ".")+1:]
		if !strings.Contains(string(doc), leaf+":") {
			t.Errorf("key %s is not in configs/sello.yaml", k)
		}
	}
}

func write(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "sello.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStrictLoadingNamesKeyAndLine(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"unknown key", "database:\n  url: sqlite:x.db\n  urll: nope\n", []string{"urll", "3"}},
		{"unknown section", "listen:\n  http: 127.0.0.1:1\nlisten2: {}\n", []string{"listen2"}},
		{"bad database url", "log:\n  level: info\ndatabase:\n  url: mysql://x\n", []string{"database.url", ":4", "mysql://x"}},
		{"bad postgres url", "database:\n  url: postgres://\n", []string{"database.url", "PostgreSQL"}},
		{"bad listen", "listen:\n  http: localhost\n", []string{"listen.http", "localhost"}},
		{"bad public url", "listen:\n  public_url: ftp://x\n", []string{"listen.public_url"}},
		{"missing tls file", "tls:\n  cert_file: /nonexistent/c.pem\n  key_file: /nonexistent/k.pem\n", []string{"tls.", "does not exist"}},
		{"half tls", "tls:\n  cert_file: c.pem\n", []string{"tls.cert_file", "both"}},
		{"bad backend", "ca:\n  backend: hsm\n", []string{"ca.backend", "hsm"}},
		{"bad issuer backend", "ca:\n  issuers:\n    - name: cajamarca\n      backend: cfssl\n", []string{"ca.issuers[0].backend", ":4", "cfssl", "local"}},
		{"bad issuer name", "ca:\n  issuers:\n    - name: Cajamarca\n", []string{"ca.issuers[0].name", ":3", "Cajamarca"}},
		{"issuer twice", "ca:\n  issuers:\n    - name: jalisco\n    - name: jalisco\n", []string{"ca.issuers[1].name", "twice"}},
		{"unknown issuer key", "ca:\n  issuers:\n    - name: jalisco\n      url: https://x\n", []string{"url"}},
		{"bad key type", "ca:\n  local:\n    issuing_key: rsa-1024\n", []string{"ca.local.issuing_key", "rsa-1024"}},
		{"impossible checkpoint", "audit:\n  checkpoint_every_entries: -5\n", []string{"audit.checkpoint_every_entries", "-5"}},
		{"bad interval", "audit:\n  checkpoint_interval: often\n", []string{"audit.checkpoint_interval", "often"}},
		{"bad slack", "audit:\n  checkpoint_slack: -1m\n", []string{"audit.checkpoint_slack", "-1m"}},
		{"wrong type", "audit:\n  checkpoint_every_entries: many\n", []string{"checkpoint_every_entries"}},
		{"bad level", "log:\n  level: loud\n", []string{"log.level", "loud"}},
		{"bad metrics access", "listen:\n  metrics: public\n", []string{"listen.metrics", "public"}},
		{"no read timeout", "listen:\n  timeouts:\n    read: 0s\n", []string{"listen.timeouts.read", "0s"}},
		{"bad filing window", "public_filing:\n  window: forever\n", []string{"public_filing.window", "forever"}},
		{"negative filing limit", "public_filing:\n  per_email: -1\n", []string{"public_filing"}},
		{"YAML that crashes the parser", "hr: ! \n", []string{"sello.yaml", "cannot be read"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.body)
			_, err := Load(p, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), nil); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	p := write(t, "database:\n  url: sqlite:a.db\n")
	c, err := Load(p, []string{"SELLO_DATABASE_URL=postgres://u@db:5432/sello", "SELLO_LISTEN_PUBLIC_URL=https://firma.jalisco.gob.mx/",
		"SELLO_AUDIT_CHECKPOINT_EVERY_ENTRIES=50", "SELLO_TLS_NAMES=a.example, b.example", "OTHER=1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://u@db:5432/sello" || c.PublicURL.String() != "https://firma.jalisco.gob.mx" ||
		c.CheckpointEveryEntries != 50 || strings.Join(c.TLSNames, "|") != "a.example|b.example" {
		t.Fatalf("overrides not applied: %+v", c)
	}
	if _, err := Load(p, []string{"SELLO_AUDIT_CHECKPOINT_EVERY_ENTRIES=x"}); err == nil || !strings.Contains(err.Error(), "SELLO_AUDIT_CHECKPOINT_EVERY_ENTRIES") {
		t.Fatalf("bad env value: %v", err)
	}
	// Relative paths resolve against the file's folder.
	c, _ = Load(p, nil)
	if c.DatabaseURL != "sqlite:"+filepath.Join(filepath.Dir(p), "a.db") {
		t.Fatalf("relative path: %s", c.DatabaseURL)
	}
}

func TestDefaults(t *testing.T) {
	c, err := FromDefaults("rel-data", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(c.DataDir) || !strings.HasSuffix(c.DatabaseURL, filepath.Join("rel-data", "sello.db")) || c.HTTPAddr != "127.0.0.1:8080" {
		t.Fatalf("defaults: %+v", c)
	}
}

// An issuer entry takes the default backend and a folder under ca.local.dir
// unless it says otherwise; an issuer with no entry gets the defaults.
func TestIssuers(t *testing.T) {
	p := write(t, "ca:\n  local:\n    dir: cas\n  issuers:\n    - name: jalisco\n    - name: cajamarca\n      backend: local\n      dir: /srv/ca/cajamarca\n")
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Dir(p)
	if len(c.Issuers) != 2 || c.Issuers[0] != (Issuer{Name: "jalisco", Backend: "local", Dir: filepath.Join(base, "cas", "jalisco"), Key: "ca.issuers[0]", Line: 5}) ||
		c.Issuers[1].Dir != "/srv/ca/cajamarca" || c.Issuers[1].Line != 6 {
		t.Fatalf("issuers: %+v", c.Issuers)
	}
	if got := c.IssuerConfig("zacatecas"); got.Backend != "local" || got.Dir != filepath.Join(base, "cas", "zacatecas") || got.Key != "ca.backend" {
		t.Fatalf("unlisted issuer: %+v", got)
	}
}

// The listeners have every timeout, /metrics is for loopback callers and
// online filing is rate-limited unless the file says otherwise.
func TestDefaults_TransportAndAbuseLimits(t *testing.T) {
	c, err := FromDefaults(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics != "loopback" || c.ReadHeaderTimeout != 5*time.Second || c.ReadTimeout != time.Minute || c.WriteTimeout != 2*time.Minute ||
		c.IdleTimeout != 2*time.Minute {
		t.Errorf("listener defaults: %+v", c)
	}
	if c.FilingsPerAddress != 10 || c.FilingsPerEmail != 3 || c.FilingWindow != time.Hour || c.UnverifiedExpiry != 72*time.Hour {
		t.Errorf("filing limits: %+v", c)
	}
	p := write(t, "listen:\n  metrics: any\npublic_filing:\n  per_address: 100\n  unverified_expiry: 0s\n")
	c, err = Load(p, []string{"SELLO_PUBLIC_FILING_PER_EMAIL=5"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics != "any" || c.FilingsPerAddress != 100 || c.FilingsPerEmail != 5 || c.UnverifiedExpiry != 0 {
		t.Errorf("configured: %+v", c)
	}
}
