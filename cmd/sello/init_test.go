package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// `sello init --import-cert/--import-key` takes an existing issuing CA (made
// a moment ago, so certificates must not start before it) and issues the
// bootstrap administrator under it.
func TestInitImportsAnExistingCA(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4242), Subject: pkix.Name{Country: []string{"MX"},
		Organization: []string{"Gobierno del Estado de Zacatecas"}, CommonName: "Zacatecas Issuing CA"},
		NotBefore: time.Now(), NotAfter: time.Now().AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(dir, "ca.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	data := filepath.Join(dir, "data")
	out := mustRun(t, "init", "--data", data, "--import-cert", filepath.Join(dir, "ca.pem"), "--import-key", filepath.Join(dir, "ca.key"))
	if !strings.Contains(out, "admin.p12") {
		t.Fatalf("init output:\n%s", out)
	}
	pass, _ := os.ReadFile(filepath.Join(data, "admin.p12.pass"))
	_, cert, _, err := pkcs12.DecodeChain(mustRead(t, filepath.Join(data, "admin.p12")), strings.TrimSpace(string(pass)))
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	if err := cert.CheckSignatureFrom(ca); err != nil || cert.NotBefore.Before(ca.NotBefore) {
		t.Fatalf("admin certificate not under the imported CA: %v (starts %v, CA %v)", err, cert.NotBefore, ca.NotBefore)
	}
	// The stored key is encrypted at rest even though the imported one was not.
	if b, _ := os.ReadFile(filepath.Join(data, "ca", "jalisco", "issuing.key")); !strings.Contains(string(b), "ENCRYPTED PRIVATE KEY") {
		t.Fatal("imported key stored in clear")
	}
	// Running init again changes nothing.
	if out := mustRun(t, "init", "--data", data); !strings.Contains(out, "(kept)") || strings.Contains(out, "(created)") {
		t.Fatalf("second init:\n%s", out)
	}
}

// SELLO_LISTEN_* given at init are written into the generated sello.yaml, so
// a later start without them listens at the same place (issue 17).
func TestInitWritesListenOverrides(t *testing.T) {
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	t.Setenv("SELLO_LISTEN_HTTP", "127.0.0.1:18080")
	t.Setenv("SELLO_LISTEN_PUBLIC_URL", "https://firma.example.gob.mx")
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "init", "--data", data)
	b := string(mustRead(t, filepath.Join(data, "sello.yaml")))
	for _, want := range []string{`http: "127.0.0.1:18080"`, `public_url: "https://firma.example.gob.mx"`, "https: 127.0.0.1:8443"} {
		if !strings.Contains(b, want) {
			t.Errorf("sello.yaml lacks %q:\n%s", want, b)
		}
	}
}

// `sello migrate` migrates: on an empty database it applies every
// migration instead of telling the operator to run `sello migrate`.
func TestMigrateAppliesOnAnEmptyDatabase(t *testing.T) {
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "init", "--data", data)
	t.Setenv("SELLO_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "empty.db"))
	out := mustRun(t, "migrate", "--data", data)
	if !strings.Contains(out, "applied ") {
		t.Fatalf("migrate on an empty database:\n%s", out)
	}
	if out := mustRun(t, "migrate", "--data", data); !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate:\n%s", out)
	}
}
