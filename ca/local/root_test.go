package local

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"path/filepath"
	"testing"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// One root signs an issuing CA per authority, each named after its own
// government; each issuer's folder holds only its own material, and the
// registered "local" backend signs with it.
func TestOneRootManyIssuers(t *testing.T) {
	clk := clock.NewFake(testNow)
	dir := t.TempDir()
	pass := []byte("correct horse battery")
	root, err := GenerateRoot(clk, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := root.WriteRootDir(dir, pass); err != nil {
		t.Fatal(err)
	}
	if err := root.WriteRootDir(dir, pass); !errs.Has(err, errs.Conflict) {
		t.Fatalf("second write: %v", err)
	}
	loaded, err := LoadRoot(dir, pass)
	if err != nil || !loaded.HasKey() || !loaded.Certificate().Equal(root.Certificate()) {
		t.Fatalf("LoadRoot: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root.Certificate())
	for _, gov := range []struct{ name, org, country string }{{"jalisco", "Gobierno del Estado de Jalisco", "MX"}, {"cajamarca", "Gobierno Regional Cajamarca", "PE"}} {
		opts := testOptions()
		opts.CommonName, opts.Organization, opts.Country = gov.org, gov.org, gov.country
		h, err := loaded.NewIssuing(clk, opts)
		if err != nil {
			t.Fatal(err)
		}
		if h.RootKey != nil || h.Issuing.Subject.CommonName != gov.org+" Issuing CA" || h.Issuing.Subject.Country[0] != gov.country {
			t.Fatalf("issuing CA %s (root key exposed: %v)", h.Issuing.Subject, h.RootKey != nil)
		}
		if _, err := h.Issuing.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: testNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Fatalf("%s does not chain to the root: %v", gov.name, err)
		}
		idir := filepath.Join(dir, gov.name)
		if err := h.WriteIssuerDir(idir, pass); err != nil {
			t.Fatal(err)
		}
		if fileIn(idir, RootKeyFile) || fileIn(idir, RootCertFile) {
			t.Fatalf("the issuer's folder holds root material")
		}
		b, err := ca.NewBackend(context.Background(), BackendName, ca.Options{Issuer: gov.name, Dir: idir, Passphrase: pass, Serials: newFakeStore(), Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		iss, err := b.Sign(context.Background(), testSignRequest(t, key))
		if err != nil {
			t.Fatal(err)
		}
		if iss.Certificate.Issuer.CommonName != gov.org+" Issuing CA" || len(iss.Chain) != 2 || !iss.Chain[1].Equal(root.Certificate()) {
			t.Fatalf("%s signed as %s", gov.name, iss.Certificate.Issuer)
		}
	}
	if _, err := ca.NewBackend(context.Background(), BackendName, ca.Options{Issuer: "zacatecas", Dir: filepath.Join(dir, "zacatecas"), Passphrase: pass,
		Serials: newFakeStore(), Clock: clk}); !errs.Has(err, errs.BadConfig) {
		t.Fatalf("an issuer without its folder: %v", err)
	}
	// Without the root key (kept offline) no issuing CA can be made.
	offline := &Root{cert: root.Certificate()}
	if _, err := offline.NewIssuing(clk, testOptions()); !errs.Has(err, errs.BadConfig) {
		t.Fatalf("issuing CA without the root key: %v", err)
	}
}

func fileIn(dir, name string) bool {
	b, _ := readFile(dir, name, false)
	return b != nil
}
