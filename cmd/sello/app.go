package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/store"
)

// app is everything a command needs, loaded from the configuration.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	clk      clock.Clock
	store    *store.Store
	root     tlsIssuer         // issues the HTTPS certificate; nil without the root key
	rootCert *x509.Certificate // served at /ca/root.crt; nil without a root
	policies policies.Set
	ra       *ra.RA
	auditPub crypto.PublicKey
	box      *sealed.Box
	pass     []byte
	ack      *ra.AckSigner // the acknowledgement signer opened with the app; nil if none
	migrated []string      // migrations applied when the app was opened (openOptions.migrate)
	closers  []func()
	// anonRefused counts refused anonymous calls (the RA's tally); serve
	// registers it.
	anonRefused *prometheus.CounterVec
	// sealOnClose writes a checkpoint of what the command appended to the
	// audit log when it closes (one-shot commands that can sign).
	sealOnClose bool
}

// resolveConfig finds the configuration: --config, else <data>/sello.yaml if
// it exists, else the built-in defaults for the data folder.
func resolveConfig(g *globalFlags) (*config.Config, error) {
	if g.config != "" {
		c, err := config.Load(g.config, os.Environ())
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "configuration")
		}
		return c, nil
	}
	if p := filepath.Join(g.data, "sello.yaml"); fileExists(p) {
		c, err := config.Load(p, os.Environ())
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "configuration")
		}
		return c, nil
	}
	c, err := config.FromDefaults(g.data, os.Environ())
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "configuration")
	}
	return c, nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// passphrase returns the CA key passphrase from where passphraseSource
// says (see passphrase.go). Never from the YAML.
func passphrase(cfg *config.Config) ([]byte, error) {
	src := passphraseSource(cfg)
	if src.env {
		return []byte(os.Getenv(passphraseEnv)), nil
	}
	b, err := os.ReadFile(src.file)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "CA passphrase: set SELLO_CA_PASSPHRASE or create %s", src.file)
	}
	p := []byte(strings.TrimRight(string(b), "\r\n"))
	if len(p) < 12 {
		return nil, errs.New(errs.BadConfig, "CA passphrase in %s is shorter than 12 characters", src.file)
	}
	return p, nil
}

// ensurePassphrase creates a random passphrase file if the passphrase comes
// from none of the environment, a systemd credential or an existing file.
func ensurePassphrase(cfg *config.Config) (created bool, err error) {
	src := passphraseSource(cfg)
	if src.env || src.credential || fileExists(src.file) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(cfg.CAPassphraseFile), 0o700); err != nil {
		return false, err
	}
	return true, writeSecret(cfg.CAPassphraseFile, randomSecret())
}

func randomSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// writeSecret writes a new secret file, mode 0600, refusing to overwrite.
func writeSecret(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(value + "\n")
	return err
}

// auditPubPath is where the audit checkpoint public key lives, next to the
// encrypted private key.
func auditPubPath(cfg *config.Config) string {
	return strings.TrimSuffix(cfg.AuditKeyFile, filepath.Ext(cfg.AuditKeyFile)) + ".pub"
}

func ensureAuditKey(cfg *config.Config, pass []byte) (bool, error) {
	if fileExists(cfg.AuditKeyFile) {
		return false, nil
	}
	key, err := auditKey(cfg, pass).Create()
	if err != nil {
		return false, err
	}
	der, _ := x509.MarshalPKIXPublicKey(key.Public())
	return true, os.WriteFile(auditPubPath(cfg), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
}

func loadAuditKey(cfg *config.Config, pass []byte) (crypto.Signer, error) {
	return auditKey(cfg, pass).Signer()
}

func loadAuditPub(cfg *config.Config) (crypto.PublicKey, error) {
	b, err := os.ReadFile(auditPubPath(cfg))
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "audit public key")
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errs.New(errs.BadConfig, "audit public key %s is not PEM", auditPubPath(cfg))
	}
	return x509.ParsePKIXPublicKey(blk.Bytes)
}

