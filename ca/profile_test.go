package ca

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/sello-pki/sello/internal/errs"
)

// parsedPolicy is one PolicyInformation read back from a certificate.
type parsedPolicy struct {
	oid        string
	cps        string
	noticeTag  cbasn1.Tag
	noticeText string
}

func readPolicies(t *testing.T, cert *x509.Certificate) []parsedPolicy {
	t.Helper()
	var value []byte
	for _, e := range cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 32}) {
			if e.Critical {
				t.Error("certificatePolicies is critical")
			}
			value = e.Value
		}
	}
	if value == nil {
		t.Fatal("no certificatePolicies extension")
	}
	s := cryptobyte.String(value)
	var list cryptobyte.String
	if !s.ReadASN1(&list, cbasn1.SEQUENCE) || !s.Empty() {
		t.Fatal("bad certificatePolicies")
	}
	var out []parsedPolicy
	for !list.Empty() {
		var info, oidDER cryptobyte.String
		if !list.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1(&oidDER, cbasn1.OBJECT_IDENTIFIER) {
			t.Fatal("bad PolicyInformation")
		}
		var oid x509.OID
		if err := oid.UnmarshalBinary(oidDER); err != nil {
			t.Fatal(err)
		}
		p := parsedPolicy{oid: oid.String()}
		var quals cryptobyte.String
		if info.ReadASN1(&quals, cbasn1.SEQUENCE) {
			for !quals.Empty() {
				var q cryptobyte.String
				var id asn1.ObjectIdentifier
				if !quals.ReadASN1(&q, cbasn1.SEQUENCE) || !q.ReadASN1ObjectIdentifier(&id) {
					t.Fatal("bad PolicyQualifierInfo")
				}
				switch id.String() {
				case "1.3.6.1.5.5.7.2.1":
					var uri cryptobyte.String
					if !q.ReadASN1(&uri, cbasn1.IA5String) {
						t.Fatal("CPS is not an IA5String")
					}
					p.cps = string(uri)
				case "1.3.6.1.5.5.7.2.2":
					var notice, text cryptobyte.String
					var tag cbasn1.Tag
					if !q.ReadASN1(&notice, cbasn1.SEQUENCE) || !notice.ReadAnyASN1(&text, &tag) {
						t.Fatal("bad UserNotice")
					}
					p.noticeTag, p.noticeText = tag, string(text)
				default:
					t.Fatalf("unexpected qualifier %s", id)
				}
			}
		}
		out = append(out, p)
	}
	return out
}

