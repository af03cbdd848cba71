package ca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/sello-pki/sello/internal/errs"
)

// MaxCSRSize bounds what ParseCSR reads. An RSA-8192 CSR is about 1.2 KiB of
// DER; anything near this limit is not a certificate request we want.
const MaxCSRSize = 64 << 10

// Key size limits (CheckKey).
const (
	MinRSABits = 2048
	MaxRSABits = 8192
	// maxRSAExponent keeps exponents in the range every verifier supports
	// (Windows CryptoAPI and some HSMs refuse anything above 32 bits).
	maxRSAExponent = 1<<32 - 1
	// smallPrimeBound: a modulus with a prime factor below it is refused.
	smallPrimeBound = 1000
)

// ParseCSR reads a PKCS#10 certificate request given as PEM ("CERTIFICATE
// REQUEST" or "NEW CERTIFICATE REQUEST") or DER, verifies its signature (proof
// of possession of the private key) and checks its public key with CheckKey.
// Only the public key of the result is meant to be used: the subject and
// extensions the applicant wrote are never copied into a certificate.
//
// Errors are typed errs.BadCSR (unreadable input, bad signature) or
// errs.BadPublicKey (weak or unsupported key), with a detail that says why.
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errs.New(errs.BadCSR, "empty input: no certificate request")
	}
	if len(data) > MaxCSRSize {
		return nil, errs.New(errs.BadCSR, "input of %d bytes is larger than the %d-byte limit for a certificate request", len(data), MaxCSRSize)
	}
	der, err := csrDER(data)
	if err != nil {
		return nil, err
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		if _, cerr := x509.ParseCertificate(der); cerr == nil {
			return nil, errs.New(errs.BadCSR, "input is a certificate, not a certificate request")
		}
		return nil, errs.Wrap(errs.BadCSR, err, "not a valid PKCS#10 certificate request")
	}
	if err := csr.CheckSignature(); err != nil {
		var insecure x509.InsecureAlgorithmError
		if errors.As(err, &insecure) {
			return nil, errs.Wrap(errs.BadCSR, err, "signature does not verify: algorithm %s is not accepted", x509.SignatureAlgorithm(insecure))
		}
		return nil, errs.Wrap(errs.BadCSR, err, "signature does not verify")
	}
	if err := CheckKey(csr.PublicKey); err != nil {
		return nil, err
	}
	return csr, nil
}

// csrDER extracts the DER bytes of exactly one certificate request.
func csrDER(data []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, rest := pem.Decode(trimmed)
		if block == nil {
			return nil, errs.New(errs.BadCSR, "malformed PEM: no complete block")
		}
		switch block.Type {
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		case "CERTIFICATE":
			return nil, errs.New(errs.BadCSR, "PEM block is a CERTIFICATE, not a CERTIFICATE REQUEST")
		default:
			return nil, errs.New(errs.BadCSR, "PEM block type %q is not CERTIFICATE REQUEST", block.Type)
		}
		if len(block.Headers) != 0 {
			return nil, errs.New(errs.BadCSR, "PEM block has headers; a certificate request has none")
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, errs.New(errs.BadCSR, "trailing data after the PEM block")
		}
		data = block.Bytes
	}
	// Read one DER element so that trailing bytes get their own message.
	s := cryptobyte.String(data)
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
		return nil, errs.New(errs.BadCSR, "not a certificate request: expected PEM or a DER SEQUENCE")
	}
	if len(s) != 0 {
		return nil, errs.New(errs.BadCSR, "trailing data: %d bytes after the DER certificate request", len(s))
	}
	return elem, nil
}

// CheckKey refuses public keys that are weak or that Sello does not certify.
// Accepted: RSA of 2048 to 8192 bits with an odd public exponent between 3 and
// 2^32-1 and a modulus with no prime factor below 1000 (as Boulder's goodkey
// does), and ECDSA on P-256 or P-384 with a point on the curve. S/MIME
// clients of these programmes do not handle Ed25519, so it is refused too.
// Errors are typed errs.BadPublicKey and name the reason.
func CheckKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return checkRSA(k)
	case *ecdsa.PublicKey:
		return checkECDSA(k)
	case ed25519.PublicKey:
		return errs.New(errs.BadPublicKey, "Ed25519 keys are not supported: use RSA (2048 bits or more) or ECDSA P-256/P-384")
	case nil:
		return errs.New(errs.BadPublicKey, "no public key")
	default:
		return errs.New(errs.BadPublicKey, "public key type %T is not supported: use RSA or ECDSA P-256/P-384", pub)
	}
}

