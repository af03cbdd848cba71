package local

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strings"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// IssueTLSServer issues a certificate for Sello's own HTTPS listener: an
// ECDSA P-256 key, the serverAuth EKU, the given DNS names and IP addresses.
//
// It is signed by the root key, not the issuing CA: the issuing CA's EKUs
// (emailProtection, clientAuth) constrain everything below it, so Go,
// OpenSSL and browsers would refuse a serverAuth certificate it signed. The
// root key is therefore needed (at setup time, before it goes offline).
// This certificate does not go through the lint and serial-store sequence.
func (h *Hierarchy) IssueTLSServer(clk clock.Clock, names []string, ips []net.IP, validity time.Duration) (certDER []byte, key crypto.Signer, err error) {
	r := h.RootCA()
	if r == nil {
		r = &Root{}
	}
	return r.IssueTLSServer(clk, names, ips, validity)
}

// IssueTLSServer issues Sello's HTTPS certificate with the root key (see
// Hierarchy.IssueTLSServer for why the root signs it).
func (r *Root) IssueTLSServer(clk clock.Clock, names []string, ips []net.IP, validity time.Duration) (certDER []byte, key crypto.Signer, err error) {
	if clk == nil {
		return nil, nil, errs.New(errs.BadConfig, "TLS certificate: no clock")
	}
	if r.cert == nil || r.key == nil {
		return nil, nil, errs.New(errs.BadConfig, "TLS certificate: the root certificate and key are needed (the issuing CA is constrained to emailProtection and clientAuth)")
	}
	if len(names) == 0 && len(ips) == 0 {
		return nil, nil, errs.New(errs.Malformed, "TLS certificate: no DNS name or IP address")
	}
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, " /:@") || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") {
			return nil, nil, errs.New(errs.Malformed, "TLS certificate: %q is not a DNS name", n)
		}
	}
	for _, ip := range ips {
		if ip == nil || (ip.To4() == nil && ip.To16() == nil) {
			return nil, nil, errs.New(errs.Malformed, "TLS certificate: invalid IP address")
		}
	}
	if validity <= 0 {
		return nil, nil, errs.New(errs.Malformed, "TLS certificate: validity must be positive")
	}
	now := clk.Now().UTC().Truncate(time.Second)
	notAfter := now.Add(validity)
	if notAfter.After(r.cert.NotAfter) {
		return nil, nil, errs.New(errs.Malformed, "TLS certificate: validity ends after the root certificate (%s)", r.cert.NotAfter.UTC().Format(time.RFC3339))
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "TLS certificate: cannot generate the key")
	}
	cn := ""
	if len(names) > 0 {
		cn = names[0]
	} else {
		cn = ips[0].String()
	}
	serial, err := newSerial(rand.Reader)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "TLS certificate: cannot draw a serial number")
	}
	skid, err := ca.SubjectKeyID(leafKey.Public())
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "TLS certificate: subject key identifier")
	}
	sigAlg, err := signatureAlgorithm(r.key.Public())
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           ips,
		SubjectKeyId:          skid,
		SignatureAlgorithm:    sigAlg,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, r.cert, leafKey.Public(), r.key)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "TLS certificate: cannot sign")
	}
	return der, leafKey, nil
}
