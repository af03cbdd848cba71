// Package local is Sello's embedded CA: it signs with an issuing key it holds
// (in memory, loaded from encrypted files or given as a crypto.Signer such
// as an HSM key) and implements ca.Backend, ca.CRLSigner and ca.OCSPSigner.
//
// Sign follows Boulder's issuance safety sequence: reserve a random serial,
// render the certificate from verified data, sign it with a throwaway key
// under a throwaway issuer that mirrors the real one and zlint it, store that
// lint certificate, sign for real, and check that the real to-be-signed bytes
// are exactly the linted ones. A crash at any step leaves a record of what was
// meant, and nothing unlinted is ever signed by the issuing key.
//
// The package also manages key material on disk (keys.go, import.go).
package local

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"slices"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// SerialStore records serials and lint certificates before the issuing key
// signs anything (the consumer-owned part of the RA's store).
type SerialStore = ca.SerialStore

// Config is what New needs.
type Config struct {
	Issuer *x509.Certificate
	Key    crypto.Signer
	// Chain is the issuing CA certificate first, then up to the root. Empty
	// means just Issuer.
	Chain  []*x509.Certificate
	Store  SerialStore
	Clock  clock.Clock
	Logger *slog.Logger // nil discards
}

// maxSerialAttempts bounds retries when the store says a serial is taken.
// With 127 random bits a real collision never happens; repeated conflicts
// mean a broken store, which we should not hide by looping.
const maxSerialAttempts = 5

// Signer is the embedded CA backend. It is safe for concurrent use.
type Signer struct {
	issuer   *x509.Certificate
	key      crypto.Signer
	chain    []*x509.Certificate
	store    SerialStore
	clock    clock.Clock
	log      *slog.Logger
	issuerID string
	sigAlg   x509.SignatureAlgorithm

	lintIssuer *x509.Certificate
	lintKey    crypto.Signer

	// signCert makes the real signature. Tests replace it to simulate a
	// certificate that changes between lint and signature.
	signCert func(tmpl, parent *x509.Certificate, pub, priv any) ([]byte, error)
}

var (
	_ ca.Backend    = (*Signer)(nil)
	_ ca.CRLSigner  = (*Signer)(nil)
	_ ca.OCSPSigner = (*Signer)(nil)
)

// New checks cfg and prepares the throwaway lint issuer (a key of the same
// algorithm and size as the issuing key: generating an RSA-4096 one takes a
// few seconds, once).
func New(cfg Config) (*Signer, error) {
	switch {
	case cfg.Issuer == nil:
		return nil, errs.New(errs.BadConfig, "local CA: no issuer certificate")
	case cfg.Key == nil:
		return nil, errs.New(errs.BadConfig, "local CA: no issuer key")
	case cfg.Store == nil:
		return nil, errs.New(errs.BadConfig, "local CA: no serial store")
	case cfg.Clock == nil:
		return nil, errs.New(errs.BadConfig, "local CA: no clock")
	}
	if !keyMatches(cfg.Issuer, cfg.Key) {
		return nil, errs.New(errs.BadConfig, "local CA: the key does not match the issuer certificate %q", cfg.Issuer.Subject)
	}
	if err := checkCA(cfg.Issuer); err != nil {
		return nil, err
	}
	if len(cfg.Issuer.SubjectKeyId) == 0 {
		return nil, errs.New(errs.BadConfig, "local CA: issuer certificate %q has no subject key identifier, so certificates could not name it (authorityKeyIdentifier)", cfg.Issuer.Subject)
	}
	sigAlg, err := signatureAlgorithm(cfg.Key.Public())
	if err != nil {
		return nil, err
	}
	chain := slices.Clone(cfg.Chain)
	if len(chain) == 0 {
		chain = []*x509.Certificate{cfg.Issuer}
	}
	if !chain[0].Equal(cfg.Issuer) {
		return nil, errs.New(errs.BadConfig, "local CA: the chain does not start with the issuer certificate")
	}
	if err := checkChainOrder(chain); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Signer{
		issuer:   cfg.Issuer,
		key:      cfg.Key,
		chain:    chain,
		store:    cfg.Store,
		clock:    cfg.Clock,
		log:      logger.With("component", "ca/local", "issuer", ca.IssuerID(cfg.Issuer)),
		issuerID: ca.IssuerID(cfg.Issuer),
		sigAlg:   sigAlg,
		signCert: func(tmpl, parent *x509.Certificate, pub, priv any) ([]byte, error) {
			return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
		},
	}
	if s.lintIssuer, s.lintKey, err = newLintIssuer(cfg.Issuer, cfg.Key.Public(), sigAlg); err != nil {
		return nil, err
	}
	return s, nil
}

