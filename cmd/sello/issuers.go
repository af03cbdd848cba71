package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
)

// issuerNames lists the deployment's issuers: the sub-folders of the CA
// folder that hold an issuing CA (what `sello init` and `sello issuer add`
// create), and the issuers the configuration lists.
func issuerNames(cfg *config.Config) []string {
	seen := map[string]bool{}
	entries, _ := os.ReadDir(cfg.CADir)
	for _, e := range entries {
		if e.IsDir() && fileExists(filepath.Join(cfg.CADir, e.Name(), local.IssuingCertFile)) {
			seen[e.Name()] = true
		}
	}
	for _, is := range cfg.Issuers {
		seen[is.Name] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// hasIssuer tells whether the issuer's material is there (local) or the
// configuration names it (other backends).
func hasIssuer(cfg *config.Config, name string) bool {
	ic := cfg.IssuerConfig(name)
	if ic.Backend == local.BackendName {
		return fileExists(filepath.Join(ic.Dir, local.IssuingCertFile))
	}
	return ic.Key != "ca.backend"
}

// openIssuers builds each issuer's backend from the registry, as the
// configuration says, and reads its chain once. An error names where the
// issuer is configured.
func openIssuers(ctx context.Context, a *app, pass []byte) ([]*ra.Issuer, error) {
	var out []*ra.Issuer
	for _, name := range issuerNames(a.cfg) {
		ic := a.cfg.IssuerConfig(name)
		b, err := ca.NewBackend(ctx, ic.Backend, ca.Options{Issuer: name, Dir: ic.Dir, Passphrase: pass, Serials: a.store,
			Clock: a.clk, Logger: a.log})
		if err == nil {
			var is *ra.Issuer
			if is, err = ra.NewIssuer(ctx, name, b); err == nil {
				out = append(out, is)
				continue
			}
		}
		return nil, errs.Wrap(errs.TypeOf(err), &config.Error{File: a.cfg.Source, Line: ic.Line, Key: ic.Key, Msg: err.Error()}, "issuer %s", name)
	}
	return out, nil
}

// issuerSource says how `sello init` and `sello issuer add` get an issuing
// CA: generated under the deployment's root, or imported.
type issuerSource struct {
	issuingKey  string
	importCert  string
	importKey   string
	importP12   string
	keyPassFile string
}

func (s *issuerSource) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.issuingKey, "issuing-key", "", "issuing CA key: ecdsa-p384 (default), rsa-3072 or rsa-4096 (overrides ca.local.issuing_key)")
	f.StringVar(&s.importCert, "import-cert", "", "import an existing issuing CA: its certificate (PEM, may include the chain)")
	f.StringVar(&s.importKey, "import-key", "", "import an existing issuing CA: its private key (PEM: PKCS#1, SEC1 or PKCS#8, optionally encrypted)")
	f.StringVar(&s.importP12, "import-p12", "", "import an existing issuing CA from a PKCS#12 file")
	f.StringVar(&s.keyPassFile, "key-pass-file", "", "file with the password of --import-key or --import-p12")
}

func (s *issuerSource) imported() bool {
	return s.importP12 != "" || s.importCert != "" || s.importKey != ""
}

// createIssuer creates (or imports) the issuer of pol in its folder. A
// generated issuing CA is signed by the deployment's root, created first
// when there is none; an imported one keeps its own chain, and its root
// becomes the deployment's when there is none yet.
func createIssuer(cfg *config.Config, s *issuerSource, pol *policies.Policy, pass []byte) (*local.Hierarchy, error) {
	ic := cfg.IssuerConfig(pol.IssuerName())
	if ic.Backend != local.BackendName {
		return nil, errs.New(errs.BadConfig, "issuer %s uses the %s backend (%s): sello creates and imports keys only for the local backend", ic.Name, ic.Backend, ic.Key)
	}
	if fileExists(filepath.Join(ic.Dir, local.IssuingCertFile)) {
		return nil, errs.New(errs.Conflict, "issuer %s already exists in %s", ic.Name, ic.Dir)
	}
	h, err := issuingCA(cfg, s, pol, pass)
	if err != nil {
		return nil, err
	}
	if !fileExists(filepath.Join(cfg.CADir, local.RootCertFile)) && h.Root != nil {
		if err := h.RootCA().WriteRootDir(cfg.CADir, pass); err != nil {
			return nil, err
		}
	}
	return h, h.WriteIssuerDir(ic.Dir, pass)
}

