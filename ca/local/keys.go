package local

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.step.sm/crypto/pemutil"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// Hierarchy is a root CA and the issuing CA under it, with their keys.
// Root and RootKey may be nil (an imported issuing CA, or a root key kept
// offline). Chain is the issuing certificate first, then up to the root.
type Hierarchy struct {
	Root       *x509.Certificate
	RootKey    crypto.Signer
	Issuing    *x509.Certificate
	IssuingKey crypto.Signer
	Chain      []*x509.Certificate
}

// Issuing key algorithms for HierarchyOptions.IssuingKey.
const (
	KeyECDSAP384 = "ecdsa-p384"
	KeyRSA3072   = "rsa-3072"
	KeyRSA4096   = "rsa-4096"
)

// Default validity periods (a year here is 365.25 days).
const (
	DefaultRootValidity    = 20 * 8766 * time.Hour
	DefaultIssuingValidity = 10 * 8766 * time.Hour
)

// MinPassphraseLength is the shortest passphrase WriteDir accepts, in bytes.
const MinPassphraseLength = 12

// File names in a hierarchy directory.
const (
	RootCertFile    = "root.crt"
	RootKeyFile     = "root.key"
	IssuingCertFile = "issuing.crt"
	IssuingKeyFile  = "issuing.key"
	ChainFile       = "chain.pem"
)

// HierarchyOptions describes a new hierarchy.
type HierarchyOptions struct {
	// CommonName prefixes both names: "<CommonName> Root CA" and
	// "<CommonName> Issuing CA". Default "Sello".
	CommonName   string
	Organization string // required
	Country      string // required, ISO 3166 two letters
	// IssuingKey is KeyECDSAP384 (default), KeyRSA3072 or KeyRSA4096. The
	// root key is always ECDSA P-384.
	IssuingKey      string
	RootValidity    time.Duration // default DefaultRootValidity
	IssuingValidity time.Duration // default DefaultIssuingValidity
	// RootCRLURL and RootCertURL go into the issuing CA certificate (CRL
	// distribution point and AIA caIssuers): where relying parties fetch the
	// root's CRL and the root certificate. Required (CA/B Forum BR 7.1.2.2,
	// which zlint enforces).
	RootCRLURL  string
	RootCertURL string
	// PolicyOIDs are the issuing CA's certificate policies, dotted. Default
	// anyPolicy (2.5.29.32.0), which lets each jurisdiction's policy OID
	// appear under it.
	PolicyOIDs []string
}

func (o HierarchyOptions) withDefaults() HierarchyOptions {
	if o.CommonName == "" {
		o.CommonName = "Sello"
	}
	if o.IssuingKey == "" {
		o.IssuingKey = KeyECDSAP384
	}
	if o.RootValidity == 0 {
		o.RootValidity = DefaultRootValidity
	}
	if o.IssuingValidity == 0 {
		o.IssuingValidity = DefaultIssuingValidity
	}
	if len(o.PolicyOIDs) == 0 {
		o.PolicyOIDs = []string{"2.5.29.32.0"}
	}
	return o
}

func (o HierarchyOptions) validate() error {
	switch {
	case strings.TrimSpace(o.Organization) == "":
		return errs.New(errs.BadConfig, "hierarchy: organization is required")
	case len(o.Country) != 2 || strings.ToUpper(o.Country) != o.Country:
		return errs.New(errs.BadConfig, "hierarchy: country %q is not a two-letter ISO 3166 code", o.Country)
	case o.RootCRLURL == "" || o.RootCertURL == "":
		return errs.New(errs.BadConfig, "hierarchy: the root CRL URL and root certificate URL are required (they go into the issuing CA certificate)")
	case o.RootValidity <= 0 || o.IssuingValidity <= 0:
		return errs.New(errs.BadConfig, "hierarchy: validity periods must be positive")
	case o.IssuingValidity > o.RootValidity:
		return errs.New(errs.BadConfig, "hierarchy: the issuing CA (%s) cannot outlive the root (%s)", o.IssuingValidity, o.RootValidity)
	}
	switch o.IssuingKey {
	case KeyECDSAP384, KeyRSA3072, KeyRSA4096:
	default:
		return errs.New(errs.BadConfig, "hierarchy: issuing key %q is not one of %s, %s, %s", o.IssuingKey, KeyECDSAP384, KeyRSA3072, KeyRSA4096)
	}
	return nil
}

