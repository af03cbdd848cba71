// Package config loads Sello's configuration: one YAML file, then SELLO_*
// environment overrides, then checks. Loading is strict: an unknown key, a
// bad URL, a missing file or an impossible value stops start-up with a
// message naming the file, line and key. The raw File (what the YAML says)
// and the checked Config (what the server runs with) are different types.
//
// Secrets never come from the YAML: it names files (passphrase, data key)
// or the passphrase comes from SELLO_CA_PASSPHRASE.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/yamlx"

	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/notify"
)

// File is the raw configuration as written in YAML. Every key is documented
// in configs/sello.yaml.
type File struct {
	DataDir  string         `yaml:"data_dir"`
	Database Database       `yaml:"database"`
	Listen   Listen         `yaml:"listen"`
	TLS      TLS            `yaml:"tls"`
	CA       CA             `yaml:"ca"`
	Secrets  Secrets        `yaml:"secrets"`
	Audit    Audit          `yaml:"audit"`
	Policy   Policy         `yaml:"policy"`
	Log      Log            `yaml:"log"`
	SMTP     *notify.Config `yaml:"smtp"`
	HR       []HRSource     `yaml:"hr"`
	Workers  Workers        `yaml:"workers"`
	Public   PublicFiling   `yaml:"public_filing"`
}

// PublicFiling bounds anonymous online filing (POST /api/v1/public/requests).
type PublicFiling struct {
	PerAddress       int    `yaml:"per_address"`
	PerEmail         int    `yaml:"per_email"`
	Window           string `yaml:"window"`
	UnverifiedExpiry string `yaml:"unverified_expiry"`
}

// HRSource is the Human Resources system that vouches for appointments
// under a policy (RULES R1).
type HRSource struct {
	Policy string `yaml:"policy"`
	// Organisations, when set, limits this source to those organisation
	// codes (a branch or municipality with its own HR body); otherwise it
	// serves every organisation of the policy without one of its own.
	Organisations []string           `yaml:"organisations"`
	Source        appointment.Config `yaml:"source"`
	// Key ("hr[0]") and Line locate the entry in its file, for errors.
	Key  string `yaml:"-"`
	Line int    `yaml:"-"`
}

// Workers sets how often the background jobs run.
type Workers struct {
	SchedulerInterval string `yaml:"scheduler_interval"`
	MonitorInterval   string `yaml:"monitor_interval"`
	MailInterval      string `yaml:"mail_interval"`
}

// Database names the store.
type Database struct {
	URL string `yaml:"url"`
}

// Listen sets the listeners and the public base URL.
type Listen struct {
	HTTP      string `yaml:"http"`
	HTTPS     string `yaml:"https"`
	PublicURL string `yaml:"public_url"`
	// PortalURL is the HTTPS base of the links handed to people (online
	// check, e-mail verification, status page): they carry personal data,
	// which the plain listener refuses. Default: the HTTPS listener.
	PortalURL string   `yaml:"portal_url"`
	Metrics   string   `yaml:"metrics"`
	Timeouts  Timeouts `yaml:"timeouts"`
}

// Timeouts bound every connection of both listeners.
type Timeouts struct {
	ReadHeader string `yaml:"read_header"`
	Read       string `yaml:"read"`
	Write      string `yaml:"write"`
	Idle       string `yaml:"idle"`
}

// TLS configures the HTTPS listener's certificate.
type TLS struct {
	CertFile string   `yaml:"cert_file"`
	KeyFile  string   `yaml:"key_file"`
	Names    []string `yaml:"names"`
}

// CA configures the deployment's issuers and their backends.
type CA struct {
	// Backend is the backend of every issuer that Issuers does not list.
	Backend string  `yaml:"backend"`
	Local   LocalCA `yaml:"local"`
	// Issuers configures issuers one by one; issuers found as folders of
	// ca.local.dir need no entry.
	Issuers []IssuerFile `yaml:"issuers"`
}

// IssuerFile configures one issuer.
type IssuerFile struct {
	Name    string `yaml:"name"`
	Backend string `yaml:"backend"`
	Dir     string `yaml:"dir"`
}

