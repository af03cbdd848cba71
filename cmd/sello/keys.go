package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.step.sm/crypto/pemutil"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/internal/errs"
)

// tlsIssuer issues the HTTPS listener's own certificate. ca/local's root
// implements it; the command never holds the root key itself.
type tlsIssuer interface {
	Certificate() *x509.Certificate
	IssueTLSServer(clk clock.Clock, names []string, ips []net.IP, validity time.Duration) ([]byte, crypto.Signer, error)
}

// loadRoot loads the deployment's root certificate, and the root as the
// HTTPS certificate's issuer when its key is here.
func loadRoot(a *app, pass []byte) error {
	r, err := openRoot(a.cfg.CADir, pass)
	if err != nil || r == nil {
		return err
	}
	setRoot(a, r)
	return nil
}

// openRoot opens the deployment's root in dir; nil if there is none (only
// imported issuing CAs, whose roots live elsewhere).
func openRoot(dir string, pass []byte) (*local.Root, error) {
	if !fileExists(filepath.Join(dir, local.RootCertFile)) {
		return nil, nil
	}
	return local.LoadRoot(dir, pass)
}

func setRoot(a *app, r *local.Root) {
	a.rootCert = r.Certificate()
	if r.HasKey() {
		a.root = r
	}
}

// serviceKey is one of Sello's own signing keys: the audit checkpoint
// signer's and the acknowledgement signer's. Each lives in its own file,
// encrypted at rest with the CA passphrase; neither is part of the CA key
// hierarchy, which only ca/local opens.
type serviceKey interface {
	// Signer opens the key.
	Signer() (crypto.Signer, error)
	// Create makes a new ECDSA P-256 key; it never overwrites one.
	Create() (crypto.Signer, error)
}

// encryptedKeyFile is a serviceKey in a PKCS#8 file encrypted with pass.
type encryptedKeyFile struct {
	path, what string
	pass       []byte
}

func (f encryptedKeyFile) Signer() (crypto.Signer, error) {
	k, err := pemutil.Read(f.path, pemutil.WithPassword(f.pass))
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "%s %s cannot be read (wrong passphrase?)", f.what, f.path)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errs.New(errs.BadConfig, "%s %s is not a signing key", f.what, f.path)
	}
	return s, nil
}

func (f encryptedKeyFile) Create() (crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	blk, err := pemutil.Serialize(key, pemutil.WithPKCS8(true), pemutil.WithPassword(f.pass))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return nil, err
	}
	if err := writeSecret(f.path, strings.TrimSpace(string(pem.EncodeToMemory(blk)))); err != nil {
		return nil, errs.Wrap(errs.Conflict, err, "%s %s", f.what, f.path)
	}
	return key, nil
}

func auditKey(cfg *config.Config, pass []byte) serviceKey {
	return encryptedKeyFile{path: cfg.AuditKeyFile, what: "audit key", pass: pass}
}

func ackKey(a *app, pass []byte) serviceKey {
	_, keyPath := ackSignerPaths(a)
	return encryptedKeyFile{path: keyPath, what: "acknowledgement signer key", pass: pass}
}
