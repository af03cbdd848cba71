package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
)

type initOptions struct {
	issuerSource
	policy     string
	orgCode    string
	orgName    string
	adminEmail string
	// serve opens the app as the server does and hands it over in
	// initResult.app, so that a first `sello serve` decrypts its keys once.
	serve bool
}

func newInitCmd(g *globalFlags) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Initialise a data folder: CA, secrets, policies, database and the first administrator",
		Long: `Initialise a data folder (--data, default ./sello-data), or the folders a --config
names. It creates the CA key passphrase (unless SELLO_CA_PASSPHRASE is set), the
data key that seals personal data, the audit checkpoint key, the jurisdiction
policies, the deployment's ECDSA P-384 root (<ca>/root.crt) and the issuer of the
jurisdiction it is given (--policy, default policy.default): an issuing CA named
after that government, in <ca>/<issuer>/ (or an existing issuing CA imported
there), then the database, the certification authority's own organisation and a
bootstrap administrator whose PKCS#12 file and password are written next to each
other. Other jurisdictions get their issuer with "sello issuer add".

Running it again on an initialised folder changes nothing.`,
		Example: `  sello init
  sello init --data /var/lib/sello --issuing-key rsa-3072
  sello init --policy cajamarca
  sello init --import-p12 issuing-ca.p12 --key-pass-file p12.pass`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := resolveConfig(g)
			if err != nil {
				return err
			}
			res, err := initDataDir(cmd.Context(), g, cfg, o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			printInitResult(cmd.OutOrStdout(), cfg, res)
			return nil
		},
	}
	o.issuerSource.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.policy, "policy", "", "the jurisdiction whose issuer to create, and whose organisation the authority's is (default: policy.default)")
	f.StringVar(&o.orgCode, "org-code", "AC", "code of the certification authority's own organisation")
	f.StringVar(&o.orgName, "org-name", "", "name of the certification authority's organisation (default: the default policy's government name)")
	f.StringVar(&o.adminEmail, "admin-email", "", "institutional e-mail of the bootstrap administrator (default: admin@<first domain of the default policy>)")
	return cmd
}

type initResult struct {
	createdCA, createdPass, createdDataKey, createdAuditKey, createdPolicies, createdConfig bool
	adminP12, adminPass                                                                     string
	migrations                                                                              []string
	app                                                                                     *app // with initOptions.serve; the caller closes it
}

// initDataDir brings a data folder to a runnable state, creating only what is
// missing. It is what `sello init` and a first `sello serve` run.
func initDataDir(ctx context.Context, g *globalFlags, cfg *config.Config, o *initOptions, logw io.Writer) (*initResult, error) {
	res := &initResult{}
	for _, d := range []string{cfg.DataDir, filepath.Dir(cfg.CAPassphraseFile), filepath.Dir(cfg.DataKeyFile), filepath.Dir(cfg.AuditKeyFile)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "cannot create %s", d)
		}
	}
	var err error
	if res.createdPass, err = ensurePassphrase(cfg); err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "CA passphrase file")
	}
	pass, err := passphrase(cfg)
	if err != nil {
		return nil, err
	}
	if !fileExists(cfg.DataKeyFile) {
		if err := sealed.NewKeyFile(cfg.DataKeyFile); err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "data key")
		}
		res.createdDataKey = true
	}
	if res.createdAuditKey, err = ensureAuditKey(cfg, pass); err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "audit key")
	}
	if !fileExists(cfg.PolicyDir) {
		files, err := policies.BuiltinFiles()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(cfg.PolicyDir, 0o755); err != nil {
			return nil, err
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(cfg.PolicyDir, name), body, 0o644); err != nil {
				return nil, err
			}
		}
		res.createdPolicies = true
	}
	set, err := policies.LoadDir(cfg.PolicyDir)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "policies")
	}
	polID, polKey := o.policy, "--policy"
	if polID == "" {
		polID, polKey = cfg.DefaultPolicy, "policy.default"
	}
	pol, err := set.Get(polID)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "%s", polKey)
	}
	if !hasIssuer(cfg, pol.IssuerName()) {
		if _, err := createIssuer(cfg, &o.issuerSource, pol, pass); err != nil {
			return nil, err
		}
		res.createdCA = true
	}
	if cfg.Source == "defaults" {
		p := filepath.Join(cfg.DataDir, "sello.yaml")
		if !fileExists(p) {
			if err := os.WriteFile(p, []byte(renderDataDirConfig(os.Environ())), 0o644); err != nil {
				return nil, err
			}
			res.createdConfig = true
		}
	}

	a, err := openApp(ctx, g, logw, openOptions{migrate: true, signer: true, server: o.serve})
	if err != nil {
		return nil, err
	}
	kept := false
	defer func() {
		if !kept {
			a.Close()
		}
	}()
	done := func() (*initResult, error) {
		if err := ensureAckSigner(ctx, a, a.pass); err != nil {
			return nil, err
		}
		if o.serve {
			kept, res.app = true, a
		}
		return res, nil
	}
	// Each bootstrap step is skipped when done, so an interrupted init can be
	// run again: the authority's organisation, then its first administrator.
	sys := ra.System("init")
	agents, err := a.ra.Agents(ctx, sys, "")
	if err != nil {
		return nil, err
	}
	for _, ag := range agents {
		if ag.Role == store.RoleAdmin {
			return done()
		}
	}
	orgName := o.orgName
	if orgName == "" {
		orgName = pol.Name
	}
	orgs, err := a.ra.Organisations(ctx, sys)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(orgs, func(org store.Organisation) bool { return org.Code == o.orgCode }) {
		if _, err := a.ra.AddOrganisation(ctx, sys, ra.OrganisationInput{Code: o.orgCode, Name: orgName, Policy: pol.ID,
			Unit: "Autoridad Certificadora"}); err != nil {
			return nil, err
		}
	}
	email := o.adminEmail
	if email == "" {
		email = "admin@" + pol.Email.Domains[0]
	}
	cred, err := a.ra.AddAgent(ctx, sys, ra.AddAgentRequest{OrgCode: o.orgCode, Role: store.RoleAdmin,
		Person: store.PersonData{GivenNames: "Administrador", FirstSurname: "Inicial", Email: email},
		Title:  "Administrador de la Autoridad Certificadora", Bootstrap: true})
	if err != nil {
		return nil, err
	}
	res.adminP12 = filepath.Join(cfg.DataDir, "admin.p12")
	res.adminPass = filepath.Join(cfg.DataDir, "admin.p12.pass")
	if err := writePKCS12(res.adminP12, res.adminPass, cred, ""); err != nil {
		return nil, err
	}
	return done()
}