// Issuer is a checked issuer entry. Key and Line say where it was written,
// for errors found when its backend is built.
type Issuer struct {
	Name    string
	Backend string
	Dir     string // absolute; for backends that keep key material on disk
	Key     string // "ca.issuers[0]"
	Line    int
}

// LocalCA is the embedded signer.
type LocalCA struct {
	Dir            string `yaml:"dir"`
	PassphraseFile string `yaml:"passphrase_file"`
	IssuingKey     string `yaml:"issuing_key"`
}

// Secrets names secret files.
type Secrets struct {
	DataKeyFile string `yaml:"data_key_file"`
}

// Audit configures the audit log: its checkpoint key (whose state file,
// the last head it signed, lives next to it with the extension .state),
// the chain key (a secret: HMAC of every entry), the checkpoint policy
// that verification enforces, and the exported heads file.
type Audit struct {
	KeyFile                string `yaml:"key_file"`
	ChainKeyFile           string `yaml:"chain_key_file"`
	HeadsFile              string `yaml:"heads_file"`
	CheckpointEveryEntries int    `yaml:"checkpoint_every_entries"`
	CheckpointInterval     string `yaml:"checkpoint_interval"`
	CheckpointSlack        string `yaml:"checkpoint_slack"`
}

// Policy selects the jurisdiction policies.
type Policy struct {
	Dir     string `yaml:"dir"`
	Default string `yaml:"default"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Config is the checked configuration. Paths are absolute.
type Config struct {
	Source                 string // the file it came from, or "defaults"
	raw                    []byte // the file's bytes, to locate keys in errors
	DataDir                string
	DatabaseURL            string
	HTTPAddr, HTTPSAddr    string
	PublicURL              *url.URL
	PortalURL              *url.URL
	TLSCertFile            string
	TLSKeyFile             string
	TLSNames               []string
	CABackend              string
	CADir                  string
	Issuers                []Issuer
	CAPassphraseFile       string
	CAIssuingKey           string
	DataKeyFile            string
	AuditKeyFile           string
	AuditChainKeyFile      string
	AuditHeadsFile         string
	CheckpointEveryEntries int
	CheckpointInterval     time.Duration
	CheckpointSlack        time.Duration
	PolicyDir              string
	DefaultPolicy          string
	LogLevel               string
	LogFormat              string
	SMTP                   *notify.Config
	HR                     []HRSource
	SchedulerInterval      time.Duration
	MonitorInterval        time.Duration
	MailInterval           time.Duration
	// Metrics is who may read /metrics: loopback, any or off.
	Metrics string
	// ReadHeaderTimeout … IdleTimeout are the listeners' timeouts.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// FilingsPerAddress and FilingsPerEmail limit online filings per
	// FilingWindow (a 0 in the file means the default); UnverifiedExpiry
	// cancels online filings whose e-mail is not verified in time (0s:
	// never).
	FilingsPerAddress, FilingsPerEmail int
	FilingWindow, UnverifiedExpiry     time.Duration
}

// Defaults returns the raw configuration used with no file: everything under
// dataDir.
func Defaults(dataDir string) File {
	return File{
		DataDir:  dataDir,
		Database: Database{URL: "sqlite:" + filepath.Join(dataDir, "sello.db")},
		Listen: Listen{HTTP: "127.0.0.1:8080", HTTPS: "127.0.0.1:8443", PublicURL: "http://127.0.0.1:8080", Metrics: "loopback",
			Timeouts: Timeouts{ReadHeader: "5s", Read: "60s", Write: "120s", Idle: "120s"}},
		TLS: TLS{Names: []string{"localhost", "127.0.0.1"}},
		CA: CA{Backend: "local", Local: LocalCA{Dir: filepath.Join(dataDir, "ca"),
			PassphraseFile: filepath.Join(dataDir, "secrets", "ca.pass"), IssuingKey: "ecdsa-p384"}},
		Secrets: Secrets{DataKeyFile: filepath.Join(dataDir, "secrets", "data.key")},
		Audit: Audit{KeyFile: filepath.Join(dataDir, "secrets", "audit.key"),
			ChainKeyFile: filepath.Join(dataDir, "secrets", "audit-chain.key"),
			HeadsFile:    filepath.Join(dataDir, "audit-heads.jsonl"), CheckpointEveryEntries: 1000,
			CheckpointInterval: "10m", CheckpointSlack: "5m"},
		Policy:  Policy{Dir: filepath.Join(dataDir, "policies"), Default: "jalisco"},
		Log:     Log{Level: "info", Format: "json"},
		Workers: Workers{SchedulerInterval: "1m", MonitorInterval: "10m", MailInterval: "10s"},
		Public:  PublicFiling{PerAddress: 10, PerEmail: 3, Window: "1h", UnverifiedExpiry: "72h"},
	}
}

// Error is a configuration error: where and what.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Load reads path (strictly), applies environment overrides from env (use
// os.Environ()), and checks the result. Relative paths in the file are taken
// relative to the file's folder.
func Load(path string, env []string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read configuration: " + errors.Unwrap(err).Error()}
	}
	var f File
	if err := yamlx.UnmarshalStrict(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %s", path, err)
	}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	if f.DataDir == "" {
		f.DataDir = "sello-data"
	}
	if !filepath.IsAbs(f.DataDir) {
		f.DataDir = filepath.Join(base, f.DataDir)
	}
	fillDefaults(&f, Defaults(f.DataDir))
	if err := applyEnv(&f, env); err != nil {
		return nil, err
	}
	return f.check(path, data, base)
}

// FromDefaults builds the configuration used with no file, for dataDir,
// with environment overrides.
func FromDefaults(dataDir string, env []string) (*Config, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	f := Defaults(abs)
	if err := applyEnv(&f, env); err != nil {
		return nil, err
	}
	return f.check("defaults", nil, abs)
}

// fillDefaults sets every zero leaf of f from d.
func fillDefaults(f *File, d File) {
	fill(reflect.ValueOf(f).Elem(), reflect.ValueOf(d))
}

func fill(dst, src reflect.Value) {
	for i := 0; i < dst.NumField(); i++ {
		df, sf := dst.Field(i), src.Field(i)
		if df.Kind() == reflect.Struct && df.Type().PkgPath() == reflect.TypeOf(File{}).PkgPath() {
			fill(df, sf)
		} else if df.IsZero() {
			df.Set(sf)
		}
	}
}

// namePattern is what an issuer name looks like (a policy id: it is a
// folder name and a URL path segment).
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkBackend refuses a backend name this binary has not registered.
func checkBackend(name string) error {
	if slices.Contains(ca.Backends(), name) {
		return nil
	}
	return fmt.Errorf("%q is not a CA backend this binary has (%s)", name, strings.Join(ca.Backends(), ", "))
}

// EnvName is the environment variable that overrides a YAML key path such as
// "database.url" (SELLO_DATABASE_URL).
func EnvName(keyPath string) string {
	return "SELLO_" + strings.ToUpper(strings.ReplaceAll(keyPath, ".", "_"))
}

// Keys lists every configuration key path, for documentation and tests.
func Keys() []string {
	var out []string
	walk(reflect.ValueOf(&File{}).Elem(), "", func(p string, _ reflect.Value) { out = append(out, p) })
	return out
}

func walk(v reflect.Value, prefix string, fn func(path string, field reflect.Value)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		if v.Field(i).Kind() == reflect.Struct && v.Field(i).Type().PkgPath() == reflect.TypeOf(File{}).PkgPath() {
			walk(v.Field(i), p, fn)
		} else {
			fn(p, v.Field(i))
		}
	}
}

func applyEnv(f *File, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "SELLO_") {
			vars[k] = v
		}
	}
	var err error
	walk(reflect.ValueOf(f).Elem(), "", func(p string, field reflect.Value) {
		v, ok := vars[EnvName(p)]
		if !ok || err != nil {
			return
		}
		switch field.Kind() {
		case reflect.String:
			field.SetString(v)
		case reflect.Int:
			n, e := strconv.Atoi(v)
			if e != nil {
				err = &Error{File: "environment", Key: EnvName(p), Msg: fmt.Sprintf("%q is not a whole number", v)}
				return
			}
			field.SetInt(int64(n))
		case reflect.Slice:
			if field.Type().Elem().Kind() != reflect.String {
				err = &Error{File: "environment", Key: EnvName(p), Msg: "this key is a list of sections: set it in the file"}
				return
			}
			var parts []string
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					parts = append(parts, s)
				}
			}
			field.Set(reflect.ValueOf(parts))
		}
	})
	return err
}

func (f *File) check(path string, data []byte, base string) (*Config, error) {
	fail := func(key, format string, args ...any) error {
		return &Error{File: path, Line: yamlx.LineOf(data, key), Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	c := &Config{Source: path, DataDir: f.DataDir}

	u := f.Database.URL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" || strings.Trim(pu.Path, "/") == "" {
			return nil, fail("database.url", "not a valid PostgreSQL URL (want postgres://user@host:port/database)")
		}
		c.DatabaseURL = u
	case strings.HasPrefix(u, "sqlite:"):
		p := strings.TrimPrefix(u, "sqlite:")
		if p == "" {
			return nil, fail("database.url", "empty SQLite path (want sqlite:/path/to/sello.db)")
		}
		c.DatabaseURL = "sqlite:" + abs(p)
	default:
		return nil, fail("database.url", "%q: want sqlite:PATH or postgres://…", u)
	}

	for key, addr := range map[string]string{"listen.http": f.Listen.HTTP, "listen.https": f.Listen.HTTPS} {
		if addr == "" || addr == "off" {
			continue
		}
		host, port, err := net.SplitHostPort(addr)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 0 || n > 65535 || (host != "" && net.ParseIP(host) == nil && host != "localhost") {
			return nil, fail(key, "%q is not a listen address (want host:port, e.g. 127.0.0.1:8080)", addr)
		}
	}
	c.HTTPAddr, c.HTTPSAddr = f.Listen.HTTP, f.Listen.HTTPS
	if c.HTTPAddr == "off" {
		c.HTTPAddr = ""
	}
	if c.HTTPSAddr == "off" {
		c.HTTPSAddr = ""
	}
	if c.HTTPAddr == "" && c.HTTPSAddr == "" {
		return nil, fail("listen", "both listeners are off")
	}
	switch f.Listen.Metrics {
	case "loopback", "any", "off":
		c.Metrics = f.Listen.Metrics
	default:
		return nil, fail("listen.metrics", "%q: want loopback, any or off", f.Listen.Metrics)
	}
	for key, t := range map[string]struct {
		v   string
		dst *time.Duration
	}{"listen.timeouts.read_header": {f.Listen.Timeouts.ReadHeader, &c.ReadHeaderTimeout}, "listen.timeouts.read": {f.Listen.Timeouts.Read, &c.ReadTimeout},
		"listen.timeouts.write": {f.Listen.Timeouts.Write, &c.WriteTimeout}, "listen.timeouts.idle": {f.Listen.Timeouts.Idle, &c.IdleTimeout}} {
		d, err := time.ParseDuration(t.v)
		if err != nil || d < time.Second || d > time.Hour {
			return nil, fail(key, "%q: want a duration from 1s to 1h", t.v)
		}
		*t.dst = d
	}
	pu, err := url.Parse(f.Listen.PublicURL)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.RawQuery != "" || pu.Fragment != "" {
		return nil, fail("listen.public_url", "%q is not an absolute http(s) URL", f.Listen.PublicURL)
	}
	pu.Path = strings.TrimRight(pu.Path, "/")
	c.PublicURL = pu
	if c.PortalURL, err = portalURL(f.Listen.PortalURL, c.HTTPSAddr, pu); err != nil {
		return nil, fail("listen.portal_url", "%v", err)
	}

	if (f.TLS.CertFile == "") != (f.TLS.KeyFile == "") {
		return nil, fail("tls.cert_file", "set both tls.cert_file and tls.key_file, or neither")
	}
	for key, p := range map[string]string{"tls.cert_file": f.TLS.CertFile, "tls.key_file": f.TLS.KeyFile} {
		if p != "" {
			if _, err := os.Stat(abs(p)); err != nil {
				return nil, fail(key, "file %s does not exist", abs(p))
			}
		}
	}
	c.TLSCertFile, c.TLSKeyFile, c.TLSNames = abs(f.TLS.CertFile), abs(f.TLS.KeyFile), f.TLS.Names

	if err := checkBackend(f.CA.Backend); err != nil {
		return nil, fail("ca.backend", "%v", err)
	}
	c.CABackend = f.CA.Backend
	c.CADir, c.CAPassphraseFile = abs(f.CA.Local.Dir), abs(f.CA.Local.PassphraseFile)
	issuerNames := map[string]bool{}
	for i, is := range f.CA.Issuers {
		key := fmt.Sprintf("ca.issuers[%d]", i)
		if !namePattern.MatchString(is.Name) {
			return nil, fail(key+".name", "%q: want a lower-case issuer name such as jalisco (a policy's issuer key, by default its id)", is.Name)
		}
		if issuerNames[is.Name] {
			return nil, fail(key+".name", "issuer %s is configured twice", is.Name)
		}
		issuerNames[is.Name] = true
		if is.Backend == "" {
			is.Backend = f.CA.Backend
		}
		if err := checkBackend(is.Backend); err != nil {
			return nil, fail(key+".backend", "%v", err)
		}
		dir := abs(is.Dir)
		if dir == "" {
			dir = filepath.Join(c.CADir, is.Name)
		}
		c.Issuers = append(c.Issuers, Issuer{Name: is.Name, Backend: is.Backend, Dir: dir, Key: key, Line: yamlx.LineOf(data, key)})
	}
	switch f.CA.Local.IssuingKey {
	case "ecdsa-p384", "rsa-3072", "rsa-4096":
	default:
		return nil, fail("ca.local.issuing_key", "%q: want ecdsa-p384, rsa-3072 or rsa-4096", f.CA.Local.IssuingKey)
	}
	c.CAIssuingKey = f.CA.Local.IssuingKey
	c.DataKeyFile = abs(f.Secrets.DataKeyFile)
	c.AuditKeyFile = abs(f.Audit.KeyFile)
	if f.Audit.CheckpointEveryEntries < 1 || f.Audit.CheckpointEveryEntries > 1_000_000 {
		return nil, fail("audit.checkpoint_every_entries", "%d: want 1 to 1000000", f.Audit.CheckpointEveryEntries)
	}
	c.CheckpointEveryEntries = f.Audit.CheckpointEveryEntries
	d, err := time.ParseDuration(f.Audit.CheckpointInterval)
	if err != nil || d < time.Second || d > 24*time.Hour {
		return nil, fail("audit.checkpoint_interval", "%q: want a duration from 1s to 24h, e.g. 10m", f.Audit.CheckpointInterval)
	}
	c.CheckpointInterval = d
	if c.CheckpointSlack, err = time.ParseDuration(f.Audit.CheckpointSlack); err != nil || c.CheckpointSlack < 0 || c.CheckpointSlack > 24*time.Hour {
		return nil, fail("audit.checkpoint_slack", "%q: want a duration from 0s to 24h, e.g. 5m", f.Audit.CheckpointSlack)
	}
	c.AuditChainKeyFile, c.AuditHeadsFile = abs(f.Audit.ChainKeyFile), abs(f.Audit.HeadsFile)
	if c.AuditChainKeyFile == "" {
		return nil, fail("audit.chain_key_file", "required: the secret file that keys the audit chain")
	}
	c.PolicyDir, c.DefaultPolicy = abs(f.Policy.Dir), f.Policy.Default
	if c.DefaultPolicy == "" {
		return nil, fail("policy.default", "name the default jurisdiction policy")
	}
	switch f.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return nil, fail("log.level", "%q: want debug, info, warn or error", f.Log.Level)
	}
	switch f.Log.Format {
	case "json", "text":
	default:
		return nil, fail("log.format", "%q: want json or text", f.Log.Format)
	}
	c.LogLevel, c.LogFormat = f.Log.Level, f.Log.Format
	if f.SMTP != nil {
		sm := *f.SMTP
		sm.PasswordFile = abs(sm.PasswordFile)
		if err := sm.Validate(); err != nil {
			return nil, fail("smtp", "%v", err)
		}
		c.SMTP = &sm
	}
	seen := map[string]bool{}
	for i, h := range f.HR {
		key := fmt.Sprintf("hr[%d]", i)
		if h.Policy == "" {
			return nil, fail(key+".policy", "name the policy whose HR system this is")
		}
		scopes := h.Organisations
		if len(scopes) == 0 {
			scopes = []string{"policy:" + h.Policy}
		}
		for _, sc := range scopes {
			if seen[sc] {
				return nil, fail(key, "%s has two HR sources", strings.TrimPrefix(sc, "policy:"))
			}
			seen[sc] = true
		}
		h.Key, h.Line = key, yamlx.LineOf(data, key)
		resolveHRPaths(&h.Source, abs)
		c.HR = append(c.HR, h)
	}
	c.raw = data
	for key, v := range map[string]*string{"workers.scheduler_interval": &f.Workers.SchedulerInterval,
		"workers.monitor_interval": &f.Workers.MonitorInterval, "workers.mail_interval": &f.Workers.MailInterval} {
		d, err := time.ParseDuration(*v)
		if err != nil || d < time.Second || d > 24*time.Hour {
			return nil, fail(key, "%q: want a duration from 1s to 24h", *v)
		}
		switch key {
		case "workers.scheduler_interval":
			c.SchedulerInterval = d
		case "workers.monitor_interval":
			c.MonitorInterval = d
		default:
			c.MailInterval = d
		}
	}
	if f.Public.PerAddress < 0 || f.Public.PerEmail < 0 {
		return nil, fail("public_filing", "per_address and per_email are counts of filings")
	}
	c.FilingsPerAddress, c.FilingsPerEmail = f.Public.PerAddress, f.Public.PerEmail
	if c.FilingWindow, err = time.ParseDuration(f.Public.Window); err != nil || c.FilingWindow < time.Second || c.FilingWindow > 30*24*time.Hour {
		return nil, fail("public_filing.window", "%q: want a duration from 1s to 720h", f.Public.Window)
	}
	if c.UnverifiedExpiry, err = time.ParseDuration(f.Public.UnverifiedExpiry); err != nil || c.UnverifiedExpiry < 0 {
		return nil, fail("public_filing.unverified_expiry", "%q: want a duration such as 72h (0: never)", f.Public.UnverifiedExpiry)
	}
	return c, nil
}

// IssuerConfig returns how the issuer name is set up: its ca.issuers entry,
// or else the default backend (ca.backend) with its folder under
// ca.local.dir.
func (c *Config) IssuerConfig(name string) Issuer {
	for _, is := range c.Issuers {
		if is.Name == name {
			return is
		}
	}
	return Issuer{Name: name, Backend: c.CABackend, Dir: filepath.Join(c.CADir, name), Key: "ca.backend"}
}

// resolveHRPaths makes the file names of an HR source absolute with abs
// (relative to the configuration file's folder, as for every other path).
func resolveHRPaths(src *appointment.Config, abs func(string) string) {
	if h := src.HTTP; h != nil {
		h.TokenFile, h.CertFile, h.KeyFile, h.CAFile = abs(h.TokenFile), abs(h.CertFile), abs(h.KeyFile), abs(h.CAFile)
	}
	if q := src.SQL; q != nil {
		q.DSNFile = abs(q.DSNFile)
	}
	if c := src.CSV; c != nil {
		c.File = abs(c.File)
	}
	if l := src.LDAP; l != nil {
		l.CAFile, l.PasswordFile = abs(l.CAFile), abs(l.PasswordFile)
	}
}

// HRError locates err, met building the HR source of h, in the
// configuration file: its file, line and key. An appointment source names
// the key it refuses ("csv.file"); the line is that key's when the file has
// it, else the entry's.
func (c *Config) HRError(h HRSource, err error) *Error {
	key, msg := h.Key+".source", err.Error()
	var e *errs.Error
	if errors.As(err, &e) {
		msg = e.Detail
		if e.Format == "appointment source %s: %s" && len(e.Args) == 2 {
			if where, ok := e.Args[0].(string); ok && where != "" {
				key += "." + where
			}
			msg, _ = e.Args[1].(string)
		}
	}
	line := yamlx.LineOf(c.raw, key)
	if line == 0 {
		line = h.Line
	}
	return &Error{File: c.Source, Line: line, Key: key, Msg: msg}
}