// newLintIssuer makes a throwaway key like the issuer's and a self-signed
// certificate with the issuer's exact subject bytes and SKID, so that a
// certificate it signs has the same issuer name, authorityKeyIdentifier and
// signature algorithm as one the real issuer signs: the same TBS.
func newLintIssuer(issuer *x509.Certificate, pub crypto.PublicKey, sigAlg x509.SignatureAlgorithm) (*x509.Certificate, crypto.Signer, error) {
	var key crypto.Signer
	var err error
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		key, err = ecdsa.GenerateKey(k.Curve, rand.Reader)
	case *rsa.PublicKey:
		key, err = rsa.GenerateKey(rand.Reader, k.N.BitLen())
	default:
		err = fmt.Errorf("unsupported key type %T", pub)
	}
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "local CA: cannot generate the lint key")
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		RawSubject:            issuer.RawSubject,
		SubjectKeyId:          issuer.SubjectKeyId,
		NotBefore:             issuer.NotBefore,
		NotAfter:              issuer.NotAfter,
		KeyUsage:              issuer.KeyUsage,
		ExtKeyUsage:           issuer.ExtKeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SignatureAlgorithm:    sigAlg,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "local CA: cannot create the lint issuer")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "local CA: cannot parse the lint issuer")
	}
	return cert, key, nil
}

// Sign issues a certificate for an approved request (see the package doc for
// the sequence). Nothing from the CSR but its public key is used.
func (s *Signer) Sign(ctx context.Context, req ca.SignRequest) (*ca.Issued, error) {
	if req.CSR == nil {
		return nil, errs.New(errs.Malformed, "no certificate request")
	}
	// The RA checked the key already; the signer does not rely on it.
	if err := ca.CheckKey(req.CSR.PublicKey); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if now.After(s.issuer.NotAfter) {
		return nil, errs.New(errs.Unavailable, "the issuing CA certificate expired on %s", s.issuer.NotAfter.UTC().Format(time.RFC3339))
	}
	if req.NotAfter.After(s.issuer.NotAfter) || req.NotBefore.Before(s.issuer.NotBefore) {
		return nil, errs.New(errs.Malformed, "validity %s..%s is outside the issuing CA's %s..%s",
			req.NotBefore.UTC().Format(time.RFC3339), req.NotAfter.UTC().Format(time.RFC3339),
			s.issuer.NotBefore.UTC().Format(time.RFC3339), s.issuer.NotAfter.UTC().Format(time.RFC3339))
	}

	// (1) A random serial, reserved before anything is signed.
	serial, err := s.reserveSerial(ctx, req.NotAfter)
	if err != nil {
		return nil, err
	}
	log := s.log.With("serial", fmt.Sprintf("%x", serial))

	// (2) The certificate, from verified data only.
	tmpl, err := ca.BuildTemplate(req)
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.SignatureAlgorithm = s.sigAlg

	// (3) Throwaway signature and lint: an error-level finding stops here.
	lintDER, err := x509.CreateCertificate(rand.Reader, tmpl, s.lintIssuer, req.CSR.PublicKey, s.lintKey)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot create the lint certificate")
	}
	warnings, err := ca.Lint(lintDER)
	if err != nil {
		log.Error("lint refused the certificate; nothing signed", "err", err)
		return nil, err
	}
	for _, w := range warnings {
		log.Warn("lint warning", "lint", w)
	}
	lintCert, err := x509.ParseCertificate(lintDER)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot parse the lint certificate")
	}

	// (4) Record what is about to be signed.
	if err := s.store.SaveLintCertificate(ctx, s.issuerID, serial, lintDER); err != nil {
		return nil, storeError(err, "cannot store the lint certificate")
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "request cancelled before signing")
	}

	// (5) The real signature.
	der, err := s.signCert(tmpl, s.issuer, req.CSR.PublicKey, s.key)
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "the issuing key could not sign")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot parse the signed certificate")
	}

	// (6) What was signed must be what was linted.
	if !bytes.Equal(cert.RawTBSCertificate, lintCert.RawTBSCertificate) {
		log.Error("signed certificate differs from the linted one; discarded")
		return nil, errs.New(errs.Internal, "the signed certificate differs from the linted one; it was not issued")
	}
	// The signature was verified by x509.CreateCertificate under the key's
	// public key, which New checked is the issuer certificate's: checking it
	// again here cost 11% of an issuance (BENCHMARKS.md).
	log.Info("certificate signed", "not_after", cert.NotAfter)
	return &ca.Issued{Certificate: cert, DER: der, Chain: slices.Clone(s.chain)}, nil
}

