package local

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// End to end with the default profile, checked by OpenSSL as an independent
// verifier: the chain verifies (also for the S/MIME signing purpose), the
// certificate shows the verified identity, the policy and the URLs, an
// S/MIME signature made with it verifies, and zlint finds nothing.
func TestSign_DefaultProfileVerifiesWithOpenSSL(t *testing.T) {
	h, _ := testHierarchies(t)
	store := newFakeStore()
	clk := clock.NewFake(testNow)
	s := newTestSigner(t, h, store, clk)
	leafKey, _ := leafKeys(t)

	issued, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if issued.Certificate.SignatureAlgorithm != x509.ECDSAWithSHA384 {
		t.Errorf("signature algorithm %s", issued.Certificate.SignatureAlgorithm)
	}
	if len(issued.Chain) != 2 || !issued.Chain[0].Equal(h.Issuing) || !issued.Chain[1].Equal(h.Root) {
		t.Errorf("chain %v", issued.Chain)
	}

	dir := t.TempDir()
	writePEM(t, dir, "root.pem", "CERTIFICATE", h.Root.Raw)
	writePEM(t, dir, "issuing.pem", "CERTIFICATE", h.Issuing.Raw)
	writePEM(t, dir, "leaf.pem", "CERTIFICATE", issued.DER)
	writeKey(t, dir, "leaf.key", leafKey)
	at := attime(testNow.Add(time.Hour))

	for _, purpose := range [][]string{nil, {"-purpose", "smimesign"}, {"-purpose", "sslclient"}} {
		args := append([]string{"verify", "-attime", at, "-CAfile", "root.pem", "-untrusted", "issuing.pem"}, purpose...)
		out, err := openssl(t, dir, append(args, "leaf.pem")...)
		if err != nil || !strings.Contains(out, "leaf.pem: OK") {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	// The issuing CA is constrained: the same leaf is no TLS server.
	if out, err := openssl(t, dir, "verify", "-attime", at, "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-purpose", "sslserver", "leaf.pem"); err == nil {
		t.Errorf("leaf verified for sslserver:\n%s", out)
	}

	text, err := openssl(t, dir, "x509", "-in", "leaf.pem", "-noout", "-text", "-nameopt", "oneline,-esc_msb")
	if err != nil {
		t.Fatalf("openssl x509: %v\n%s", err, text)
	}
	for _, want := range []string{
		"CN = MARÍA GUADALUPE LÓPEZ HERNÁNDEZ",
		"title = Directora de Área",
		"O = Gobierno del Estado de Jalisco",
		"serialNumber = PNOMX-LOHM800101MJCPRR09",
		`organizationIdentifier = "GOVMX+JAL"`,
		"GN = MARÍA GUADALUPE",
		"SN = LÓPEZ HERNÁNDEZ",
		"L = Guadalajara",
		"ST = Jalisco",
		"C = MX",
		"email:" + testEmail,
		"Policy: " + testPolicyOID,
		"CPS: http://pki.jalisco.gob.mx/cps",
		"Explicit Text: " + testUserNotice,
		"OCSP - URI:http://ocsp.pki.jalisco.gob.mx",
		"CA Issuers - URI:http://pki.jalisco.gob.mx/issuing.crt",
		"URI:http://pki.jalisco.gob.mx/crl/7.crl",
		"X509v3 Key Usage: critical",
		"Digital Signature, Non Repudiation",
		"E-mail Protection, TLS Web Client Authentication",
		"CA:FALSE",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("openssl x509 -text lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Otra Persona", "Otra Dependencia", "otra@example.com"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("the CSR's %q reached the certificate", unwanted)
		}
	}

	// An S/MIME signature made with the certificate verifies.
	if err := os.WriteFile(filepath.Join(dir, "oficio.txt"), []byte("Oficio DGA/123/2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := openssl(t, dir, "cms", "-sign", "-in", "oficio.txt", "-signer", "leaf.pem", "-inkey", "leaf.key",
		"-certfile", "issuing.pem", "-outform", "DER", "-out", "oficio.p7s", "-binary"); err != nil {
		t.Fatalf("openssl cms -sign: %v\n%s", err, out)
	}
	if out, err := openssl(t, dir, "cms", "-verify", "-attime", at, "-in", "oficio.p7s", "-inform", "DER",
		"-content", "oficio.txt", "-CAfile", "root.pem", "-out", "verified.txt", "-binary"); err != nil || !strings.Contains(out, "Verification successful") {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}

	warnings, err := ca.Lint(issued.DER)
	if err != nil || len(warnings) != 0 {
		t.Errorf("zlint: err=%v warnings=%v", err, warnings)
	}

	// The store saw the reservation and the lint certificate, whose TBS is
	// the issued one.
	if n, _ := store.counts(); n != 1 {
		t.Errorf("%d reservations", n)
	}
	lintDER := store.lint[hex(issued.Certificate.SerialNumber)]
	if lintDER == nil {
		t.Fatal("no lint certificate stored for the issued serial")
	}
	lintCert, err := x509.ParseCertificate(lintDER)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lintCert.RawTBSCertificate, issued.Certificate.RawTBSCertificate) {
		t.Error("the stored lint certificate's TBS is not the issued one")
	}
	if lintCert.CheckSignatureFrom(h.Issuing) == nil {
		t.Error("the lint certificate is signed by the real issuing key")
	}
}

func TestSign_SerialNumber(t *testing.T) {
	h, _ := testHierarchies(t)
	s := newTestSigner(t, h, newFakeStore(), clock.NewFake(testNow))
	leafKey, _ := leafKeys(t)
	seen := map[string]bool{}
	for range 5 {
		issued, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
		if err != nil {
			t.Fatal(err)
		}
		sn := issued.Certificate.SerialNumber
		if sn.Sign() <= 0 || sn.BitLen() > 127 || sn.BitLen() < 64 {
			t.Errorf("serial %x: %d bits", sn, sn.BitLen())
		}
		if seen[hex(sn)] {
			t.Errorf("serial %x repeated", sn)
		}
		seen[hex(sn)] = true
	}
}

func TestSign_Concurrent(t *testing.T) {
	h, _ := testHierarchies(t)
	store := newFakeStore()
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	leafKey, _ := leafKeys(t)
	req := testSignRequest(t, leafKey)
	const n = 16
	serials := make(chan string, n)
	errc := make(chan error, n)
	for range n {
		go func() {
			issued, err := s.Sign(context.Background(), req)
			if err != nil {
				errc <- err
				return
			}
			serials <- hex(issued.Certificate.SerialNumber)
			errc <- nil
		}()
	}
	for range n {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	close(serials)
	seen := map[string]bool{}
	for sn := range serials {
		if seen[sn] {
			t.Errorf("serial %s issued twice", sn)
		}
		seen[sn] = true
	}
	if reservations, saved := store.counts(); len(seen) != n || reservations != n || saved != n {
		t.Errorf("%d certificates, %d reservations, %d lint certificates", len(seen), reservations, saved)
	}
}

func TestSign_RSA3072Issuer(t *testing.T) {
	_, h := testHierarchies(t)
	s := newTestSigner(t, h, newFakeStore(), clock.NewFake(testNow))
	_, leafKey := leafKeys(t)
	issued, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if issued.Certificate.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("signature algorithm %s", issued.Certificate.SignatureAlgorithm)
	}
	if warnings, err := ca.Lint(issued.DER); err != nil || len(warnings) != 0 {
		t.Errorf("zlint: err=%v warnings=%v", err, warnings)
	}
	dir := t.TempDir()
	writePEM(t, dir, "root.pem", "CERTIFICATE", h.Root.Raw)
	writePEM(t, dir, "issuing.pem", "CERTIFICATE", h.Issuing.Raw)
	writePEM(t, dir, "leaf.pem", "CERTIFICATE", issued.DER)
	out, err := openssl(t, dir, "verify", "-attime", attime(testNow.Add(time.Hour)), "-purpose", "smimesign",
		"-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem")
	if err != nil || !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("openssl verify: %v\n%s", err, out)
	}
}

// Step (6): a certificate that changed between lint and signature is not
// issued.
func TestSign_TBSMismatchIsDetected(t *testing.T) {
	h, _ := testHierarchies(t)
	store := newFakeStore()
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	s.signCert = func(tmpl, parent *x509.Certificate, pub, priv any) ([]byte, error) {
		changed := *tmpl
		changed.NotAfter = changed.NotAfter.Add(24 * time.Hour)
		return x509.CreateCertificate(rand.Reader, &changed, parent, pub, priv)
	}
	leafKey, _ := leafKeys(t)
	issued, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
	if issued != nil {
		t.Fatal("a certificate was returned")
	}
	wantType(t, err, errs.Internal)
	wantDetail(t, err, "differs from the linted one")
	if _, saved := store.counts(); saved != 1 {
		t.Errorf("%d lint certificates saved; the record of intent must be there", saved)
	}
}

func TestSign_DuplicateSerialRetries(t *testing.T) {
	h, _ := testHierarchies(t)
	store := newFakeStore()
	store.conflicts = 2
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	leafKey, _ := leafKeys(t)
	issued, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if len(store.order) != 3 {
		t.Fatalf("%d reservation attempts, want 3", len(store.order))
	}
	if store.order[2].Cmp(issued.Certificate.SerialNumber) != 0 {
		t.Error("the certificate does not use the serial that was reserved")
	}
	for _, refused := range store.order[:2] {
		if refused.Cmp(issued.Certificate.SerialNumber) == 0 {
			t.Error("a refused serial was used")
		}
	}
}

func TestSign_SerialConflictsGiveUp(t *testing.T) {
	h, _ := testHierarchies(t)
	store := newFakeStore()
	store.conflicts = 100
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	signed := 0
	s.signCert = func(*x509.Certificate, *x509.Certificate, any, any) ([]byte, error) {
		signed++
		return nil, errors.New("must not be called")
	}
	leafKey, _ := leafKeys(t)
	_, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
	wantType(t, err, errs.Internal)
	if n, saved := store.counts(); n != maxSerialAttempts || saved != 0 || signed != 0 {
		t.Errorf("reservations %d, lint certificates %d, signatures %d", n, saved, signed)
	}
}

// Step (3): a lint error stops issuance before anything is stored or signed
// by the issuing key. A 70-character common name passes the profile checks
// but breaks RFC 5280's upper bound (zlint e_subject_common_name_max_length).
func TestSign_LintFailureSignsNothing(t *testing.T) {
	h, _ := testHierarchies(t)
	store := newFakeStore()
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	signed := 0
	s.signCert = func(*x509.Certificate, *x509.Certificate, any, any) ([]byte, error) {
		signed++
		return nil, errors.New("must not be called")
	}
	leafKey, _ := leafKeys(t)
	req := testSignRequest(t, leafKey)
	req.Subject.CommonName = strings.Repeat("MARÍA GUADALUPE ", 5)[:70]
	issued, err := s.Sign(context.Background(), req)
	if issued != nil {
		t.Fatal("a certificate was returned")
	}
	wantType(t, err, errs.LintFailed)
	wantDetail(t, err, "e_subject_common_name_max_length")
	reservations, saved := store.counts()
	if reservations != 1 || saved != 0 || signed != 0 {
		t.Errorf("reservations %d, lint certificates saved %d, real signatures %d; want 1, 0, 0", reservations, saved, signed)
	}
}

func TestSign_StoreFailures(t *testing.T) {
	h, _ := testHierarchies(t)
	leafKey, _ := leafKeys(t)

	store := newFakeStore()
	store.reserveErr = errors.New("connection refused")
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	_, err := s.Sign(context.Background(), testSignRequest(t, leafKey))
	wantType(t, err, errs.Unavailable)

	store = newFakeStore()
	store.saveErr = errs.New(errs.Unavailable, "database is down")
	s = newTestSigner(t, h, store, clock.NewFake(testNow))
	signed := 0
	s.signCert = func(*x509.Certificate, *x509.Certificate, any, any) ([]byte, error) {
		signed++
		return nil, errors.New("must not be called")
	}
	_, err = s.Sign(context.Background(), testSignRequest(t, leafKey))
	wantType(t, err, errs.Unavailable)
	if signed != 0 {
		t.Error("signed although the lint certificate was not stored")
	}
}

func TestSign_Refusals(t *testing.T) {
	h, _ := testHierarchies(t)
	leafKey, _ := leafKeys(t)
	tests := []struct {
		name   string
		now    time.Time
		modify func(*ca.SignRequest)
		want   errs.Type
	}{
		{"no CSR", testNow, func(r *ca.SignRequest) { r.CSR = nil }, errs.Malformed},
		{"outlives the issuing CA", testNow, func(r *ca.SignRequest) {
			r.NotBefore = h.Issuing.NotAfter.Add(-700 * 24 * time.Hour)
			r.NotAfter = h.Issuing.NotAfter.Add(time.Hour)
		}, errs.Malformed},
		{"before the issuing CA", testNow, func(r *ca.SignRequest) { r.NotBefore = h.Issuing.NotBefore.Add(-time.Hour) }, errs.Malformed},
		{"issuing CA expired", h.Issuing.NotAfter.Add(time.Second), func(*ca.SignRequest) {}, errs.Unavailable},
		{"profile error", testNow, func(r *ca.SignRequest) { r.Emails = nil }, errs.Malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			s := newTestSigner(t, h, store, clock.NewFake(tt.now))
			req := testSignRequest(t, leafKey)
			tt.modify(&req)
			issued, err := s.Sign(context.Background(), req)
			if issued != nil {
				t.Error("a certificate was returned")
			}
			wantType(t, err, tt.want)
			if _, saved := store.counts(); saved != 0 {
				t.Error("a lint certificate was saved")
			}
		})
	}
}