func buildAndSign(t *testing.T, req SignRequest) *x509.Certificate {
	t.Helper()
	tmpl, err := BuildTemplate(req)
	if err != nil {
		t.Fatalf("BuildTemplate: %v", err)
	}
	der := newTestIssuer(t).sign(t, tmpl, req.CSR.PublicKey)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestBuildTemplate_DefaultProfile(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	// The applicant wrote another identity and another e-mail in the CSR.
	req.CSR = mustCSR(t, p256, pkix.Name{CommonName: "Alguien Más", Organization: []string{"Otra Dependencia"}, SerialNumber: "PNOMX-XXXX000000HDFXXX00"}, "otro@example.com")
	cert := buildAndSign(t, req)

	// RULES P1: the subject is exactly the verified one, attribute by attribute.
	want, err := asn1.Marshal(SubjectName(testSubject()).ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cert.RawSubject, want) {
		t.Errorf("subject %q is not the verified subject", cert.Subject)
	}
	if cert.Subject.CommonName != "MARÍA GUADALUPE LÓPEZ HERNÁNDEZ" || cert.Subject.SerialNumber != "PNOMX-LOHM800101MJCPRR06" ||
		!slices.Equal(cert.Subject.Organization, []string{"Gobierno del Estado de Jalisco"}) ||
		!slices.Equal(cert.Subject.Locality, []string{"Guadalajara"}) || !slices.Equal(cert.Subject.Province, []string{"Jalisco"}) ||
		!slices.Equal(cert.Subject.Country, []string{"MX"}) {
		t.Errorf("subject %+v", cert.Subject)
	}
	attrs := map[string]string{}
	for _, atv := range cert.Subject.Names {
		if s, ok := atv.Value.(string); ok {
			attrs[atv.Type.String()] = s
		}
	}
	for oid, v := range map[string]string{
		"2.5.4.12": "Directora de Área", "2.5.4.97": "GOVMX+JAL", "2.5.4.42": "MARÍA GUADALUPE", "2.5.4.4": "LÓPEZ HERNÁNDEZ",
	} {
		if attrs[oid] != v {
			t.Errorf("attribute %s = %q, want %q", oid, attrs[oid], v)
		}
	}
	if strings.Contains(cert.Subject.String(), "Alguien") || strings.Contains(cert.Subject.String(), "Otra") {
		t.Error("the CSR's subject reached the certificate")
	}
	if !slices.Equal(cert.EmailAddresses, []string{testEmail}) || len(cert.DNSNames)+len(cert.IPAddresses)+len(cert.URIs) != 0 {
		t.Errorf("SANs: %v %v %v %v", cert.EmailAddresses, cert.DNSNames, cert.IPAddresses, cert.URIs)
	}

	if cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("key usage %b", cert.KeyUsage)
	}
	for _, e := range cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 15}) && !e.Critical {
			t.Error("keyUsage is not critical")
		}
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}) || len(cert.UnknownExtKeyUsage) != 0 {
		t.Errorf("EKU %v %v", cert.ExtKeyUsage, cert.UnknownExtKeyUsage)
	}
	if !cert.BasicConstraintsValid || cert.IsCA {
		t.Error("not CA:false")
	}
	if !cert.NotBefore.Equal(req.NotBefore) || !cert.NotAfter.Equal(req.NotAfter) {
		t.Errorf("validity %s..%s", cert.NotBefore, cert.NotAfter)
	}
	if !slices.Equal(cert.OCSPServer, req.Profile.OCSPURLs) || !slices.Equal(cert.IssuingCertificateURL, req.Profile.IssuingCertificateURL) ||
		!slices.Equal(cert.CRLDistributionPoints, req.Profile.CRLURLs) {
		t.Errorf("AIA %v %v CRL %v", cert.OCSPServer, cert.IssuingCertificateURL, cert.CRLDistributionPoints)
	}
	if len(cert.SubjectKeyId) != 20 || !bytes.Equal(cert.AuthorityKeyId, newTestIssuer(t).cert.SubjectKeyId) {
		t.Errorf("SKID %x AKID %x", cert.SubjectKeyId, cert.AuthorityKeyId)
	}

	pols := readPolicies(t, cert)
	if len(pols) != 1 {
		t.Fatalf("%d policies", len(pols))
	}
	p := pols[0]
	if p.oid != testPolicyOID || p.cps != "http://pki.jalisco.gob.mx/cps" {
		t.Errorf("policy %+v", p)
	}
	if p.noticeTag != cbasn1.UTF8String || p.noticeText != testUserNotice {
		t.Errorf("user notice tag %d text %q", p.noticeTag, p.noticeText)
	}
}

func TestBuildTemplate_DocumentSigning(t *testing.T) {
	_, _, rsa2048 := testKeys(t)
	req := testRequest(t, rsa2048)
	req.Profile.DocumentSigning = true
	cert := buildAndSign(t, req)
	if len(cert.UnknownExtKeyUsage) != 1 || !cert.UnknownExtKeyUsage[0].Equal(OIDDocumentSigning) {
		t.Errorf("unknown EKU %v", cert.UnknownExtKeyUsage)
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}) {
		t.Errorf("EKU %v", cert.ExtKeyUsage)
	}
}

func TestBuildTemplate_NoCPSNoNotice(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	req.Profile.CPSURI, req.Profile.UserNotice = "", ""
	pols := readPolicies(t, buildAndSign(t, req))
	if len(pols) != 1 || pols[0].oid != testPolicyOID || pols[0].cps != "" || pols[0].noticeText != "" {
		t.Errorf("policies %+v", pols)
	}
}