// writePKCS12 writes an agent credential as a modern PKCS#12 (AES-256,
// PBKDF2, SHA-256 MAC) and its password to passPath (generated when
// password is empty).
func writePKCS12(p12Path, passPath string, cred *ra.AgentCredential, password string) error {
	if password == "" {
		password = randomSecret()
		if err := writeSecret(passPath, password); err != nil {
			return errs.Wrap(errs.Conflict, err, "password file %s", passPath)
		}
	}
	var chain []*x509.Certificate
	chain = append(chain, cred.Chain...)
	data, err := pkcs12.Modern.Encode(cred.Key, cred.Cert, chain, password)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "PKCS#12")
	}
	f, err := os.OpenFile(p12Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return errs.Wrap(errs.Conflict, err, "PKCS#12 file %s", p12Path)
	}
	defer f.Close()
	_, err = f.Write(data)
	return err
}

func printInitResult(w io.Writer, cfg *config.Config, r *initResult) {
	mark := func(b bool) string {
		if b {
			return "created"
		}
		return "kept"
	}
	printf(w, "Sello data folder: %s\n", cfg.DataDir)
	printf(w, "  configuration      %s (%s)\n", filepath.Join(cfg.DataDir, "sello.yaml"), mark(r.createdConfig))
	printf(w, "  database           %s\n", store.Redact(cfg.DatabaseURL))
	printf(w, "  CA certificates    %s (%s; one folder per issuer)\n", cfg.CADir, mark(r.createdCA))
	printf(w, "  CA key passphrase  %s (%s)\n", cfg.CAPassphraseFile, mark(r.createdPass))
	printf(w, "  data key           %s (%s)\n", cfg.DataKeyFile, mark(r.createdDataKey))
	printf(w, "  audit key          %s (%s)\n", cfg.AuditKeyFile, mark(r.createdAuditKey))
	printf(w, "  policies           %s (%s)\n", cfg.PolicyDir, mark(r.createdPolicies))
	if r.adminP12 != "" {
		printf(w, "  bootstrap admin    %s (password in %s)\n", r.adminP12, r.adminPass)
	}
}

// listenOverrides are the listen keys whose SELLO_* override given at init
// is written into the generated sello.yaml, so the next start without the
// variable listens where the first did.
var listenOverrides = []struct{ env, line string }{
	{"SELLO_LISTEN_HTTP", "  http: 127.0.0.1:8080\n"},
	{"SELLO_LISTEN_HTTPS", "  https: 127.0.0.1:8443\n"},
	{"SELLO_LISTEN_PUBLIC_URL", "  public_url: http://127.0.0.1:8080\n"},
	{"SELLO_LISTEN_METRICS", "  metrics: loopback\n"},
}

// renderDataDirConfig is dataDirConfig with the SELLO_LISTEN_* values of env.
func renderDataDirConfig(env []string) string {
	vals := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vals[k] = v
		}
	}
	out := dataDirConfig
	for _, o := range listenOverrides {
		v, ok := vals[o.env]
		if !ok || v == "" {
			continue
		}
		key, _, _ := strings.Cut(o.line, ":")
		out = strings.Replace(out, o.line, fmt.Sprintf("%s: %s # from %s at init\n", key, strconv.Quote(v), o.env), 1)
	}
	return out
}

// dataDirConfig is written into a data folder created from defaults, so an
// operator has every key in front of them. Paths are relative to the folder.
const dataDirConfig = `# Sello configuration for this data folder (written by sello init).
# Relative paths are relative to this folder. Every key is documented in
# configs/sello.yaml; SELLO_* environment variables override any key.
data_dir: .
database:
  url: sqlite:sello.db
listen:
  http: 127.0.0.1:8080
  https: 127.0.0.1:8443
  public_url: http://127.0.0.1:8080
  metrics: loopback
tls:
  cert_file: ""
  key_file: ""
  names: [localhost, 127.0.0.1]
ca:
  backend: local
  local:
    dir: ca
    passphrase_file: secrets/ca.pass
    issuing_key: ecdsa-p384
  # One issuer per authority, each in ca/<issuer>/ (sello issuer add);
  # list one here only to give it another backend or folder.
  issuers: []
secrets:
  data_key_file: secrets/data.key
audit:
  key_file: secrets/audit.key             # its state (last head signed) is secrets/audit.state
  chain_key_file: secrets/audit-chain.key # keys the chain hashes (HMAC-SHA-256)
  heads_file: audit-heads.jsonl           # every signed head; copy it off this machine
  checkpoint_every_entries: 1000
  checkpoint_interval: 10m
  checkpoint_slack: 5m                    # verify fails when entries stay unsealed longer than interval + slack
policy:
  dir: policies
  default: jalisco
log:
  level: info
  format: json
`