func issuingCA(cfg *config.Config, s *issuerSource, pol *policies.Policy, pass []byte) (*local.Hierarchy, error) {
	var keyPass []byte
	if s.keyPassFile != "" {
		b, err := os.ReadFile(s.keyPassFile)
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "--key-pass-file")
		}
		keyPass = []byte(strings.TrimRight(string(b), "\r\n"))
	}
	switch {
	case s.importP12 != "":
		data, err := os.ReadFile(s.importP12)
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "--import-p12")
		}
		return local.ImportPKCS12(data, string(keyPass))
	case s.importCert != "" || s.importKey != "":
		if s.importCert == "" || s.importKey == "" {
			return nil, errs.New(errs.BadConfig, "--import-cert and --import-key go together")
		}
		certPEM, err1 := os.ReadFile(s.importCert)
		keyPEM, err2 := os.ReadFile(s.importKey)
		if err1 != nil || err2 != nil {
			return nil, errs.New(errs.BadConfig, "cannot read --import-cert or --import-key")
		}
		return local.Import(certPEM, keyPEM, keyPass)
	}
	kt := cfg.CAIssuingKey
	if s.issuingKey != "" {
		kt = s.issuingKey
	}
	opts := local.HierarchyOptions{CommonName: pol.Name, Organization: pol.Name, Country: pol.Jurisdiction.Country, IssuingKey: kt,
		RootCRLURL: cfg.PublicURL.String() + "/crl/root.crl", RootCertURL: cfg.PublicURL.String() + "/ca/root.crt"}
	var root *local.Root
	var err error
	if fileExists(filepath.Join(cfg.CADir, local.RootCertFile)) {
		root, err = local.LoadRoot(cfg.CADir, pass)
	} else {
		// The deployment's root, named after the first jurisdiction it serves.
		if root, err = local.GenerateRoot(clock.New(), opts); err == nil {
			err = root.WriteRootDir(cfg.CADir, pass)
		}
	}
	if err != nil {
		return nil, err
	}
	return root.NewIssuing(clock.New(), opts)
}

func newIssuerCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "issuer",
		Short: "Manage the issuers: one issuing CA per authority",
		Long: `A deployment holds one or more issuers, each an issuing CA whose subject names the
authority it issues for (RULES P1). Each policy names its issuer (its issuer key,
by default its id); the certificates of its organisations are issued by it.`,
		Example: `  sello issuer list
  sello issuer add --policy cajamarca`,
	}
	cmd.AddCommand(newIssuerAddCmd(g), newIssuerListCmd(g))
	return cmd
}

func newIssuerAddCmd(g *globalFlags) *cobra.Command {
	var policyID string
	src := &issuerSource{}
	cmd := &cobra.Command{
		Use:   "add --policy ID",
		Short: "Create (or import) the issuer of a jurisdiction's policy",
		Long: `Create the issuing CA of a policy's issuer, named "<policy name> Issuing CA" and
signed by the deployment's root (in <ca.local.dir>/<issuer>/, key encrypted with
the CA passphrase), or import an existing issuing CA with --import-cert and
--import-key, or --import-p12. Organisations of the policy can be filed once
their issuer exists.`,
		Example: `  sello issuer add --policy cajamarca
  sello issuer add --policy zacatecas --issuing-key rsa-3072
  sello issuer add --policy tijuana --import-p12 tijuana-ca.p12 --key-pass-file p12.pass`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := resolveConfig(g)
			if err != nil {
				return err
			}
			set, err := policies.LoadDir(cfg.PolicyDir)
			if err != nil {
				return errs.Wrap(errs.BadConfig, err, "policies")
			}
			pol, err := set.Get(policyID)
			if err != nil {
				return errs.Wrap(errs.Malformed, err, "--policy")
			}
			pass, err := passphrase(cfg)
			if err != nil {
				return err
			}
			h, err := createIssuer(cfg, src, pol, pass)
			if err != nil {
				return err
			}
			return withApp(g, openOptions{signer: true}, func(cmd *cobra.Command, a *app, _ []string) error {
				err := a.ra.RecordIssuerAdded(cmd.Context(), operator(), ra.IssuerAdded{Name: pol.IssuerName(), Policy: pol.ID,
					ID: ca.IssuerID(h.Issuing), Subject: ca.FormatName(h.Issuing.Subject), Imported: src.imported()})
				if err != nil {
					return err
				}
				printf(cmd.OutOrStdout(), "issuer %s: %s (%s), in %s\n", pol.IssuerName(), h.Issuing.Subject.CommonName,
					ca.IssuerID(h.Issuing), cfg.IssuerConfig(pol.IssuerName()).Dir)
				printf(cmd.OutOrStdout(), "a running `sello serve` signs with it and serves its chain once restarted\n")
				return nil
			})(cmd, nil)
		},
	}
	cmd.Flags().StringVar(&policyID, "policy", "", "the policy whose issuer to create (its issuer key, by default its id, names the issuer)")
	_ = cmd.MarkFlagRequired("policy")
	src.flags(cmd)
	return cmd
}

func newIssuerListCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the issuers and the policies each serves",
		Example: `  sello issuer list`,
		Args:    cobra.NoArgs,
		RunE: withApp(g, openOptions{signer: true}, func(cmd *cobra.Command, a *app, _ []string) error {
			w := cmd.OutOrStdout()
			for _, is := range a.ra.Issuers() {
				var pols []string
				for id, p := range a.policies {
					if p.IssuerName() == is.Name {
						pols = append(pols, id)
					}
				}
				sort.Strings(pols)
				c := is.Certificate()
				printf(w, "%s\t%s\t%s\tbackend %s\tuntil %s\tpolicies %s\n", is.Name, is.ID, c.Subject.CommonName,
					a.cfg.IssuerConfig(is.Name).Backend, c.NotAfter.UTC().Format(time.DateOnly), strings.Join(pols, ","))
			}
			ids := make([]string, 0, len(a.policies))
			for id := range a.policies {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				if _, err := a.ra.IssuerFor(id); err != nil {
					printf(w, "policy %s has no issuer (%s): sello issuer add --policy %s\n", id, a.policies[id].IssuerName(), id)
				}
			}
			return nil
		}),
	}
}

// certificateBySerial finds a certificate by serial: under the named issuer,