func TestBuildTemplate_Refusals(t *testing.T) {
	p256, _, _ := testKeys(t)
	tests := []struct {
		name   string
		modify func(*SignRequest)
		want   errs.Type
		detail string
	}{
		{"no CSR", func(r *SignRequest) { r.CSR = nil }, errs.Malformed, "no certificate request"},
		{"empty common name", func(r *SignRequest) { r.Subject.CommonName = " " }, errs.Malformed, "common name is empty"},
		{"no e-mail", func(r *SignRequest) { r.Emails = nil }, errs.Malformed, "no e-mail address"},
		{"malformed e-mail", func(r *SignRequest) { r.Emails = []string{"maria.lopez"} }, errs.Malformed, "not a valid mailbox"},
		{"e-mail with display name", func(r *SignRequest) { r.Emails = []string{"María <maria@jalisco.gob.mx>"} }, errs.Malformed, "ASCII"},
		{"non-ASCII e-mail", func(r *SignRequest) { r.Emails = []string{"maría@jalisco.gob.mx"} }, errs.Malformed, "ASCII"},
		{"e-mail without domain dot", func(r *SignRequest) { r.Emails = []string{"maria@localhost"} }, errs.Malformed, "fully qualified"},
		{"serialNumber not PrintableString", func(r *SignRequest) { r.Subject.SerialNumber = "TINMX-Ñ&A800101AB1" }, errs.Malformed, "outside PrintableString"},
		{"bad country", func(r *SignRequest) { r.Subject.Country = "Mexico" }, errs.Malformed, "two-letter"},
		{"notAfter equals notBefore", func(r *SignRequest) { r.NotAfter = r.NotBefore }, errs.Malformed, "is not after notBefore"},
		{"notAfter before notBefore", func(r *SignRequest) { r.NotAfter = r.NotBefore.Add(-time.Hour) }, errs.Malformed, "is not after notBefore"},
		{"no validity", func(r *SignRequest) { r.NotBefore = time.Time{} }, errs.Malformed, "validity is not set"},
		{"validity over 825 days", func(r *SignRequest) { r.NotAfter = r.NotBefore.Add(826 * 24 * time.Hour) }, errs.Malformed, "exceeds the maximum of 825 days"},
		{"no policy OID", func(r *SignRequest) { r.Profile.PolicyOID = "" }, errs.BadConfig, "no policy OID"},
		{"bad policy OID", func(r *SignRequest) { r.Profile.PolicyOID = "2.25.x" }, errs.BadConfig, "not a dotted object identifier"},
		{"notice of 201 characters", func(r *SignRequest) { r.Profile.UserNotice = strings.Repeat("á", 201) }, errs.BadConfig, "201 characters, more than the 200 allowed"},
		{"notice with control character", func(r *SignRequest) { r.Profile.UserNotice = "Uso\nlimitado" }, errs.BadConfig, "control characters"},
		{"notice not UTF-8", func(r *SignRequest) { r.Profile.UserNotice = "Uso \xff" }, errs.BadConfig, "not valid UTF-8"},
		{"relative CPS URI", func(r *SignRequest) { r.Profile.CPSURI = "/cps" }, errs.BadConfig, "not an absolute http(s) URL"},
		{"ldap OCSP URL", func(r *SignRequest) { r.Profile.OCSPURLs = []string{"ldap://x"} }, errs.BadConfig, "not an absolute http(s) URL"},
		{"non-ASCII CRL URL", func(r *SignRequest) { r.Profile.CRLURLs = []string{"http://pki.jalisco.gob.mx/año.crl"} }, errs.BadConfig, "ASCII"},
		{"template uses the CSR subject", func(r *SignRequest) {
			r.Profile.Template = `{"subject": {{ toJson .Insecure.CR.Subject }}, "emailAddresses": {{ toJson .EmailAddresses }},
				"keyUsage": ["digitalSignature"], "extKeyUsage": ["emailProtection"], "basicConstraints": {"isCA": false}}`
		}, errs.BadConfig, "renders a subject other than the verified one"},
		{"template adds the CSR's names", func(r *SignRequest) {
			r.Profile.Template = `{"subject": {{ toJson .Subject }}, "emailAddresses": {{ toJson .Insecure.CR.EmailAddresses }},
				"keyUsage": ["digitalSignature"], "extKeyUsage": ["emailProtection"], "basicConstraints": {"isCA": false}}`
		}, errs.BadConfig, "subject alternative names other than the verified e-mail addresses"},
		{"template makes a CA", func(r *SignRequest) {
			r.Profile.Template = `{"subject": {{ toJson .Subject }}, "emailAddresses": {{ toJson .EmailAddresses }},
				"keyUsage": ["certSign"], "extKeyUsage": ["emailProtection"], "basicConstraints": {"isCA": true}}`
		}, errs.BadConfig, "renders a CA certificate"},
		{"template writes a raw SAN", func(r *SignRequest) {
			r.Profile.Template = `{"subject": {{ toJson .Subject }}, "emailAddresses": {{ toJson .EmailAddresses }},
				"keyUsage": ["digitalSignature"], "extKeyUsage": ["emailProtection"], "basicConstraints": {"isCA": false},
				"extensions": [{"id": "2.5.29.17", "value": "MAA="}]}`
		}, errs.BadConfig, "writes extension 2.5.29.17"},
		{"template without basicConstraints", func(r *SignRequest) {
			r.Profile.Template = `{"subject": {{ toJson .Subject }}, "emailAddresses": {{ toJson .EmailAddresses }},
				"keyUsage": ["digitalSignature"], "extKeyUsage": ["emailProtection"]}`
		}, errs.BadConfig, "no basicConstraints"},
		{"template that does not parse", func(r *SignRequest) { r.Profile.Template = `{"subject": {{ .Nope }` }, errs.BadConfig, "cannot be rendered"},
		{"template that fails", func(r *SignRequest) { r.Profile.Template = `{{ fail "cargo no autorizado" }}` }, errs.PolicyRefused, "cargo no autorizado"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := testRequest(t, p256)
			tt.modify(&req)
			cert, err := BuildTemplate(req)
			if cert != nil {
				t.Error("a template with an error")
			}
			wantType(t, err, tt.want)
			var e *errs.Error
			if !errors.As(err, &e) || !strings.Contains(e.Detail, tt.detail) {
				t.Fatalf("detail %q does not contain %q", e.Detail, tt.detail)
			}
		})
	}
}

