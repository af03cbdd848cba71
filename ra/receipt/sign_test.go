package receipt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// pki is a CA and a leaf it issued, valid through 2026-2027.
type pki struct {
	roots *x509.CertPool
	key   crypto.Signer
	chain []*x509.Certificate
}

func newPKI(t *testing.T, leafKey crypto.Signer) pki {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Sello Test Root"},
		NotBefore: from, NotAfter: from.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Sello acknowledgement signer"},
		NotBefore: from, NotAfter: from.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return pki{roots: roots, key: leafKey, chain: []*x509.Certificate{leaf, ca}}
}

func p384(t *testing.T) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func header(t *testing.T, jws string) map[string]any {
	seg, _, _ := strings.Cut(jws, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]any{}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRule_G4_SignVerifyRoundTrip(t *testing.T) {
	p := newPKI(t, p384(t))
	a := sampleAck(t)
	jws, err := Sign(a, p.key, p.chain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(jws, ".") != 2 {
		t.Fatalf("not a compact JWS: %q", jws)
	}
	h := header(t, jws)
	if h["alg"] != "ES384" || h["typ"] != JWSType {
		t.Errorf("header alg=%v typ=%v, want ES384 %s", h["alg"], h["typ"], JWSType)
	}
	if x5c, _ := h["x5c"].([]any); len(x5c) != 2 {
		t.Errorf("x5c has %d certificates, want leaf and CA", len(x5c))
	}
	got, err := Verify(jws, p.roots)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if jsonOf(t, got) != jsonOf(t, a) {
		t.Errorf("round trip changed the acknowledgement:\n got %s\nwant %s", jsonOf(t, got), jsonOf(t, a))
	}
	if !got.ReceivedAt.Equal(a.ReceivedAt) || got.Filer.Name != testName {
		t.Errorf("got %+v", got)
	}
}

func TestRule_G4_TamperedPayloadRefused(t *testing.T) {
	p := newPKI(t, p384(t))
	jws, err := Sign(sampleAck(t), p.key, p.chain)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jws, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var forged map[string]any
	if err := json.Unmarshal(raw, &forged); err != nil {
		t.Fatal(err)
	}
	forged["receivedAt"] = "2026-11-20T09:00:00-06:00" // back-date the reception
	b, _ := json.Marshal(forged)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	_, err = Verify(strings.Join(parts, "."), p.roots)
	if !errs.Has(err, errs.Malformed) {
		t.Fatalf("tampered payload: err = %v, want %s", err, errs.Malformed)
	}

	// A flipped signature byte is refused the same way.
	sig, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[2])
	sig[3] ^= 1
	parts = strings.Split(jws, ".")
	parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	if _, err := Verify(strings.Join(parts, "."), p.roots); !errs.Has(err, errs.Malformed) {
		t.Fatalf("flipped signature: err = %v, want %s", err, errs.Malformed)
	}
	if _, err := Verify("not.a.jws", p.roots); !errs.Has(err, errs.Malformed) {
		t.Fatalf("garbage: err = %v, want %s", err, errs.Malformed)
	}
}

func TestRule_G4_UnknownSignerRefused(t *testing.T) {
	p := newPKI(t, p384(t))
	other := newPKI(t, p384(t))
	jws, err := Sign(sampleAck(t), p.key, p.chain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(jws, other.roots); !errs.Has(err, errs.Unauthorized) {
		t.Fatalf("signer under another root: err = %v, want %s", err, errs.Unauthorized)
	}
	if _, err := Verify(jws, nil); !errs.Has(err, errs.Unauthorized) {
		t.Fatalf("no roots: err = %v, want %s", err, errs.Unauthorized)
	}
	// A self-made chain claiming the trusted CA's name is still refused: only
	// the roots' keys count, not the names in x5c.
	impostor := newPKI(t, p384(t))
	jws, err = Sign(sampleAck(t), impostor.key, impostor.chain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(jws, p.roots); !errs.Has(err, errs.Unauthorized) {
		t.Fatalf("impostor chain: err = %v, want %s", err, errs.Unauthorized)
	}
}

// The chain is judged at the filing time the acknowledgement states: a
// filing made while the signer's certificate was valid stays checkable; one
// claiming a time outside it is refused.
func TestRule_G4_ChainCheckedAtFilingTime(t *testing.T) {
	p := newPKI(t, p384(t)) // leaf valid 2026-01-01 .. 2028-01-01
	a := sampleAck(t)
	a.FiledAt = time.Date(2029, 3, 1, 10, 0, 0, 0, time.UTC)
	a.ReceivedAt = a.FiledAt
	jws, err := Sign(a, p.key, p.chain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(jws, p.roots); !errs.Has(err, errs.Unauthorized) {
		t.Fatalf("filed after the signer expired: err = %v, want %s", err, errs.Unauthorized)
	}
}

func TestSign_AlgorithmFollowsKey(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		key crypto.Signer
		alg string
	}{{p256, "ES256"}, {p384(t), "ES384"}, {p521, "ES512"}, {rsaKey, "RS256"}} {
		t.Run(tc.alg, func(t *testing.T) {
			p := newPKI(t, tc.key)
			jws, err := Sign(sampleAck(t), p.key, p.chain)
			if err != nil {
				t.Fatal(err)
			}
			if h := header(t, jws); h["alg"] != tc.alg {
				t.Errorf("alg = %v, want %s", h["alg"], tc.alg)
			}
			if _, err := Verify(jws, p.roots); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestSign_RefusesKeyNotInLeaf(t *testing.T) {
	p := newPKI(t, p384(t))
	if _, err := Sign(sampleAck(t), p384(t), p.chain); !errs.Has(err, errs.BadConfig) {
		t.Fatalf("key not matching leaf: err = %v, want %s", err, errs.BadConfig)
	}
	if _, err := Sign(sampleAck(t), p.key, nil); !errs.Has(err, errs.BadConfig) {
		t.Fatalf("no chain: err = %v, want %s", err, errs.BadConfig)
	}
}

var codeShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

func TestRule_G4_VerificationCode(t *testing.T) {
	p := newPKI(t, p384(t))
	a := sampleAck(t)
	jws1, err := Sign(a, p.key, p.chain)
	if err != nil {
		t.Fatal(err)
	}
	a.Folio = "ACU-2026-000124"
	jws2, err := Sign(a, p.key, p.chain)
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := VerificationCode(jws1), VerificationCode(jws2)
	if !codeShape.MatchString(c1) {
		t.Fatalf("code %q is not 4 groups of 4 Crockford base32 characters", c1)
	}
	if VerificationCode(jws1) != c1 {
		t.Error("code not stable for the same JWS")
	}
	if c1 == c2 {
		t.Errorf("different JWS gave the same code %q", c1)
	}
	// Known answer (first 80 bits of SHA-256("abc") in Crockford base32), so
	// the online check can compute the same code independently.
	if got := VerificationCode("abc"); got != "Q9W1-DFWF-077Y-MGA1" {
		t.Errorf("VerificationCode(abc) = %q", got)
	}

	for _, typed := range []string{c1, strings.ToLower(c1), strings.ReplaceAll(c1, "-", ""), " " + strings.ReplaceAll(c1, "-", " ") + " "} {
		if got, ok := NormalizeCode(typed); !ok || got != c1 {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q", typed, got, ok, c1)
		}
	}
	if got, _ := NormalizeCode("o0il-1111-1111-1111"); got != "0011-1111-1111-1111" {
		t.Errorf("look-alikes: got %q", got)
	}
	for _, bad := range []string{"", "K7Q2-9XMA", "K7Q2-9XMA-3HTN-0C5U", "K7Q2-9XMA-3HTN-0C5E-1"} {
		if _, ok := NormalizeCode(bad); ok {
			t.Errorf("NormalizeCode(%q) accepted", bad)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"PNOMX-LOHG850312MCSPRD02": "PNOMX-******RD02",
		"LOHG850312MCSPRD02":       "******RD02",
		"PNOPE-12345678":           "PNOPE-******5678",
		"TINMX-ÑAPE850312AB1":      "TINMX-******2AB1",
		"1234":                     "****",
		"":                         "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