func (s *Signer) reserveSerial(ctx context.Context, notAfter time.Time) (*big.Int, error) {
	for range maxSerialAttempts {
		serial, err := newSerial(rand.Reader)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "cannot draw a serial number")
		}
		err = s.store.ReserveSerial(ctx, s.issuerID, serial, notAfter)
		if err == nil {
			return serial, nil
		}
		if !errs.Has(err, errs.Conflict) {
			return nil, storeError(err, "cannot reserve a serial number")
		}
		s.log.Warn("serial already reserved; drawing another", "serial", fmt.Sprintf("%x", serial))
	}
	return nil, errs.New(errs.Internal, "no unique serial number after %d attempts", maxSerialAttempts)
}

// newSerial draws 16 random bytes (127 bits once the top bit is cleared,
// well above the 64 the CA/B Forum asks for), positive and non-zero.
func newSerial(r io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	for {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		b[0] &= 0x7f
		if n := new(big.Int).SetBytes(b); n.Sign() > 0 {
			return n, nil
		}
	}
}

// storeError keeps a typed store error as it is and calls anything else an
// unavailable store.
func storeError(err error, detail string) error {
	if errs.TypeOf(err) != errs.Internal {
		return err
	}
	return errs.Wrap(errs.Unavailable, err, "%s", detail)
}

// Revoke does nothing: the RA's store is the record of revocations, and the
// embedded signer publishes status through CRLs and OCSP it is asked to sign.
func (s *Signer) Revoke(context.Context, ca.RevokeRequest) error { return nil }

// Chain returns the issuing CA certificate first, then up to the root.
func (s *Signer) Chain(context.Context) ([]*x509.Certificate, error) {
	return slices.Clone(s.chain), nil
}

// signatureAlgorithm picks the issuer's signature algorithm: ECDSA with the
// hash that matches the curve, or PKCS#1 v1.5 with SHA-256 for RSA (what
// every S/MIME client verifies).
func signatureAlgorithm(pub crypto.PublicKey) (x509.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return x509.ECDSAWithSHA256, nil
		case elliptic.P384():
			return x509.ECDSAWithSHA384, nil
		}
		return 0, errs.New(errs.BadConfig, "local CA: issuer curve %s is not supported (P-256 or P-384)", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return 0, errs.New(errs.BadConfig, "local CA: issuer RSA key of %d bits is too small", k.N.BitLen())
		}
		return x509.SHA256WithRSA, nil
	}
	return 0, errs.New(errs.BadConfig, "local CA: issuer key type %T is not supported (ECDSA P-256/P-384 or RSA)", pub)
}

func keyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

func checkCA(cert *x509.Certificate) error {
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return errs.New(errs.BadConfig, "certificate %q is not a CA certificate (basicConstraints CA:TRUE missing)", cert.Subject)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return errs.New(errs.BadConfig, "certificate %q may not sign certificates (keyUsage lacks keyCertSign)", cert.Subject)
	}
	return nil
}

// checkChainOrder checks that each certificate is issued by the next one.
func checkChainOrder(chain []*x509.Certificate) error {
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return errs.Wrap(errs.BadConfig, err, "chain: certificate %d (%q) is not issued by certificate %d (%q)",
				i, chain[i].Subject, i+1, chain[i+1].Subject)
		}
	}
	return nil
}