func TestBuildTemplate_NoticeOf200CharactersIsAccepted(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	req.Profile.UserNotice = strings.Repeat("ñ", 200) // 400 bytes, 200 characters
	pols := readPolicies(t, buildAndSign(t, req))
	if pols[0].noticeText != req.Profile.UserNotice {
		t.Error("notice changed")
	}
}

func TestBuildTemplate_BadCSRSignature(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	bad := *req.CSR
	bad.Signature = bytes.Clone(bad.Signature)
	bad.Signature[len(bad.Signature)-1] ^= 1
	req.CSR = &bad
	_, err := BuildTemplate(req)
	wantType(t, err, errs.BadCSR)
}

// A policy template may change what the template owns (here: no clientAuth,
// and an extra extension), but whatever it says about validity, policies,
// AIA, CRL or key identifiers is replaced by Go code.
func TestBuildTemplate_PolicyTemplateCannotOverrideGoOwnedFields(t *testing.T) {
	p256, _, _ := testKeys(t)
	req := testRequest(t, p256)
	req.Profile.Template = `{
		"subject": {{ toJson .Subject }},
		"emailAddresses": {{ toJson .EmailAddresses }},
		"keyUsage": {{ toJson .KeyUsage }},
		"extKeyUsage": ["emailProtection"],
		"basicConstraints": {"isCA": false},
		"notBefore": "2000-01-01T00:00:00Z",
		"notAfter": "2099-01-01T00:00:00Z",
		"serialNumber": 1,
		"ocspServer": ["http://evil.example/ocsp"],
		"crlDistributionPoints": ["http://evil.example/crl"],
		"policyIdentifiers": ["2.23.140.1.5.3.2"],
		"subjectKeyId": "AQID",
		"extensions": [
			{"id": "2.5.29.32", "value": "MAA="},
			{"id": "1.3.6.1.4.1.99999.1", "value": "BQA="}
		]
	}`
	cert := buildAndSign(t, req)
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}) {
		t.Errorf("EKU %v", cert.ExtKeyUsage)
	}
	if !cert.NotBefore.Equal(req.NotBefore) || !cert.NotAfter.Equal(req.NotAfter) {
		t.Errorf("validity %s..%s", cert.NotBefore, cert.NotAfter)
	}
	if !slices.Equal(cert.OCSPServer, req.Profile.OCSPURLs) || !slices.Equal(cert.CRLDistributionPoints, req.Profile.CRLURLs) {
		t.Errorf("AIA/CRL %v %v", cert.OCSPServer, cert.CRLDistributionPoints)
	}
	if pols := readPolicies(t, cert); len(pols) != 1 || pols[0].oid != testPolicyOID {
		t.Errorf("policies %+v", pols)
	}
	if bytes.Equal(cert.SubjectKeyId, []byte{1, 2, 3}) {
		t.Error("template set the SKID")
	}
	found := false
	for _, e := range cert.Extensions {
		found = found || e.Id.String() == "1.3.6.1.4.1.99999.1"
	}
	if !found {
		t.Error("the policy's own extension is missing")
	}
}