func checkRSA(k *rsa.PublicKey) error {
	if k == nil || k.N == nil || k.N.Sign() <= 0 {
		return errs.New(errs.BadPublicKey, "RSA key has no valid modulus")
	}
	bits := k.N.BitLen()
	if bits < MinRSABits {
		return errs.New(errs.BadPublicKey, "RSA key of %d bits is below the minimum of %d", bits, MinRSABits)
	}
	if bits > MaxRSABits {
		return errs.New(errs.BadPublicKey, "RSA key of %d bits is above the maximum of %d", bits, MaxRSABits)
	}
	switch {
	case k.E < 3:
		return errs.New(errs.BadPublicKey, "RSA public exponent %d is not allowed", k.E)
	case k.E%2 == 0:
		return errs.New(errs.BadPublicKey, "RSA public exponent %d is not allowed: it is even", k.E)
	case k.E > maxRSAExponent:
		return errs.New(errs.BadPublicKey, "RSA public exponent %d is not allowed: it is above 2^32", k.E)
	}
	if k.N.Bit(0) == 0 {
		return errs.New(errs.BadPublicKey, "RSA modulus is even")
	}
	// One GCD against the product of the small primes is much cheaper than
	// 168 divisions; only on a hit do we look for the factor to name it.
	if new(big.Int).GCD(nil, nil, k.N, smallPrimesProduct).Cmp(bigOne) != 0 {
		var m big.Int
		for _, p := range smallPrimes {
			if m.Mod(k.N, big.NewInt(p)).Sign() == 0 {
				return errs.New(errs.BadPublicKey, "RSA modulus is divisible by the small prime %d", p)
			}
		}
	}
	return nil
}

func checkECDSA(k *ecdsa.PublicKey) error {
	if k == nil || k.Curve == nil {
		return errs.New(errs.BadPublicKey, "ECDSA key has no curve")
	}
	switch k.Curve {
	case elliptic.P256(), elliptic.P384():
	default:
		name := "unknown"
		if p := k.Curve.Params(); p != nil && p.Name != "" {
			name = p.Name
		}
		return errs.New(errs.BadPublicKey, "curve %s is not supported: use P-256 or P-384", name)
	}
	// Reading the deprecated X and Y is the only guard against a nil point,
	// which would make the conversion below panic.
	if k.X == nil || k.Y == nil {
		return errs.New(errs.BadPublicKey, "ECDSA key has no point")
	}
	// crypto/ecdh refuses points that are not on the curve (and the point at
	// infinity), which the deprecated elliptic.IsOnCurve would otherwise do.
	if _, err := k.ECDH(); err != nil {
		return errs.Wrap(errs.BadPublicKey, err, "ECDSA public point is not on curve %s", k.Curve.Params().Name)
	}
	return nil
}

// KeyFingerprint returns the lowercase hex SHA-256 of the DER
// SubjectPublicKeyInfo of pub. The RA compares fingerprints to find a key
// certified for someone else (RULES S2, duplicate private key).
func KeyFingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", errs.Wrap(errs.BadPublicKey, err, "cannot encode public key of type %T", pub)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

var (
	bigOne             = big.NewInt(1)
	smallPrimes        = primesBelow(smallPrimeBound)
	smallPrimesProduct = product(smallPrimes)
)

// primesBelow returns the primes below n (sieve of Eratosthenes).
func primesBelow(n int) []int64 {
	composite := make([]bool, n)
	var primes []int64
	for i := 2; i < n; i++ {
		if composite[i] {
			continue
		}
		primes = append(primes, int64(i))
		for j := i * i; j < n; j += i {
			composite[j] = true
		}
	}
	return primes
}

func product(ns []int64) *big.Int {
	p := big.NewInt(1)
	for _, n := range ns {
		p.Mul(p, big.NewInt(n))
	}
	return p
}
