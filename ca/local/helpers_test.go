package local

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

const (
	testPolicyOID  = "2.25.329800735698586629295641978511506172918.1.1"
	testUserNotice = "Certificado de servidor público. Uso limitado a trámites oficiales del Gobierno del Estado de Jalisco."
	testEmail      = "maria.lopez@jalisco.gob.mx"
)

func testOptions() HierarchyOptions {
	return HierarchyOptions{
		CommonName:   "Gobierno de Jalisco Sello",
		Organization: "Gobierno del Estado de Jalisco",
		Country:      "MX",
		RootCRLURL:   "http://pki.jalisco.gob.mx/root.crl",
		RootCertURL:  "http://pki.jalisco.gob.mx/root.crt",
	}
}

func testSignRequest(t testing.TB, key crypto.Signer) ca.SignRequest {
	t.Helper()
	// The CSR's own subject and e-mail must not reach the certificate.
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:        pkix.Name{CommonName: "Otra Persona", Organization: []string{"Otra Dependencia"}},
		EmailAddresses: []string{"otra@example.com"},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ca.ParseCSR(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca.SignRequest{
		CSR: csr,
		Subject: ca.Subject{
			CommonName:             "MARÍA GUADALUPE LÓPEZ HERNÁNDEZ",
			GivenName:              "MARÍA GUADALUPE",
			Surname:                "LÓPEZ HERNÁNDEZ",
			SerialNumber:           "PNOMX-LOHM800101MJCPRR09",
			Title:                  "Directora de Área",
			Organization:           "Gobierno del Estado de Jalisco",
			OrganizationIdentifier: "GOVMX+JAL",
			Locality:               "Guadalajara",
			Province:               "Jalisco",
			Country:                "MX",
		},
		Emails:    []string{testEmail},
		NotBefore: testNow,
		NotAfter:  testNow.Add(730 * 24 * time.Hour),
		Profile: ca.Profile{
			Name:                  "jalisco-servidor-publico",
			PolicyOID:             testPolicyOID,
			UserNotice:            testUserNotice,
			CPSURI:                "http://pki.jalisco.gob.mx/cps",
			OCSPURLs:              []string{"http://ocsp.pki.jalisco.gob.mx"},
			IssuingCertificateURL: []string{"http://pki.jalisco.gob.mx/issuing.crt"},
			CRLURLs:               []string{"http://pki.jalisco.gob.mx/crl/7.crl"},
		},
	}
}

// fakeStore is an in-memory SerialStore that records what the signer did.
type fakeStore struct {
	mu                  sync.Mutex
	reserved            map[string]time.Time // issuerID/serial
	order               []*big.Int
	lint                map[string][]byte // serial hex -> lint certificate
	conflicts           int               // the next n reservations fail with errs.Conflict
	reserveErr, saveErr error
}

func newFakeStore() *fakeStore {
	return &fakeStore{reserved: map[string]time.Time{}, lint: map[string][]byte{}}
}

func (f *fakeStore) ReserveSerial(_ context.Context, issuerID string, serial *big.Int, notAfter time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, new(big.Int).Set(serial))
	if f.reserveErr != nil {
		return f.reserveErr
	}
	key := issuerID + "/" + serial.Text(16)
	if _, dup := f.reserved[key]; dup || f.conflicts > 0 {
		if f.conflicts > 0 {
			f.conflicts--
		}
		return errs.New(errs.Conflict, "serial already reserved")
	}
	f.reserved[key] = notAfter
	return nil
}

func (f *fakeStore) SaveLintCertificate(_ context.Context, _ string, serial *big.Int, der []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.saveErr != nil {
		return f.saveErr
	}
	f.lint[serial.Text(16)] = append([]byte(nil), der...)
	return nil
}

func (f *fakeStore) counts() (reservations, lintCerts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.order), len(f.lint)
}

// Hierarchies are slow to make (RSA); tests share them and must not modify them.
var (
	hierOnce sync.Once
	hierEC   *Hierarchy
	hierRSA  *Hierarchy
	hierErr  error
)

func testHierarchies(t testing.TB) (ecdsaIssuer, rsaIssuer *Hierarchy) {
	t.Helper()
	hierOnce.Do(func() {
		clk := clock.NewFake(testNow.Add(-24 * time.Hour))
		if hierEC, hierErr = GenerateHierarchy(clk, testOptions()); hierErr != nil {
			return
		}
		opts := testOptions()
		opts.IssuingKey = KeyRSA3072
		hierRSA, hierErr = GenerateHierarchy(clk, opts)
	})
	if hierErr != nil {
		t.Fatal(hierErr)
	}
	return hierEC, hierRSA
}

func newTestSigner(t testing.TB, h *Hierarchy, store SerialStore, clk clock.Clock) *Signer {
	t.Helper()
	s, err := New(Config{Issuer: h.Issuing, Key: h.IssuingKey, Chain: h.Chain, Store: store, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	leafKeysOnce sync.Once
	leafP256     *ecdsa.PrivateKey
	leafRSA      *rsa.PrivateKey
)

func leafKeys(t testing.TB) (*ecdsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	leafKeysOnce.Do(func() {
		var err error
		if leafP256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if leafRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return leafP256, leafRSA
}

// openssl runs the real openssl binary. It is a hard requirement of these
// tests (in CI and locally): the point is an independent verifier.
func openssl(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if _, statErr := os.Stat("/usr/bin/openssl"); statErr != nil {
			ci := ""
			if os.Getenv("CI") == "true" {
				ci = " (CI=true)"
			}
			t.Fatalf("openssl is required by this test and was not found%s: install the openssl package", ci)
		}
		bin = "/usr/bin/openssl"
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// attime is the -attime argument that puts openssl at the fake clock's date.
func attime(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func writePEM(t testing.TB, dir, name, typ string, ders ...[]byte) string {
	t.Helper()
	var b strings.Builder
	for _, d := range ders {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d}))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeKey(t testing.TB, dir, name string, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PRIVATE KEY", der)
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

func wantDetail(t testing.TB, err error, substr string) {
	t.Helper()
	e, ok := err.(*errs.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not an *errs.Error", err, err)
	}
	if !strings.Contains(e.Detail, substr) {
		t.Fatalf("detail %q does not contain %q", e.Detail, substr)
	}
}

func hex(n *big.Int) string { return fmt.Sprintf("%x", n) }