func TestSign_CancelledBeforeSigning(t *testing.T) {
	h, _ := testHierarchies(t)
	ctx, cancel := context.WithCancel(context.Background())
	store := &cancellingStore{fakeStore: newFakeStore(), cancel: cancel}
	s := newTestSigner(t, h, store, clock.NewFake(testNow))
	signed := 0
	s.signCert = func(*x509.Certificate, *x509.Certificate, any, any) ([]byte, error) {
		signed++
		return nil, errors.New("must not be called")
	}
	leafKey, _ := leafKeys(t)
	_, err := s.Sign(ctx, testSignRequest(t, leafKey))
	wantType(t, err, errs.Unavailable)
	if signed != 0 {
		t.Error("signed for a cancelled request")
	}
}

// cancellingStore cancels the request while the lint certificate is saved.
type cancellingStore struct {
	*fakeStore
	cancel context.CancelFunc
}

func (c *cancellingStore) SaveLintCertificate(ctx context.Context, issuerID string, serial *big.Int, der []byte) error {
	c.cancel()
	return c.fakeStore.SaveLintCertificate(ctx, issuerID, serial, der)
}

func TestNew_Refusals(t *testing.T) {
	hEC, hRSA := testHierarchies(t)
	store, clk := newFakeStore(), clock.NewFake(testNow)
	tls, tlsKey, err := hEC.IssueTLSServer(clk, []string{"sello.jalisco.gob.mx"}, nil, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tlsCert, _ := x509.ParseCertificate(tls)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no issuer", Config{Key: hEC.IssuingKey, Store: store, Clock: clk}, "no issuer certificate"},
		{"no key", Config{Issuer: hEC.Issuing, Store: store, Clock: clk}, "no issuer key"},
		{"no store", Config{Issuer: hEC.Issuing, Key: hEC.IssuingKey, Clock: clk}, "no serial store"},
		{"no clock", Config{Issuer: hEC.Issuing, Key: hEC.IssuingKey, Store: store}, "no clock"},
		{"key of another CA", Config{Issuer: hEC.Issuing, Key: hRSA.IssuingKey, Store: store, Clock: clk}, "does not match"},
		{"not a CA", Config{Issuer: tlsCert, Key: tlsKey, Store: store, Clock: clk}, "is not a CA certificate"},
		{"chain of another CA", Config{Issuer: hEC.Issuing, Key: hEC.IssuingKey, Chain: hRSA.Chain, Store: store, Clock: clk}, "does not start with the issuer"},
		{"chain out of order", Config{Issuer: hEC.Issuing, Key: hEC.IssuingKey, Chain: []*x509.Certificate{hEC.Issuing, hRSA.Root}, Store: store, Clock: clk}, "is not issued by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if s != nil {
				t.Error("a signer was returned")
			}
			wantType(t, err, errs.BadConfig)
			wantDetail(t, err, tt.want)
		})
	}
}

