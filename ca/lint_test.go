package ca

import (
	"bytes"
	"crypto"
	"errors"
	"slices"
	"strings"
	"testing"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"

	"github.com/sello-pki/sello/internal/errs"
)

// The acceptance criterion of the profile: its output passes zlint with no
// error and no warning, for every key type Sello accepts.
func TestLint_DefaultProfileHasNoErrorOrWarning(t *testing.T) {
	p256, p384, rsa2048 := testKeys(t)
	is := newTestIssuer(t)
	for _, key := range []struct {
		name string
		key  crypto.Signer
	}{{"P-256", p256}, {"P-384", p384}, {"RSA-2048", rsa2048}} {
		for _, docSigning := range []bool{false, true} {
			for _, qualifiers := range []bool{false, true} {
				req := testRequest(t, key.key)
				req.Profile.DocumentSigning = docSigning
				if !qualifiers {
					req.Profile.CPSURI, req.Profile.UserNotice = "", ""
				}
				tmpl, err := BuildTemplate(req)
				if err != nil {
					t.Fatal(err)
				}
				warnings, err := Lint(is.sign(t, tmpl, req.CSR.PublicKey))
				if err != nil || len(warnings) != 0 {
					t.Errorf("%s documentSigning=%v qualifiers=%v: err=%v warnings=%v", key.name, docSigning, qualifiers, err, warnings)
				}
			}
		}
	}
}

func TestLint_ErrorRefuses(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	tmpl, err := BuildTemplate(req)
	if err != nil {
		t.Fatal(err)
	}
	// Go's x509 writes any IA5String as an rfc822Name; RFC 5280 forbids
	// the angle brackets.
	tmpl.EmailAddresses = []string{"<maria.lopez@jalisco.gob.mx>"}
	_, err = Lint(newTestIssuer(t).sign(t, tmpl, req.CSR.PublicKey))
	wantType(t, err, errs.LintFailed)
	var e *errs.Error
	if !errors.As(err, &e) || !strings.Contains(e.Detail, "e_ext_san_rfc822_format_invalid") {
		t.Fatalf("detail %q does not name the failing lint", e.Detail)
	}
}

func TestLint_WarningsAreReturned(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	tmpl, err := BuildTemplate(req)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SubjectKeyId = nil // a leaf without SKID is a warning (RFC 5280 SHOULD)
	warnings, err := Lint(newTestIssuer(t).sign(t, tmpl, req.CSR.PublicKey))
	if err != nil {
		t.Fatalf("a warning-only certificate failed: %v", err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "w_ext_subject_key_identifier_missing_sub_cert: ") {
		t.Fatalf("warnings %q", warnings)
	}
}

// Each skipped lint must really fire on the default profile (otherwise it
// should leave the list), and nothing else may be skipped silently.
func TestLint_SkipListIsNeeded(t *testing.T) {
	if len(skippedLints) != 2 || skippedLints[0] != "e_exactly_one_smime_policy" || skippedLints[1] != "e_cert_issued_by_compromised_emudhra_ca" {
		t.Fatalf("skip list changed: %v; document each entry in lint.go and in this test", skippedLints)
	}
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	tmpl, err := BuildTemplate(req)
	if err != nil {
		t.Fatal(err)
	}
	lintable, err := lintableDER(newTestIssuer(t).sign(t, tmpl, req.CSR.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	c, err := zx509.ParseCertificate(lintable)
	if err != nil {
		t.Fatal(err)
	}
	rs := zlint.LintCertificate(c)
	// The S/MIME policy lint fires and is wrong for these profiles; the
	// eMudhra lint passes (and always will for a throwaway-signed lint
	// certificate), it is skipped only for its cost.
	if r := rs.Results["e_exactly_one_smime_policy"]; r == nil || r.Status != lint.Error {
		t.Errorf("e_exactly_one_smime_policy no longer fires (%v): remove it from skippedLints", r)
	}
	if r := rs.Results["e_cert_issued_by_compromised_emudhra_ca"]; r == nil || r.Status != lint.Pass {
		t.Errorf("e_cert_issued_by_compromised_emudhra_ca: %v", r)
	}
	for name, r := range rs.Results {
		if (r.Status == lint.Error || r.Status == lint.Warn || r.Status == lint.Fatal) && !slices.Contains(skippedLints, name) {
			t.Errorf("unskipped finding %s: %s", name, r.Status)
		}
	}
}

func TestLint_Garbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("not a certificate"), {0x30, 0x03, 0x02, 0x01, 0x01}} {
		_, err := Lint(in)
		wantType(t, err, errs.LintFailed)
	}
}

// zcrypto cannot parse a 2.25.<uuid> policy OID; Lint lints a copy in which
// only that arc changes.
func TestLintableDER_ClampsOnlyLargePolicyArcs(t *testing.T) {
	is := newTestIssuer(t)
	same, err := lintableDER(is.cert.Raw)
	if err != nil || !bytes.Equal(same, is.cert.Raw) {
		t.Fatalf("a certificate without large arcs changed (err %v)", err)
	}
	if _, err := zx509.ParseCertificate(is.cert.Raw); err != nil {
		t.Fatal(err)
	}

	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	tmpl, err := BuildTemplate(req)
	if err != nil {
		t.Fatal(err)
	}
	der := is.sign(t, tmpl, req.CSR.PublicKey)
	if _, err := zx509.ParseCertificate(der); err == nil {
		t.Fatal("zcrypto now parses 2.25.<uuid> OIDs: lintableDER can go")
	}
	lintable, err := lintableDER(der)
	if err != nil {
		t.Fatal(err)
	}
	zc, err := zx509.ParseCertificate(lintable)
	if err != nil {
		t.Fatal(err)
	}
	if len(zc.PolicyIdentifiers) != 1 || zc.PolicyIdentifiers[0].String() != "2.25.2147483647.1.1" {
		t.Errorf("policies %v", zc.PolicyIdentifiers)
	}
	if len(zc.ParsedExplicitTexts) != 1 || len(zc.ParsedExplicitTexts[0]) != 1 || zc.ParsedExplicitTexts[0][0] != testUserNotice {
		t.Errorf("explicit text %q", zc.ParsedExplicitTexts)
	}
	if len(zc.CPSuri) != 1 || zc.CPSuri[0][0] != req.Profile.CPSURI {
		t.Errorf("CPS %q", zc.CPSuri)
	}
	if zc.Subject.CommonName != testSubject().CommonName || !bytes.Equal(zc.SubjectKeyId, tmpl.SubjectKeyId) {
		t.Error("other fields changed")
	}
}