// CABackdate is how far generated CA certificates' notBefore lies in the past.
const CABackdate = time.Hour

// GenerateHierarchy creates a self-signed ECDSA P-384 root and an issuing CA
// under it. The issuing CA has pathLen 0 and the EKUs emailProtection and
// clientAuth, so that it cannot issue TLS server certificates. Both
// certificates are linted; a lint error fails the generation.
func GenerateHierarchy(clk clock.Clock, opts HierarchyOptions) (*Hierarchy, error) {
	opts, policies, err := prepare(clk, opts)
	if err != nil {
		return nil, err
	}
	// CA certificates are backdated by an hour so that certificates issued
	// right after set-up, themselves backdated for relying parties' clock
	// skew, fall within the issuer's validity.
	now := clk.Now().UTC().Truncate(time.Second).Add(-CABackdate)
	root, err := generateRoot(now, opts)
	if err != nil {
		return nil, err
	}
	return root.issue(now, opts, policies)
}

// prepare applies the defaults, checks the options and parses the policy
// OIDs.
func prepare(clk clock.Clock, opts HierarchyOptions) (HierarchyOptions, []x509.OID, error) {
	if clk == nil {
		return opts, nil, errs.New(errs.BadConfig, "hierarchy: no clock")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return opts, nil, err
	}
	policies := make([]x509.OID, 0, len(opts.PolicyOIDs))
	for _, p := range opts.PolicyOIDs {
		oid, err := x509.ParseOID(p)
		if err != nil {
			return opts, nil, errs.Wrap(errs.BadConfig, err, "hierarchy: policy OID %q is not a dotted object identifier", p)
		}
		policies = append(policies, oid)
	}
	return opts, policies, nil
}

// generateRoot creates the self-signed ECDSA P-384 root, linted.
func generateRoot(now time.Time, opts HierarchyOptions) (*Root, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "hierarchy: cannot generate the root key")
	}
	rootTmpl := &x509.Certificate{
		Subject:               caName(opts, "Root CA"),
		NotBefore:             now,
		NotAfter:              now.Add(opts.RootValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	root, err := signCA(rootTmpl, nil, rootKey, rootKey)
	if err != nil {
		return nil, err
	}
	if _, err := ca.Lint(root.Raw); err != nil {
		return nil, err
	}
	return &Root{cert: root, key: rootKey}, nil
}

// issue creates an issuing CA under the root, linted.
func (r *Root) issue(now time.Time, opts HierarchyOptions, policies []x509.OID) (*Hierarchy, error) {
	if r.key == nil {
		return nil, errs.New(errs.BadConfig, "the root key is not here (kept offline?): an issuing CA cannot be created; import one instead")
	}
	notAfter := now.Add(opts.IssuingValidity)
	if notAfter.After(r.cert.NotAfter) {
		notAfter = r.cert.NotAfter
	}
	issuingKey, err := generateIssuingKey(opts.IssuingKey)
	if err != nil {
		return nil, err
	}
	issuingTmpl := &x509.Certificate{
		Subject:               caName(opts, "Issuing CA"),
		NotBefore:             now,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature, // digitalSignature: it signs OCSP responses itself
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		Policies:              policies,
		CRLDistributionPoints: []string{opts.RootCRLURL},
		IssuingCertificateURL: []string{opts.RootCertURL},
	}
	issuing, err := signCA(issuingTmpl, r.cert, issuingKey, r.key)
	if err != nil {
		return nil, err
	}
	if _, err := ca.Lint(issuing.Raw); err != nil {
		return nil, err
	}
	return &Hierarchy{
		Root:       r.cert,
		RootKey:    r.key,
		Issuing:    issuing,
		IssuingKey: issuingKey,
		Chain:      []*x509.Certificate{issuing, r.cert},
	}, nil
}

func caName(o HierarchyOptions, suffix string) pkix.Name {
	return pkix.Name{
		Country:      []string{o.Country},
		Organization: []string{o.Organization},
		CommonName:   o.CommonName + " " + suffix,
	}
}

func generateIssuingKey(kind string) (crypto.Signer, error) {
	var key crypto.Signer
	var err error
	switch kind {
	case KeyRSA3072:
		key, err = rsa.GenerateKey(rand.Reader, 3072)
	case KeyRSA4096:
		key, err = rsa.GenerateKey(rand.Reader, 4096)
	default:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "hierarchy: cannot generate the issuing key")
	}
	return key, nil
}

