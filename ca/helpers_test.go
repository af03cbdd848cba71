package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// The realistic test holder (a Jalisco public servant).
const (
	testPolicyOID  = "2.25.329800735698586629295641978511506172918.1.1"
	testUserNotice = "Certificado de servidor público. Uso limitado a trámites oficiales del Gobierno del Estado de Jalisco."
	testEmail      = "maria.lopez@jalisco.gob.mx"
)

var testNow = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)

func testSubject() Subject {
	return Subject{
		CommonName:             "MARÍA GUADALUPE LÓPEZ HERNÁNDEZ",
		GivenName:              "MARÍA GUADALUPE",
		Surname:                "LÓPEZ HERNÁNDEZ",
		SerialNumber:           "PNOMX-LOHM800101MJCPRR06",
		Title:                  "Directora de Área",
		Organization:           "Gobierno del Estado de Jalisco",
		OrganizationIdentifier: "GOVMX+JAL",
		Locality:               "Guadalajara",
		Province:               "Jalisco",
		Country:                "MX",
	}
}

func testProfile() Profile {
	return Profile{
		Name:                  "jalisco-servidor-publico",
		PolicyOID:             testPolicyOID,
		UserNotice:            testUserNotice,
		CPSURI:                "http://pki.jalisco.gob.mx/cps",
		OCSPURLs:              []string{"http://ocsp.pki.jalisco.gob.mx"},
		IssuingCertificateURL: []string{"http://pki.jalisco.gob.mx/issuing.crt"},
		CRLURLs:               []string{"http://pki.jalisco.gob.mx/crl/0.crl"},
	}
}

func testRequest(t testing.TB, key crypto.Signer) SignRequest {
	t.Helper()
	return SignRequest{
		CSR:       mustCSR(t, key, pkix.Name{CommonName: "csr-says-so"}),
		Subject:   testSubject(),
		Emails:    []string{testEmail},
		NotBefore: testNow,
		NotAfter:  testNow.Add(2 * 365 * 24 * time.Hour),
		Profile:   testProfile(),
	}
}

func mustCSR(t testing.TB, key crypto.Signer, subject pkix.Name, emails ...string) *x509.CertificateRequest {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject, EmailAddresses: emails}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func csrPEM(csr *x509.CertificateRequest) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw})
}

// Keys are slow to generate (RSA); tests share them.
var (
	keysOnce sync.Once
	keyP256  *ecdsa.PrivateKey
	keyP384  *ecdsa.PrivateKey
	keyRSA   *rsa.PrivateKey
)

func testKeys(t testing.TB) (*ecdsa.PrivateKey, *ecdsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if keyP256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if keyP384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
		if keyRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return keyP256, keyP384, keyRSA
}

// testIssuer is a minimal ECDSA P-384 issuing CA for signing in tests of
// package ca (ca/local has the real signer).
type testIssuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var (
	issuerOnce sync.Once
	issuer     testIssuer
)

func newTestIssuer(t testing.TB) testIssuer {
	t.Helper()
	issuerOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1000),
			Subject:               pkix.Name{CommonName: "Sello Test Issuing CA", Organization: []string{"Sello Test"}, Country: []string{"MX"}},
			NotBefore:             testNow.Add(-24 * time.Hour),
			NotAfter:              testNow.Add(5 * 365 * 24 * time.Hour),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
			IsCA:                  true,
			SubjectKeyId:          []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			panic(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			panic(err)
		}
		issuer = testIssuer{cert: cert, key: key}
	})
	return issuer
}

// sign signs a BuildTemplate result the way ca/local does.
func (is testIssuer) sign(t testing.TB, tmpl *x509.Certificate, pub crypto.PublicKey) []byte {
	t.Helper()
	tmpl.SerialNumber = new(big.Int).SetBytes([]byte{0x3a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff})
	tmpl.SignatureAlgorithm = x509.ECDSAWithSHA384
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.cert, pub, is.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func wantType(t testing.TB, err error, typ errs.Type) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got nil", typ)
	}
	if got := errs.TypeOf(err); got != typ {
		t.Fatalf("want a %s error, got %s: %v", typ, got, err)
	}
}
