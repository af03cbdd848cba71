package ca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
)

func TestParseCSR(t *testing.T) {
	p256, p384, rsa2048 := testKeys(t)
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name := pkix.Name{CommonName: "applicant"}
	goodCSR := mustCSR(t, p256, name)
	is := newTestIssuer(t)

	corrupted := bytes.Clone(goodCSR.Raw)
	corrupted[len(corrupted)-1] ^= 0x01 // last byte of the signature value

	newPEM := pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: goodCSR.Raw})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: is.cert.Raw})
	keyDER, err := x509.MarshalPKCS8PrivateKey(p256)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	withHeaders := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: goodCSR.Raw})

	random := make([]byte, 300)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	random[0] = 0x04 // not a SEQUENCE, so never accidentally DER

	tests := []struct {
		name       string
		in         []byte
		wantType   errs.Type // "" means success
		wantDetail string
	}{
		{"PEM P-256 ok", csrPEM(goodCSR), "", ""},
		{"PEM with surrounding whitespace ok", append(append([]byte("\n  "), csrPEM(goodCSR)...), "\n\n"...), "", ""},
		{"NEW CERTIFICATE REQUEST ok", newPEM, "", ""},
		{"DER ok", goodCSR.Raw, "", ""},
		{"P-384 ok", csrPEM(mustCSR(t, p384, name)), "", ""},
		{"RSA-2048 ok", csrPEM(mustCSR(t, rsa2048, name)), "", ""},
		{"empty", nil, errs.BadCSR, "empty input"},
		{"blank", []byte(" \n\t"), errs.BadCSR, "empty input"},
		{"random bytes", random, errs.BadCSR, "not a certificate request"},
		{"text", []byte("hello, I am a CSR"), errs.BadCSR, "not a certificate request"},
		{"certificate PEM", certPEM, errs.BadCSR, "PEM block is a CERTIFICATE, not a CERTIFICATE REQUEST"},
		{"certificate DER", is.cert.Raw, errs.BadCSR, "input is a certificate, not a certificate request"},
		{"private key PEM", keyPEM, errs.BadCSR, `PEM block type "PRIVATE KEY" is not CERTIFICATE REQUEST`},
		{"PEM with headers", withHeaders, errs.BadCSR, "PEM block has headers"},
		{"truncated PEM", csrPEM(goodCSR)[:100], errs.BadCSR, "malformed PEM"},
		{"trailing data after PEM", append(csrPEM(goodCSR), "extra"...), errs.BadCSR, "trailing data after the PEM block"},
		{"two PEM blocks", append(csrPEM(goodCSR), csrPEM(goodCSR)...), errs.BadCSR, "trailing data after the PEM block"},
		{"trailing data after DER", append(bytes.Clone(goodCSR.Raw), 0, 0), errs.BadCSR, "trailing data: 2 bytes after the DER certificate request"},
		{"truncated DER", goodCSR.Raw[:len(goodCSR.Raw)-5], errs.BadCSR, "not a certificate request"},
		{"corrupted signature", corrupted, errs.BadCSR, "signature does not verify"},
		{"too large", bytes.Repeat([]byte{'A'}, MaxCSRSize+1), errs.BadCSR, "larger than"},
		{"RSA-1024", csrPEM(mustCSR(t, rsa1024, name)), errs.BadPublicKey, "RSA key of 1024 bits is below the minimum of 2048"},
		{"P-521", csrPEM(mustCSR(t, p521, name)), errs.BadPublicKey, "curve P-521 is not supported"},
		{"Ed25519", csrPEM(mustCSR(t, edKey, name)), errs.BadPublicKey, "Ed25519 keys are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csr, err := ParseCSR(tt.in)
			if tt.wantType == "" {
				if err != nil {
					t.Fatalf("ParseCSR: %v", err)
				}
				if csr == nil || csr.PublicKey == nil {
					t.Fatal("no CSR returned")
				}
				return
			}
			if csr != nil {
				t.Errorf("got a CSR with an error")
			}
			wantType(t, err, tt.wantType)
			var e *errs.Error
			if !errors.As(err, &e) || !strings.Contains(e.Detail, tt.wantDetail) {
				t.Fatalf("detail %q does not contain %q", e.Detail, tt.wantDetail)
			}
		})
	}
}

func TestParseCSR_KeepsCSRKey(t *testing.T) {
	_, p384, _ := testKeys(t)
	csr, err := ParseCSR(csrPEM(mustCSR(t, p384, pkix.Name{CommonName: "x"})))
	if err != nil {
		t.Fatal(err)
	}
	if !p384.PublicKey.Equal(csr.PublicKey) {
		t.Fatal("parsed CSR does not carry the applicant's key")
	}
}

