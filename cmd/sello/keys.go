package main

import (
	"crypto"
	"crypto/x509"
	"net"
	"path/filepath"
	"time"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/clock"
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
	if !fileExists(filepath.Join(a.cfg.CADir, local.RootCertFile)) {
		return nil // only imported issuing CAs, whose roots live elsewhere
	}
	r, err := local.LoadRoot(a.cfg.CADir, pass)
	if err != nil {
		return err
	}
	a.rootCert = r.Certificate()
	if r.HasKey() {
		a.root = r
	}
	return nil
}