// openOptions says how much of the app a command needs.
type openOptions struct {
	migrate bool // apply migrations (serve, init, migrate)
	signer  bool // load the CA and audit keys and the HR sources (anything that signs or acts; reads need no passphrase)
	server  bool // log at the configured level; one-shot commands log warnings and errors only
	ack     bool // make sure the acknowledgement signer exists (commands that file or change status)
}

// openApp loads the configuration's data folder, which must have been
// initialised (sello init, or the first sello serve).
func openApp(ctx context.Context, g *globalFlags, logw io.Writer, o openOptions) (*app, error) {
	cfg, err := resolveConfig(g)
	if err != nil {
		return nil, err
	}
	logCfg := *cfg
	if !o.server && (logCfg.LogLevel == "debug" || logCfg.LogLevel == "info") {
		logCfg.LogLevel = "warn"
	}
	a := &app{cfg: cfg, log: newLogger(&logCfg, logw), clk: clock.New()}
	if len(issuerNames(cfg)) == 0 {
		return nil, errs.New(errs.BadConfig, "no issuer in %s: run `sello init` (or `sello serve`, which initialises an empty data folder)", cfg.CADir)
	}
	a.policies, err = policies.LoadDir(cfg.PolicyDir)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "policies")
	}
	if _, err := a.policies.Get(cfg.DefaultPolicy); err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "policy.default")
	}
	key, err := sealed.LoadKeyFile(cfg.DataKeyFile)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "secrets.data_key_file")
	}
	box, err := sealed.New(key)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "secrets.data_key_file")
	}
	ck, err := loadChainKey(cfg, o.migrate && o.signer)
	if err != nil {
		return nil, err
	}
	sopts := []store.Option{store.WithLogger(a.log), store.WithSealer(box), store.WithChainKey(ck.key)}
	var pass []byte
	var keys *pendingKeys
	defer func() { keys.wait() }() // never leave a decryption running past a failed open
	if o.signer {
		if pass, err = passphrase(cfg); err != nil {
			return nil, err
		}
		// Each key is PBKDF2-encrypted (600,000 iterations): about 0.2 s on
		// one core, several seconds under -race. The root and the
		// acknowledgement signer do not need the store, so they are opened
		// while the audit key and the issuers are (see startKeys).
		keys = startKeys(a, pass)
		ak, err := loadAuditKey(cfg, pass)
		if err != nil {
			return nil, err
		}
		sopts = append(sopts, store.WithCheckpoints(ak, cfg.CheckpointEveryEntries), store.WithCheckpointSink(auditFiles(cfg)))
		// A one-shot command seals what it wrote when it closes; the server
		// checkpoints on its timer and when it stops.
		a.sealOnClose = !o.server
	}
	if a.auditPub, err = loadAuditPub(cfg); err != nil {
		return nil, err
	}
	a.store, err = store.Open(ctx, cfg.DatabaseURL, a.clk, sopts...)
	if err != nil {
		return nil, err
	}
	if o.migrate {
		if a.migrated, err = a.store.Migrate(ctx); err != nil {
			a.store.Close()
			return nil, err
		}
	} else if pending, err := a.store.PendingMigrations(ctx); err != nil || len(pending) > 0 {
		a.store.Close()
		if err != nil {
			return nil, err
		}
		return nil, errs.New(errs.BadConfig, "the database schema is behind (%s not applied): run `sello migrate`", strings.Join(pending, ", "))
	}
	// The RA is built for every command, so that those that only read (audit
	// verify, org list, …) need no CA passphrase; the issuers' backends, the
	// HTTPS root and the HR sources, which sign or act, only with o.signer.
	var issuers []*ra.Issuer
	hr, orgHR := map[string]appointment.Source{}, map[string]appointment.Source{}
	if o.signer {
		issuers, err = openIssuers(ctx, a, pass)
		if rerr := keys.rootErr(a); err == nil {
			err = rerr
		}
		if err != nil {
			a.store.Close()
			return nil, err
		}
		for _, h := range cfg.HR {
			if _, err := a.policies.Get(h.Policy); err != nil {
				a.Close()
				return nil, errs.Wrap(errs.BadConfig, err, "hr: policy %q", h.Policy)
			}
			src, err := appointment.New(h.Source, a.clk)
			if err != nil {
				a.Close()
				return nil, errs.Wrap(errs.TypeOf(err), cfg.HRError(h, err), "HR source of policy %s", h.Policy)
			}
			if c, ok := src.(io.Closer); ok {
				a.closers = append(a.closers, func() { c.Close() })
			}
			if len(h.Organisations) == 0 {
				hr[h.Policy] = src
			}
			for _, code := range h.Organisations {
				orgHR[code] = src
			}
		}
	}
	a.anonRefused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sello_anonymous_refused_total",
		Help: "Refused calls of anonymous callers (no certificate, online filers) by error type; the audit log holds one entry per client and minute."},
		[]string{"type"})
	a.ra = ra.New(ra.Config{Store: ra.Bind[*store.Tx](a.store), Issuers: issuers,
		Policies: a.policies, PublicURL: cfg.PublicURL.String(), PortalURL: cfg.PortalURL.String(), Clock: a.clk, Logger: a.log, Appointments: hr, OrgAppointments: orgHR,
		HomologationRoots: homologationRoots(cfg, a.log),
		Documents:         documents.New(documents.Bind[*store.Tx](a.store), box, a.clk, a.log),
		Limits: ra.Limits{FilingsPerAddress: cfg.FilingsPerAddress, FilingsPerEmail: cfg.FilingsPerEmail, Window: cfg.FilingWindow,
			UnverifiedExpiry: cfg.UnverifiedExpiry},
		AnonymousRefused: a.anonRefused})
	if err := commitChainKey(ctx, a, ck); err != nil {
		a.sealOnClose = false
		a.Close()
		return nil, err
	}
	if o.signer {
		if s := keys.ackSigner(); s != nil {
			a.ra.SetAckSigner(*s)
			a.ack = s
		}
	}
	a.box, a.pass = box, pass
	if o.ack {
		if err := ensureAckSigner(ctx, a, pass); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

func (a *app) Close() {
	if a.sealOnClose && a.ra != nil {
		if _, err := a.ra.Checkpoint(context.Background(), operator()); err != nil {
			a.log.Error("audit checkpoint at exit", "err", err)
		}
	}
	for _, c := range a.closers {
		c()
	}
	if a.store != nil {
		a.store.Close()
	}
}

// operator is the console's actor: the operator's login, in audit entries
// as cli:<login>. The console is trusted like an administrator.
func operator() ra.Actor {
	u := os.Getenv("USER")
	if u == "" {
		u = "unknown"
	}
	return ra.CLI(u)
}

func printf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }

// homologationRoots loads the other authorities whose certificates may be
// registered (RULES O4): every PEM certificate in <data>/homologation/.
func homologationRoots(cfg *config.Config, log *slog.Logger) *x509.CertPool {
	files, _ := filepath.Glob(filepath.Join(cfg.DataDir, "homologation", "*.pem"))
	if len(files) == 0 {
		return nil
	}
	pool := x509.NewCertPool()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || !pool.AppendCertsFromPEM(b) {
			log.Warn("homologation: not a PEM certificate file", "file", f)
		}
	}
	return pool
}

// withApp is a command body that needs the app: it opens it with o, runs
// fn, and closes it.
func withApp(g *globalFlags, o openOptions, fn func(cmd *cobra.Command, a *app, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a, err := openApp(cmd.Context(), g, cmd.ErrOrStderr(), o)
		if err != nil {
			return err
		}
		defer a.Close()
		return fn(cmd, a, args)
	}
}
