package local

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"

	"go.step.sm/crypto/pemutil"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
)

// Import takes an existing issuing CA: certPEM holds its certificate first,
// optionally followed by the certificates above it (in any order); keyPEM
// holds its key as PKCS#1, SEC1 or PKCS#8 PEM, encrypted or not
// (keyPassphrase is needed only when it is). The key must match the
// certificate, and the certificate must be a CA. Root is set when the chain
// reaches a self-signed certificate.
func Import(certPEM, keyPEM []byte, keyPassphrase []byte) (*Hierarchy, error) {
	certs, err := parseCerts(certPEM, "certificate PEM")
	if err != nil {
		return nil, err
	}
	key, err := parseImportKey(keyPEM, keyPassphrase)
	if err != nil {
		return nil, err
	}
	return buildHierarchy(certs[0], key, certs[1:])
}

// ImportPKCS12 takes an existing issuing CA from a PKCS#12 file (key,
// certificate and, optionally, the certificates above it).
func ImportPKCS12(data []byte, password string) (*Hierarchy, error) {
	key, cert, caCerts, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, errs.Wrap(errs.BadConfig, err, "cannot decrypt the PKCS#12 file: wrong password?")
		}
		return nil, errs.Wrap(errs.BadConfig, err, "not a readable PKCS#12 file with one key and certificate")
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errs.New(errs.BadConfig, "the PKCS#12 key (%T) cannot sign", key)
	}
	return buildHierarchy(cert, signer, caCerts)
}

func parseImportKey(keyPEM, passphrase []byte) (crypto.Signer, error) {
	block, rest := pem.Decode(keyPEM)
	if block == nil {
		return nil, errs.New(errs.BadConfig, "the key is not PEM")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errs.New(errs.BadConfig, "the key PEM holds more than one block")
	}
	encrypted := block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] == "4,ENCRYPTED"
	switch block.Type {
	case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
	default:
		return nil, errs.New(errs.BadConfig, "PEM block %q is not a private key (PKCS#1, SEC1 or PKCS#8)", block.Type)
	}
	if encrypted && len(passphrase) == 0 {
		return nil, errs.New(errs.BadConfig, "the key is encrypted: a passphrase is needed")
	}
	var opts []pemutil.Options
	if encrypted {
		opts = append(opts, pemutil.WithPassword(passphrase))
	}
	k, err := pemutil.Parse(keyPEM, opts...)
	if err != nil {
		if encrypted {
			return nil, errs.Wrap(errs.BadConfig, err, "cannot decrypt the key: wrong passphrase?")
		}
		return nil, errs.Wrap(errs.BadConfig, err, "the key does not parse")
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errs.New(errs.BadConfig, "the key (%T) cannot sign", k)
	}
	return signer, nil
}

// buildHierarchy orders the chain from issuing upwards (each certificate
// issued by the next) and checks key, CA status and key strength.
func buildHierarchy(issuing *x509.Certificate, key crypto.Signer, others []*x509.Certificate) (*Hierarchy, error) {
	if !keyMatches(issuing, key) {
		return nil, errs.New(errs.BadConfig, "the key does not match the certificate %q", issuing.Subject)
	}
	if err := checkCA(issuing); err != nil {
		return nil, err
	}
	if err := ca.CheckKey(issuing.PublicKey); err != nil {
		detail := err.Error()
		var e *errs.Error
		if errors.As(err, &e) {
			detail = e.Detail
		}
		return nil, errs.Wrap(errs.BadConfig, err, "issuing CA key refused: %s", detail)
	}
	if _, err := signatureAlgorithm(issuing.PublicKey); err != nil {
		return nil, err
	}
	chain := []*x509.Certificate{issuing}
	remaining := append([]*x509.Certificate(nil), others...)
	for cur := issuing; !isSelfSigned(cur); {
		i := findIssuer(cur, remaining)
		if i < 0 {
			break
		}
		cur = remaining[i]
		chain = append(chain, cur)
		remaining = append(remaining[:i], remaining[i+1:]...)
	}
	if len(remaining) != 0 {
		return nil, errs.New(errs.BadConfig, "certificate %q is not part of the issuing CA's chain", remaining[0].Subject)
	}
	h := &Hierarchy{Issuing: issuing, IssuingKey: key, Chain: chain}
	if last := chain[len(chain)-1]; isSelfSigned(last) {
		h.Root = last
		if last == issuing {
			h.RootKey = key
		}
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

func findIssuer(c *x509.Certificate, candidates []*x509.Certificate) int {
	for i, p := range candidates {
		if bytes.Equal(c.RawIssuer, p.RawSubject) && c.CheckSignatureFrom(p) == nil {
			return i
		}
	}
	return -1
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}
