package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
)

// The RA's acknowledgement signer: its own key (encrypted with the CA
// passphrase, next to the audit key) and a certificate the RA has issued
// like every certificate, by the issuer of the authority's organisation. It
// never touches the CA's keys.
func ackSignerPaths(a *app) (certPath, keyPath string) {
	dir := filepath.Dir(a.cfg.AuditKeyFile)
	return filepath.Join(dir, "ra-signer.crt"), filepath.Join(dir, "ra-signer.key")
}

// ensureAckSigner loads the signer, issuing a new one when there is none or
// it expires within 30 days.
func ensureAckSigner(ctx context.Context, a *app, pass []byte) error {
	certPath, keyPath := ackSignerPaths(a)
	s := a.ack // opened with the app: decrypting it again costs a PBKDF2 run
	if s == nil {
		s, _ = loadAckSigner(a, pass)
	}
	if s != nil && a.clk.Now().Add(30*24*time.Hour).Before(s.Chain[0].NotAfter) {
		a.ra.SetAckSigner(*s)
		return nil
	}
	orgs, err := a.ra.Organisations(ctx, ra.System("init"))
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return errs.New(errs.BadConfig, "no organisation yet: run sello init")
	}
	pol, err := a.policies.Get(a.cfg.DefaultPolicy)
	if err != nil {
		return err
	}
	owner := orgs[0]
	for _, o := range orgs {
		if o.PolicyID == pol.ID {
			owner = o
			break
		}
	}
	if pol, err = a.policies.Get(owner.PolicyID); err != nil {
		return err
	}
	os.Remove(keyPath)
	key, err := ackKey(a, pass).Create()
	if err != nil {
		return err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		return err
	}
	iss, err := a.ra.IssueServiceCertificate(ctx, ra.System("init"), owner.Code, "Acuses de recibo", "acuses@"+pol.Email.Domains[0],
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))
	if err != nil {
		return err
	}
	var chain []byte
	for _, c := range append([]*x509.Certificate{iss.Cert}, iss.Chain...) {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(certPath, chain, 0o644); err != nil {
		return err
	}
	a.ra.SetAckSigner(ra.AckSigner{Key: key, Chain: append([]*x509.Certificate{iss.Cert}, iss.Chain...)})
	return nil
}

func loadAckSigner(a *app, pass []byte) (*ra.AckSigner, error) {
	certPath, _ := ackSignerPaths(a)
	b, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	var chain []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, errs.New(errs.BadConfig, "%s holds no certificate", certPath)
	}
	signer, err := ackKey(a, pass).Signer()
	if err != nil {
		return nil, err
	}
	return &ra.AckSigner{Key: signer, Chain: chain}, nil
}
