package local

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.step.sm/crypto/pemutil"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

var testPassphrase = []byte("correcto caballo batería grapa")

func criticalExt(c *x509.Certificate, oid asn1.ObjectIdentifier) (present, critical bool) {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true, e.Critical
		}
	}
	return false, false
}

func TestGenerateHierarchy(t *testing.T) {
	hEC, hRSA := testHierarchies(t)
	for _, tt := range []struct {
		name    string
		h       *Hierarchy
		keyBits int // 0: ECDSA P-384
	}{{"ecdsa-p384", hEC, 0}, {"rsa-3072", hRSA, 3072}} {
		t.Run(tt.name, func(t *testing.T) {
			root, issuing := tt.h.Root, tt.h.Issuing
			// Root: self-signed P-384, certSign+cRLSign critical, CA critical, SKI, no pathLen.
			if k, ok := root.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P384() {
				t.Errorf("root key %T", root.PublicKey)
			}
			if err := root.CheckSignatureFrom(root); err != nil || !bytes.Equal(root.RawIssuer, root.RawSubject) {
				t.Errorf("root is not self-signed: %v", err)
			}
			if root.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign || !root.IsCA || !root.BasicConstraintsValid || root.MaxPathLen != -1 {
				t.Errorf("root KU %b CA %v pathLen %d", root.KeyUsage, root.IsCA, root.MaxPathLen)
			}
			if _, crit := criticalExt(root, asn1.ObjectIdentifier{2, 5, 29, 15}); !crit {
				t.Error("root keyUsage not critical")
			}
			if _, crit := criticalExt(root, asn1.ObjectIdentifier{2, 5, 29, 19}); !crit {
				t.Error("root basicConstraints not critical")
			}
			if len(root.SubjectKeyId) == 0 || root.Subject.CommonName != "Gobierno de Jalisco Sello Root CA" {
				t.Errorf("root SKI %x CN %q", root.SubjectKeyId, root.Subject.CommonName)
			}

			// Issuing: signed by the root, pathLen 0, constrained EKUs, SKI and AKI.
			if err := issuing.CheckSignatureFrom(root); err != nil {
				t.Errorf("issuing not signed by the root: %v", err)
			}
			if !issuing.IsCA || !issuing.MaxPathLenZero || issuing.MaxPathLen != 0 {
				t.Errorf("issuing CA %v pathLen %d zero %v", issuing.IsCA, issuing.MaxPathLen, issuing.MaxPathLenZero)
			}
			if !slices.Equal(issuing.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}) {
				t.Errorf("issuing EKU %v", issuing.ExtKeyUsage)
			}
			if len(issuing.SubjectKeyId) == 0 || !bytes.Equal(issuing.AuthorityKeyId, root.SubjectKeyId) {
				t.Errorf("issuing SKI %x AKI %x", issuing.SubjectKeyId, issuing.AuthorityKeyId)
			}
			if !slices.Equal(issuing.CRLDistributionPoints, []string{"http://pki.jalisco.gob.mx/root.crl"}) ||
				!slices.Equal(issuing.IssuingCertificateURL, []string{"http://pki.jalisco.gob.mx/root.crt"}) {
				t.Errorf("issuing CRL %v AIA %v", issuing.CRLDistributionPoints, issuing.IssuingCertificateURL)
			}
			if !issuing.NotAfter.Before(root.NotAfter) && !issuing.NotAfter.Equal(root.NotAfter) {
				t.Error("the issuing CA outlives the root")
			}
			switch tt.keyBits {
			case 0:
				if k, ok := issuing.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P384() {
					t.Errorf("issuing key %T", issuing.PublicKey)
				}
			default:
				if k, ok := issuing.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != tt.keyBits {
					t.Errorf("issuing key %T", issuing.PublicKey)
				}
			}
			if wantYears := 20 * 8766 * time.Hour; root.NotAfter.Sub(root.NotBefore) != wantYears {
				t.Errorf("root validity %s", root.NotAfter.Sub(root.NotBefore))
			}

			// zlint: no error on either (warnings are reported, and there are none).
			for _, c := range []*x509.Certificate{root, issuing} {
				warnings, err := ca.Lint(c.Raw)
				if err != nil {
					t.Errorf("%s: %v", c.Subject.CommonName, err)
				}
				if len(warnings) != 0 {
					t.Errorf("%s: warnings %v", c.Subject.CommonName, warnings)
				}
			}
		})
	}
}