// signCA completes tmpl (serial, SKID, signature algorithm) and signs it with
// parentKey under parent (nil: self-signed).
func signCA(tmpl, parent *x509.Certificate, key, parentKey crypto.Signer) (*x509.Certificate, error) {
	var err error
	if tmpl.SerialNumber, err = newSerial(rand.Reader); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot draw a serial number")
	}
	if tmpl.SubjectKeyId, err = ca.SubjectKeyID(key.Public()); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot compute the subject key identifier")
	}
	if tmpl.SignatureAlgorithm, err = signatureAlgorithm(parentKey.Public()); err != nil {
		return nil, err
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot sign %q", tmpl.Subject.CommonName)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot parse %q", tmpl.Subject.CommonName)
	}
	return cert, nil
}

// WriteDir writes the hierarchy to dir: root.crt, issuing.crt and chain.pem
// (issuing then root) in PEM, and root.key and issuing.key as encrypted
// PKCS#8 (PBES2, AES-256-CBC) with mode 0600. It refuses a passphrase
// shorter than MinPassphraseLength bytes and never overwrites an existing
// file (errs.Conflict).
func (h *Hierarchy) WriteDir(dir string, passphrase []byte) error {
	if len(passphrase) < MinPassphraseLength {
		return errs.New(errs.BadConfig, "the key passphrase must be at least %d bytes", MinPassphraseLength)
	}
	if h.Issuing == nil || h.IssuingKey == nil {
		return errs.New(errs.BadConfig, "hierarchy has no issuing CA certificate and key")
	}
	chain := h.Chain
	if len(chain) == 0 {
		chain = []*x509.Certificate{h.Issuing}
		if h.Root != nil && !h.Root.Equal(h.Issuing) {
			chain = append(chain, h.Root)
		}
	}
	type file struct {
		name string
		data []byte
		perm fs.FileMode
	}
	var files []file
	if h.Root != nil {
		files = append(files, file{RootCertFile, certsPEM(h.Root), 0o644})
	}
	files = append(files, file{IssuingCertFile, certsPEM(h.Issuing), 0o644}, file{ChainFile, certsPEM(chain...), 0o644})
	for _, k := range []struct {
		name string
		key  crypto.Signer
	}{{RootKeyFile, h.RootKey}, {IssuingKeyFile, h.IssuingKey}} {
		if k.key == nil {
			continue
		}
		block, err := pemutil.Serialize(k.key, pemutil.WithPKCS8(true), pemutil.WithPassword(passphrase))
		if err != nil {
			return errs.Wrap(errs.Internal, err, "cannot encrypt %s", k.name)
		}
		files = append(files, file{k.name, pem.EncodeToMemory(block), 0o600})
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return errs.Wrap(errs.BadConfig, err, "cannot create %s", dir)
	}
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f.name)); err == nil {
			return errs.New(errs.Conflict, "%s already exists in %s: refusing to overwrite CA material", f.name, dir)
		}
	}
	for _, f := range files {
		if err := writeNew(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
			return err
		}
	}
	return nil
}

func writeNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return errs.Wrap(errs.BadConfig, err, "cannot create %s", path)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return errs.Wrap(errs.Unavailable, err, "cannot write %s", path)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return errs.Wrap(errs.Unavailable, err, "cannot write %s", path)
	}
	if err := f.Close(); err != nil {
		return errs.Wrap(errs.Unavailable, err, "cannot write %s", path)
	}
	return nil
}

func certsPEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// LoadDir reads a hierarchy written by WriteDir. issuing.crt, issuing.key
// and chain.pem are required; root.crt and root.key are optional, so that the
// root key can live offline. Key files must be encrypted. A wrong passphrase
// gives errs.BadConfig "cannot decrypt issuing.key: wrong passphrase?".
func LoadDir(dir string, passphrase []byte) (*Hierarchy, error) {
	issuingPEM, err := readFile(dir, IssuingCertFile, true)
	if err != nil {
		return nil, err
	}
	issuing, err := parseOneCert(issuingPEM, IssuingCertFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readFile(dir, IssuingKeyFile, true)
	if err != nil {
		return nil, err
	}
	issuingKey, err := decryptKey(keyPEM, passphrase, IssuingKeyFile)
	if err != nil {
		return nil, err
	}
	chainPEM, err := readFile(dir, ChainFile, true)
	if err != nil {
		return nil, err
	}
	chain, err := parseCerts(chainPEM, ChainFile)
	if err != nil {
		return nil, err
	}
	h := &Hierarchy{Issuing: issuing, IssuingKey: issuingKey, Chain: chain}

	rootPEM, err := readFile(dir, RootCertFile, false)
	if err != nil {
		return nil, err
	}
	if rootPEM != nil {
		if h.Root, err = parseOneCert(rootPEM, RootCertFile); err != nil {
			return nil, err
		}
	}
	rootKeyPEM, err := readFile(dir, RootKeyFile, false)
	if err != nil {
		return nil, err
	}
	if rootKeyPEM != nil {
		if h.Root == nil {
			return nil, errs.New(errs.BadConfig, "%s is present without %s", RootKeyFile, RootCertFile)
		}
		if h.RootKey, err = decryptKey(rootKeyPEM, passphrase, RootKeyFile); err != nil {
			return nil, err
		}
		if !keyMatches(h.Root, h.RootKey) {
			return nil, errs.New(errs.BadConfig, "%s does not match %s", RootKeyFile, RootCertFile)
		}
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// check verifies what every hierarchy must satisfy.
func (h *Hierarchy) check() error {
	if !keyMatches(h.Issuing, h.IssuingKey) {
		return errs.New(errs.BadConfig, "the issuing key does not match the issuing CA certificate %q", h.Issuing.Subject)
	}
	if err := checkCA(h.Issuing); err != nil {
		return err
	}
	if len(h.Chain) == 0 || !h.Chain[0].Equal(h.Issuing) {
		return errs.New(errs.BadConfig, "the chain does not start with the issuing CA certificate")
	}
	if err := checkChainOrder(h.Chain); err != nil {
		return err
	}
	if h.Root != nil && !h.Chain[len(h.Chain)-1].Equal(h.Root) {
		return errs.New(errs.BadConfig, "the chain does not end with the root certificate")
	}
	return nil
}

func readFile(dir, name string, required bool) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist) && !required:
		return nil, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, errs.Wrap(errs.BadConfig, err, "%s is missing from %s", name, dir)
	default:
		return nil, errs.Wrap(errs.BadConfig, err, "cannot read %s in %s", name, dir)
	}
}

// decryptKey opens an encrypted PEM private key (PKCS#8 or legacy
// Proc-Type encryption).
func decryptKey(data, passphrase []byte, name string) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errs.New(errs.BadConfig, "%s is not a PEM private key", name)
	}
	if block.Type != "ENCRYPTED PRIVATE KEY" && block.Headers["Proc-Type"] != "4,ENCRYPTED" {
		return nil, errs.New(errs.BadConfig, "%s is not encrypted; CA keys on disk must be", name)
	}
	if len(passphrase) == 0 {
		return nil, errs.New(errs.BadConfig, "cannot decrypt %s: no passphrase given", name)
	}
	k, err := pemutil.Parse(data, pemutil.WithPassword(passphrase), pemutil.WithFilename(name))
	if err != nil {
		// A wrong passphrase shows either as a padding error or as garbage
		// that does not parse; both mean the same to an operator.
		return nil, errs.Wrap(errs.BadConfig, err, "cannot decrypt %s: wrong passphrase?", name)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errs.New(errs.BadConfig, "%s holds a %T, not a private key", name, k)
	}
	return signer, nil
}

// parseCerts reads one or more PEM certificates and nothing else.
func parseCerts(data []byte, what string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, errs.New(errs.BadConfig, "%s: unexpected PEM block %q", what, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "%s: certificate %d does not parse", what, len(certs)+1)
		}
		certs = append(certs, c)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errs.New(errs.BadConfig, "%s: data that is not PEM", what)
	}
	if len(certs) == 0 {
		return nil, errs.New(errs.BadConfig, "%s: no certificate", what)
	}
	return certs, nil
}

func parseOneCert(data []byte, what string) (*x509.Certificate, error) {
	certs, err := parseCerts(data, what)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, errs.New(errs.BadConfig, "%s: %d certificates, want 1", what, len(certs))
	}
	return certs[0], nil
}