func TestCheckKey(t *testing.T) {
	p256, p384, rsa2048 := testKeys(t)
	n := rsa2048.N
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// A 2048-bit odd modulus with a small factor: 3 times a 2046-bit odd number.
	div3 := new(big.Int).Mul(big.NewInt(3), new(big.Int).SetBit(big.NewInt(1), 2046, 1))
	// 997 is the largest prime below 1000; n has only two large factors.
	div997 := new(big.Int).Mul(big.NewInt(997), n)
	even := new(big.Int).SetBit(new(big.Int).Set(n), 0, 0)
	offCurve := &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}

	tests := []struct {
		name       string
		pub        crypto.PublicKey
		wantDetail string // "" means accepted
	}{
		{"RSA-2048", &rsa2048.PublicKey, ""},
		{"RSA exponent 3", &rsa.PublicKey{N: n, E: 3}, ""},
		{"RSA exponent 2^32-1", &rsa.PublicKey{N: n, E: 1<<32 - 1}, ""},
		{"P-256", &p256.PublicKey, ""},
		{"P-384", &p384.PublicKey, ""},
		{"RSA exponent 1", &rsa.PublicKey{N: n, E: 1}, "RSA public exponent 1 is not allowed"},
		{"RSA exponent 0", &rsa.PublicKey{N: n, E: 0}, "RSA public exponent 0 is not allowed"},
		{"RSA exponent -3", &rsa.PublicKey{N: n, E: -3}, "RSA public exponent -3 is not allowed"},
		{"RSA exponent even", &rsa.PublicKey{N: n, E: 65538}, "RSA public exponent 65538 is not allowed: it is even"},
		{"RSA exponent above 2^32", &rsa.PublicKey{N: n, E: 1<<32 + 1}, "RSA public exponent 4294967297 is not allowed: it is above 2^32"},
		{"RSA even modulus", &rsa.PublicKey{N: even, E: 65537}, "RSA modulus is even"},
		{"RSA modulus divisible by 3", &rsa.PublicKey{N: div3, E: 65537}, "RSA modulus is divisible by the small prime 3"},
		{"RSA modulus divisible by 997", &rsa.PublicKey{N: div997, E: 65537}, "RSA modulus is divisible by the small prime 997"},
		{"RSA-1024", &rsa.PublicKey{N: new(big.Int).Rsh(n, 1024), E: 65537}, "RSA key of 1024 bits is below the minimum of 2048"},
		{"RSA-8200", &rsa.PublicKey{N: new(big.Int).Lsh(n, 8200-2048), E: 65537}, "RSA key of 8200 bits is above the maximum of 8192"},
		{"RSA nil modulus", &rsa.PublicKey{E: 65537}, "RSA key has no valid modulus"},
		{"P-224", &p224.PublicKey, "curve P-224 is not supported"},
		{"point not on curve", offCurve, "ECDSA public point is not on curve P-256"},
		{"ECDSA no point", &ecdsa.PublicKey{Curve: elliptic.P256()}, "ECDSA key has no point"},
		{"Ed25519", edPub, "Ed25519 keys are not supported"},
		{"nil", nil, "no public key"},
		{"unknown type", "not a key", "public key type string is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckKey(tt.pub)
			if tt.wantDetail == "" {
				if err != nil {
					t.Fatalf("CheckKey: %v", err)
				}
				return
			}
			wantType(t, err, errs.BadPublicKey)
			var e *errs.Error
			if !errors.As(err, &e) || !strings.Contains(e.Detail, tt.wantDetail) {
				t.Fatalf("detail %q does not contain %q", e.Detail, tt.wantDetail)
			}
		})
	}
}

func TestKeyFingerprint(t *testing.T) {
	p256, p384, rsa2048 := testKeys(t)
	for _, pub := range []crypto.PublicKey{&p256.PublicKey, &p384.PublicKey, &rsa2048.PublicKey} {
		fp, err := KeyFingerprint(pub)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(pub)
		sum := sha256.Sum256(der)
		if want := hex.EncodeToString(sum[:]); fp != want {
			t.Errorf("fingerprint %s, want %s", fp, want)
		}
		if len(fp) != 64 || strings.ToLower(fp) != fp {
			t.Errorf("fingerprint %q is not 64 lowercase hex digits", fp)
		}
	}
	// The same key seen through a CSR gives the same fingerprint: that is how
	// the RA finds a duplicate key (RULES S2).
	csr, err := ParseCSR(csrPEM(mustCSR(t, p256, pkix.Name{CommonName: "again"})))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := KeyFingerprint(&p256.PublicKey)
	b, _ := KeyFingerprint(csr.PublicKey)
	c, _ := KeyFingerprint(&p384.PublicKey)
	if a != b {
		t.Error("same key, different fingerprints")
	}
	if a == c {
		t.Error("different keys, same fingerprint")
	}
	if _, err := KeyFingerprint("nope"); errs.TypeOf(err) != errs.BadPublicKey {
		t.Errorf("fingerprint of a non-key: %v", err)
	}
}