func TestGenerateHierarchy_RSA4096(t *testing.T) {
	opts := testOptions()
	opts.IssuingKey = KeyRSA4096
	h, err := GenerateHierarchy(clock.NewFake(testNow), opts)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := h.Issuing.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 4096 {
		t.Fatalf("issuing key %T", h.Issuing.PublicKey)
	}
	if _, err := ca.Lint(h.Issuing.Raw); err != nil {
		t.Error(err)
	}
}

func TestGenerateHierarchy_Options(t *testing.T) {
	clk := clock.NewFake(testNow)
	tests := []struct {
		name   string
		modify func(*HierarchyOptions)
		want   string
	}{
		{"no organization", func(o *HierarchyOptions) { o.Organization = "" }, "organization is required"},
		{"bad country", func(o *HierarchyOptions) { o.Country = "mx" }, "two-letter"},
		{"no root CRL URL", func(o *HierarchyOptions) { o.RootCRLURL = "" }, "root CRL URL"},
		{"unknown key", func(o *HierarchyOptions) { o.IssuingKey = "ed25519" }, `issuing key "ed25519"`},
		{"issuing outlives root", func(o *HierarchyOptions) { o.RootValidity, o.IssuingValidity = time.Hour, 2*time.Hour }, "cannot outlive the root"},
		{"bad policy", func(o *HierarchyOptions) { o.PolicyOIDs = []string{"any"} }, "policy OID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			tt.modify(&opts)
			h, err := GenerateHierarchy(clk, opts)
			if h != nil {
				t.Error("a hierarchy was returned")
			}
			wantType(t, err, errs.BadConfig)
			wantDetail(t, err, tt.want)
		})
	}
	if _, err := GenerateHierarchy(nil, testOptions()); errs.TypeOf(err) != errs.BadConfig {
		t.Errorf("nil clock: %v", err)
	}
}

func TestWriteDirLoadDir(t *testing.T) {
	h, _ := testHierarchies(t)
	dir := filepath.Join(t.TempDir(), "ca")
	if err := h.WriteDir(dir, testPassphrase); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{RootCertFile, IssuingCertFile, ChainFile, RootKeyFile, IssuingKeyFile} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".key") {
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %o", name, info.Mode().Perm())
			}
			data, _ := os.ReadFile(filepath.Join(dir, name))
			if !bytes.Contains(data, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")) || bytes.Contains(data, []byte("BEGIN PRIVATE KEY")) ||
				bytes.Contains(data, []byte("EC PRIVATE KEY")) {
				t.Errorf("%s is not an encrypted PKCS#8 key:\n%s", name, data)
			}
		}
	}
	chain, err := parseCerts(mustRead(t, dir, ChainFile), ChainFile)
	if err != nil || len(chain) != 2 || !chain[0].Equal(h.Issuing) || !chain[1].Equal(h.Root) {
		t.Fatalf("chain.pem: %v", err)
	}

	// OpenSSL opens the encrypted key with the passphrase, and not without it.
	pass := "pass:" + string(testPassphrase)
	if out, err := openssl(t, dir, "pkey", "-in", IssuingKeyFile, "-passin", pass, "-noout"); err != nil {
		t.Fatalf("openssl pkey: %v\n%s", err, out)
	}
	pub, err := openssl(t, dir, "pkey", "-in", IssuingKeyFile, "-passin", pass, "-pubout")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(pub))
	wantPub, _ := x509.MarshalPKIXPublicKey(h.Issuing.PublicKey)
	if block == nil || !bytes.Equal(block.Bytes, wantPub) {
		t.Error("openssl reads another public key from issuing.key")
	}
	if out, err := openssl(t, dir, "pkey", "-in", IssuingKeyFile, "-passin", "pass:not the passphrase", "-noout"); err == nil {
		t.Errorf("openssl opened the key with a wrong passphrase:\n%s", out)
	}
	if out, err := openssl(t, dir, "verify", "-attime", attime(testNow), "-CAfile", RootCertFile, IssuingCertFile); err != nil {
		t.Errorf("openssl verify issuing.crt: %v\n%s", err, out)
	}

	loaded, err := LoadDir(dir, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Root.Equal(h.Root) || !loaded.Issuing.Equal(h.Issuing) || len(loaded.Chain) != 2 ||
		!keyMatches(loaded.Issuing, loaded.IssuingKey) || !keyMatches(loaded.Root, loaded.RootKey) {
		t.Fatal("the loaded hierarchy differs")
	}
	// And it signs.
	leafKey, _ := leafKeys(t)
	s := newTestSigner(t, loaded, newFakeStore(), clock.NewFake(testNow))
	if _, err := s.Sign(context.Background(), testSignRequest(t, leafKey)); err != nil {
		t.Fatalf("signing with the loaded key: %v", err)
	}

	// Never overwrite CA material.
	err = h.WriteDir(dir, testPassphrase)
	wantType(t, err, errs.Conflict)
	wantDetail(t, err, "already exists")
}

