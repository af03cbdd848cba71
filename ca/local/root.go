package local

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"time"

	"go.step.sm/crypto/pemutil"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// Root is a deployment's root CA: one per deployment, the operator's. It
// signs every issuing CA created here and Sello's own HTTPS certificate.
// Its key stays inside this package; it is absent when the root key is kept
// offline (or the deployment only imported issuing CAs).
type Root struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// Certificate returns the root certificate.
func (r *Root) Certificate() *x509.Certificate { return r.cert }

// HasKey tells whether the root key is here to sign.
func (r *Root) HasKey() bool { return r.key != nil }

// GenerateRoot creates a root CA named "<CommonName> Root CA" (see
// HierarchyOptions; the issuing-CA fields are checked but not used).
func GenerateRoot(clk clock.Clock, opts HierarchyOptions) (*Root, error) {
	opts, _, err := prepare(clk, opts)
	if err != nil {
		return nil, err
	}
	return generateRoot(clk.Now().UTC().Truncate(time.Second).Add(-CABackdate), opts)
}

// NewIssuing creates an issuing CA named "<CommonName> Issuing CA" under
// the root (its validity is cut at the root's end). The result's RootKey
// is nil: write it with WriteIssuerDir.
func (r *Root) NewIssuing(clk clock.Clock, opts HierarchyOptions) (*Hierarchy, error) {
	opts, policies, err := prepare(clk, opts)
	if err != nil {
		return nil, err
	}
	h, err := r.issue(clk.Now().UTC().Truncate(time.Second).Add(-CABackdate), opts, policies)
	if err != nil {
		return nil, err
	}
	h.RootKey = nil
	return h, nil
}

// RootCA returns the hierarchy's root (nil when the hierarchy has none).
func (h *Hierarchy) RootCA() *Root {
	if h.Root == nil {
		return nil
	}
	return &Root{cert: h.Root, key: h.RootKey}
}

// WriteRootDir writes the root to dir as root.crt and, when the key is
// here, root.key (encrypted PKCS#8, mode 0600). It never overwrites.
func (r *Root) WriteRootDir(dir string, passphrase []byte) error {
	if len(passphrase) < MinPassphraseLength {
		return errs.New(errs.BadConfig, "the key passphrase must be at least %d bytes", MinPassphraseLength)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return errs.Wrap(errs.BadConfig, err, "cannot create %s", dir)
	}
	for _, n := range []string{RootCertFile, RootKeyFile} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			return errs.New(errs.Conflict, "%s already exists in %s: refusing to overwrite CA material", n, dir)
		}
	}
	if r.key != nil {
		block, err := pemutil.Serialize(r.key, pemutil.WithPKCS8(true), pemutil.WithPassword(passphrase))
		if err != nil {
			return errs.Wrap(errs.Internal, err, "cannot encrypt %s", RootKeyFile)
		}
		if err := writeNew(filepath.Join(dir, RootKeyFile), pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return writeNew(filepath.Join(dir, RootCertFile), certsPEM(r.cert), 0o644)
}

// LoadRoot reads root.crt and, when present, root.key from dir.
func LoadRoot(dir string, passphrase []byte) (*Root, error) {
	certPEM, err := readFile(dir, RootCertFile, true)
	if err != nil {
		return nil, err
	}
	cert, err := parseOneCert(certPEM, RootCertFile)
	if err != nil {
		return nil, err
	}
	r := &Root{cert: cert}
	keyPEM, err := readFile(dir, RootKeyFile, false)
	if err != nil || keyPEM == nil {
		return r, err
	}
	key, err := decryptKey(keyPEM, passphrase, RootKeyFile)
	if err != nil {
		return nil, err
	}
	if !keyMatches(cert, key) {
		return nil, errs.New(errs.BadConfig, "%s does not match %s", RootKeyFile, RootCertFile)
	}
	r.key = key
	return r, nil
}

// WriteIssuerDir writes an issuing CA's folder: issuing.crt, chain.pem and
// the encrypted issuing.key, without the root (which lives once, in the
// CA folder above). It never overwrites.
func (h *Hierarchy) WriteIssuerDir(dir string, passphrase []byte) error {
	c := *h
	if len(c.Chain) == 0 {
		c.Chain = []*x509.Certificate{c.Issuing}
		if c.Root != nil && !c.Root.Equal(c.Issuing) {
			c.Chain = append(c.Chain, c.Root)
		}
	}
	c.Root, c.RootKey = nil, nil
	return c.WriteDir(dir, passphrase)
}