func TestSignCRL(t *testing.T) {
	h, _ := testHierarchies(t)
	s := newTestSigner(t, h, newFakeStore(), clock.NewFake(testNow))
	der, err := s.SignCRL(context.Background(), &x509.RevocationList{
		Number:     big.NewInt(testNow.UnixNano()),
		ThisUpdate: testNow,
		NextUpdate: testNow.Add(7 * 24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(0x5e110), RevocationTime: testNow.Add(-time.Hour), ReasonCode: 6}, // certificateHold
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(h.Issuing); err != nil {
		t.Fatalf("CRL signature: %v", err)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].ReasonCode != 6 ||
		!bytes.Equal(crl.AuthorityKeyId, h.Issuing.SubjectKeyId) || crl.SignatureAlgorithm != x509.ECDSAWithSHA384 {
		t.Errorf("CRL %+v", crl)
	}
	dir := t.TempDir()
	writePEM(t, dir, "chain.pem", "CERTIFICATE", h.Issuing.Raw, h.Root.Raw)
	if err := os.WriteFile(filepath.Join(dir, "crl.der"), der, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := openssl(t, dir, "crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "chain.pem", "-noout"); err != nil || !strings.Contains(out, "verify OK") {
		t.Fatalf("openssl crl: %v\n%s", err, out)
	}

	_, err = s.SignCRL(context.Background(), nil)
	wantType(t, err, errs.Malformed)
	_, err = s.SignCRL(context.Background(), &x509.RevocationList{ThisUpdate: testNow, NextUpdate: testNow.Add(time.Hour)}) // no number
	wantType(t, err, errs.Malformed)
}

func TestSignOCSP(t *testing.T) {
	h, _ := testHierarchies(t)
	s := newTestSigner(t, h, newFakeStore(), clock.NewFake(testNow))
	issuer, err := s.OCSPIssuer(context.Background())
	if err != nil || !issuer.Equal(h.Issuing) {
		t.Fatalf("OCSPIssuer: %v", err)
	}
	serial := big.NewInt(0x5e110)
	for _, tt := range []ca.OCSPTemplate{
		{Serial: serial, Status: ocsp.Good, ThisUpdate: testNow, NextUpdate: testNow.Add(24 * time.Hour)},
		{Serial: serial, Status: ocsp.Revoked, RevokedAt: testNow.Add(-time.Hour), RevocationReason: ocsp.CertificateHold, ThisUpdate: testNow, NextUpdate: testNow.Add(24 * time.Hour)},
		{Serial: serial, Status: ocsp.Unknown, ThisUpdate: testNow, NextUpdate: testNow.Add(24 * time.Hour)},
	} {
		der, err := s.SignOCSP(context.Background(), tt)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := ocsp.ParseResponse(der, h.Issuing) // checks the signature
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != tt.Status || resp.SerialNumber.Cmp(serial) != 0 || !resp.ThisUpdate.Equal(testNow) ||
			!resp.NextUpdate.Equal(tt.NextUpdate) || resp.Certificate != nil {
			t.Errorf("response %+v", resp)
		}
		if tt.Status == ocsp.Revoked && (resp.RevocationReason != ocsp.CertificateHold || !resp.RevokedAt.Equal(tt.RevokedAt)) {
			t.Errorf("revocation %d at %s", resp.RevocationReason, resp.RevokedAt)
		}
	}
	for _, bad := range []ca.OCSPTemplate{
		{Status: ocsp.Good, ThisUpdate: testNow},
		{Serial: serial, Status: 7, ThisUpdate: testNow},
		{Serial: serial, Status: ocsp.Revoked, ThisUpdate: testNow},
		{Serial: serial, Status: ocsp.Good},
		{Serial: serial, Status: ocsp.Good, ThisUpdate: testNow, NextUpdate: testNow.Add(-time.Hour)},
	} {
		_, err := s.SignOCSP(context.Background(), bad)
		wantType(t, err, errs.Malformed)
	}
}

func TestRevokeAndChain(t *testing.T) {
	h, _ := testHierarchies(t)
	s := newTestSigner(t, h, newFakeStore(), clock.NewFake(testNow))
	if err := s.Revoke(context.Background(), ca.RevokeRequest{Serial: big.NewInt(1), Reason: 1, RevokedAt: testNow}); err != nil {
		t.Errorf("Revoke: %v", err)
	}
	chain, err := s.Chain(context.Background())
	if err != nil || len(chain) != 2 || !chain[0].Equal(h.Issuing) || !chain[1].Equal(h.Root) {
		t.Fatalf("chain %v %v", chain, err)
	}
	chain[0] = nil // the caller's copy
	if again, _ := s.Chain(context.Background()); again[0] == nil {
		t.Error("Chain returned the signer's own slice")
	}
}