func mustRead(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadDir_Errors(t *testing.T) {
	h, _ := testHierarchies(t)
	dir := t.TempDir()
	if err := h.WriteDir(dir, testPassphrase); err != nil {
		t.Fatal(err)
	}

	_, err := LoadDir(dir, []byte("a wrong passphrase"))
	wantType(t, err, errs.BadConfig)
	wantDetail(t, err, "cannot decrypt issuing.key: wrong passphrase?")

	_, err = LoadDir(dir, nil)
	wantType(t, err, errs.BadConfig)
	wantDetail(t, err, "issuing.key")

	// Root key offline: still loads, without it.
	offline := t.TempDir()
	for _, name := range []string{RootCertFile, IssuingCertFile, ChainFile, IssuingKeyFile} {
		if err := os.WriteFile(filepath.Join(offline, name), mustRead(t, dir, name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	loaded, err := LoadDir(offline, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.RootKey != nil || loaded.Root == nil {
		t.Error("root key offline: want the root certificate and no root key")
	}

	// A missing file is named.
	for _, name := range []string{IssuingCertFile, IssuingKeyFile, ChainFile} {
		missing := t.TempDir()
		for _, other := range []string{IssuingCertFile, IssuingKeyFile, ChainFile} {
			if other != name {
				if err := os.WriteFile(filepath.Join(missing, other), mustRead(t, dir, other), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, err := LoadDir(missing, testPassphrase)
		wantType(t, err, errs.BadConfig)
		wantDetail(t, err, name+" is missing")
	}

	// An unencrypted key on disk is refused.
	plain := t.TempDir()
	for _, name := range []string{IssuingCertFile, ChainFile} {
		if err := os.WriteFile(filepath.Join(plain, name), mustRead(t, dir, name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeKey(t, plain, IssuingKeyFile, h.IssuingKey)
	_, err = LoadDir(plain, testPassphrase)
	wantType(t, err, errs.BadConfig)
	wantDetail(t, err, "not encrypted")

	// A key that does not match its certificate.
	_, hRSA := testHierarchies(t)
	mismatched := t.TempDir()
	for _, name := range []string{IssuingCertFile, ChainFile} {
		if err := os.WriteFile(filepath.Join(mismatched, name), mustRead(t, dir, name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	other := &Hierarchy{Issuing: hRSA.Issuing, IssuingKey: hRSA.IssuingKey}
	otherDir := t.TempDir()
	if err := other.WriteDir(otherDir, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mismatched, IssuingKeyFile), mustRead(t, otherDir, IssuingKeyFile), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadDir(mismatched, testPassphrase)
	wantType(t, err, errs.BadConfig)
	wantDetail(t, err, "does not match")
}

func TestWriteDir_Passphrase(t *testing.T) {
	h, _ := testHierarchies(t)
	for _, p := range [][]byte{nil, []byte(""), []byte("11 bytes ok")} {
		dir := t.TempDir()
		err := h.WriteDir(dir, p)
		wantType(t, err, errs.BadConfig)
		wantDetail(t, err, "at least 12 bytes")
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("files written with a refused passphrase: %v", entries)
		}
	}
}

func TestImport(t *testing.T) {
	hEC, hRSA := testHierarchies(t)

	ecSEC1, err := x509.MarshalECPrivateKey(hEC.IssuingKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	rsaPKCS1 := x509.MarshalPKCS1PrivateKey(hRSA.IssuingKey.(*rsa.PrivateKey))
	ecPKCS8, err := x509.MarshalPKCS8PrivateKey(hEC.IssuingKey)
	if err != nil {
		t.Fatal(err)
	}
	encBlock, err := pemutil.Serialize(hEC.IssuingKey, pemutil.WithPKCS8(true), pemutil.WithPassword(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	ok := []struct {
		name     string
		h        *Hierarchy
		certs    []byte
		key      []byte
		pass     []byte
		wantRoot bool
	}{
		{"SEC1, with root", hEC, certsPEM(hEC.Issuing, hEC.Root), pemOf("EC PRIVATE KEY", ecSEC1), nil, true},
		{"PKCS#1, issuing only", hRSA, certsPEM(hRSA.Issuing), pemOf("RSA PRIVATE KEY", rsaPKCS1), nil, false},
		{"PKCS#8", hEC, certsPEM(hEC.Issuing, hEC.Root), pemOf("PRIVATE KEY", ecPKCS8), nil, true},
		{"encrypted PKCS#8", hEC, certsPEM(hEC.Issuing, hEC.Root), pem.EncodeToMemory(encBlock), testPassphrase, true},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Import(tt.certs, tt.key, tt.pass)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Issuing.Equal(tt.h.Issuing) || !keyMatches(got.Issuing, got.IssuingKey) {
				t.Error("wrong issuing CA")
			}
			if tt.wantRoot != (got.Root != nil) || (got.Root != nil && !got.Root.Equal(tt.h.Root)) || got.RootKey != nil {
				t.Errorf("root %v, root key %v", got.Root, got.RootKey)
			}
			if want := map[bool]int{true: 2, false: 1}[tt.wantRoot]; len(got.Chain) != want {
				t.Errorf("chain of %d", len(got.Chain))
			}
			if _, err := New(Config{Issuer: got.Issuing, Key: got.IssuingKey, Chain: got.Chain, Store: newFakeStore(), Clock: clock.NewFake(testNow)}); err != nil {
				t.Errorf("cannot sign with the import: %v", err)
			}
		})
	}

	tlsDER, tlsKey, err := hEC.IssueTLSServer(clock.NewFake(testNow), []string{"sello.jalisco.gob.mx"}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tlsKeyDER, _ := x509.MarshalPKCS8PrivateKey(tlsKey)
	bad := []struct {
		name  string
		certs []byte
		key   []byte
		pass  []byte
		want  string
	}{
		{"key of another CA", certsPEM(hEC.Issuing), pemOf("RSA PRIVATE KEY", rsaPKCS1), nil, "does not match"},
		{"not a CA", pemOf("CERTIFICATE", tlsDER), pemOf("PRIVATE KEY", tlsKeyDER), nil, "is not a CA certificate"},
		{"encrypted key without passphrase", certsPEM(hEC.Issuing), pem.EncodeToMemory(encBlock), nil, "a passphrase is needed"},
		{"encrypted key, wrong passphrase", certsPEM(hEC.Issuing), pem.EncodeToMemory(encBlock), []byte("wrong passphrase!"), "wrong passphrase?"},
		{"a certificate as key", certsPEM(hEC.Issuing), certsPEM(hEC.Issuing), nil, "is not a private key"},
		{"no certificate", nil, pemOf("PRIVATE KEY", ecPKCS8), nil, "no certificate"},
		{"unrelated certificate", certsPEM(hEC.Issuing, hEC.Root, hRSA.Root), pemOf("PRIVATE KEY", ecPKCS8), nil, "not part of the issuing CA's chain"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Import(tt.certs, tt.key, tt.pass)
			if got != nil {
				t.Error("a hierarchy was returned")
			}
			wantType(t, err, errs.BadConfig)
			wantDetail(t, err, tt.want)
		})
	}
}

func TestImportPKCS12(t *testing.T) {
	h, _ := testHierarchies(t)
	data, err := pkcs12.Modern.Encode(h.IssuingKey, h.Issuing, []*x509.Certificate{h.Root}, "contraseña-p12")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ImportPKCS12(data, "contraseña-p12")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Issuing.Equal(h.Issuing) || got.Root == nil || !got.Root.Equal(h.Root) || len(got.Chain) != 2 || !keyMatches(got.Issuing, got.IssuingKey) {
		t.Fatalf("imported %+v", got)
	}

	_, err = ImportPKCS12(data, "otra")
	wantType(t, err, errs.BadConfig)
	wantDetail(t, err, "wrong password?")
	_, err = ImportPKCS12([]byte("not pkcs12"), "x")
	wantType(t, err, errs.BadConfig)

	// OpenSSL 3 reads the same file without -legacy.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.p12"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := openssl(t, dir, "pkcs12", "-in", "ca.p12", "-passin", "pass:contraseña-p12", "-noout"); err != nil {
		t.Errorf("openssl pkcs12: %v\n%s", err, out)
	}
}

func TestIssueTLSServer(t *testing.T) {
	h, _ := testHierarchies(t)
	clk := clock.NewFake(testNow)
	der, key, err := h.IssueTLSServer(clk, []string{"sello.jalisco.gob.mx", "localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := key.Public().(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() || !keyMatches(cert, key) {
		t.Errorf("key %T", key.Public())
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || cert.IsCA ||
		!cert.NotBefore.Equal(testNow) || !cert.NotAfter.Equal(testNow.Add(90*24*time.Hour)) {
		t.Errorf("certificate %+v", cert)
	}
	roots := x509.NewCertPool()
	roots.AddCert(h.Root)
	for _, name := range []string{"sello.jalisco.gob.mx", "localhost", "127.0.0.1"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: testNow.Add(time.Hour)}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	dir := t.TempDir()
	writePEM(t, dir, "root.pem", "CERTIFICATE", h.Root.Raw)
	writePEM(t, dir, "tls.pem", "CERTIFICATE", der)
	if out, err := openssl(t, dir, "verify", "-attime", attime(testNow.Add(time.Hour)), "-purpose", "sslserver", "-CAfile", "root.pem", "tls.pem"); err != nil {
		t.Errorf("openssl verify: %v\n%s", err, out)
	}

	// Why the root signs it: under the EKU-constrained issuing CA, a TLS
	// server certificate does not verify.
	under, err := signCA(&x509.Certificate{NotBefore: testNow, NotAfter: testNow.Add(time.Hour), DNSNames: []string{"x.jalisco.gob.mx"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, h.Issuing, key, h.IssuingKey)
	if err != nil {
		t.Fatal(err)
	}
	inter := x509.NewCertPool()
	inter.AddCert(h.Issuing)
	if _, err := under.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: testNow.Add(time.Minute)}); err == nil {
		t.Error("a serverAuth certificate under the issuing CA verified")
	}

	_, _, err = (&Hierarchy{Issuing: h.Issuing, IssuingKey: h.IssuingKey, Root: h.Root}).IssueTLSServer(clk, []string{"a.gob.mx"}, nil, time.Hour)
	wantType(t, err, errs.BadConfig)
	_, _, err = h.IssueTLSServer(clk, nil, nil, time.Hour)
	wantType(t, err, errs.Malformed)
	_, _, err = h.IssueTLSServer(clk, []string{"bad name"}, nil, time.Hour)
	wantType(t, err, errs.Malformed)
	_, _, err = h.IssueTLSServer(clk, []string{"a.gob.mx"}, nil, 100*8766*time.Hour)
	wantType(t, err, errs.Malformed)
}
