package ca

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.step.sm/crypto/x509util"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/sello-pki/sello/internal/errs"
)

// DefaultTemplate is the x509util template of the public-servant certificate.
// It reads only the data BuildTemplate passes (never .Insecure.CR):
//
//	.Subject             x509util.Subject built from the verified ca.Subject
//	.EmailAddresses      the verified e-mail addresses
//	.KeyUsage            digitalSignature, contentCommitment
//	.ExtKeyUsage         emailProtection, clientAuth
//	.UnknownExtKeyUsage  id-kp-documentSigning when Profile.DocumentSigning
//	.Profile             the profile name
//
// A policy's Profile.Template receives the same data. Validity, serial,
// certificate policies, AIA, CRL distribution points and key identifiers are
// set by Go code after rendering, whatever a template says.
const DefaultTemplate = `{
	"subject": {{ toJson .Subject }},
	"emailAddresses": {{ toJson .EmailAddresses }},
	"keyUsage": {{ toJson .KeyUsage }},
	"extKeyUsage": {{ toJson .ExtKeyUsage }},
{{- if .UnknownExtKeyUsage }}
	"unknownExtKeyUsage": {{ toJson .UnknownExtKeyUsage }},
{{- end }}
	"basicConstraints": {"isCA": false}
}`

// Template data keys (see DefaultTemplate).
const (
	TemplateKeySubject            = "Subject"
	TemplateKeyEmailAddresses     = "EmailAddresses"
	TemplateKeyKeyUsage           = "KeyUsage"
	TemplateKeyExtKeyUsage        = "ExtKeyUsage"
	TemplateKeyUnknownExtKeyUsage = "UnknownExtKeyUsage"
	TemplateKeyProfile            = "Profile"
)

// MaxValidity is the longest validity Sello signs (RULES F5: a
// sponsor-validated S/MIME certificate lives at most 825 days).
const MaxValidity = 825 * 24 * time.Hour

// MaxUserNoticeLength is the RFC 5280 §4.2.1.4 limit on explicitText, in
// characters.
const MaxUserNoticeLength = 200

// Object identifiers used by the profile.
var (
	OIDTitle                  = asn1.ObjectIdentifier{2, 5, 4, 12}
	OIDOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}
	OIDGivenName              = asn1.ObjectIdentifier{2, 5, 4, 42}
	OIDSurname                = asn1.ObjectIdentifier{2, 5, 4, 4}
	// OIDDocumentSigning is id-kp-documentSigning (RFC 9336).
	OIDDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

	oidCertificatePolicies = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidQualifierCPS        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}
	oidQualifierUserNotice = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 2}

	// Extensions that Go code owns: a template's value is dropped.
	ownedExtensions = []asn1.ObjectIdentifier{
		oidCertificatePolicies,
		{1, 3, 6, 1, 5, 5, 7, 1, 1}, // authorityInfoAccess
		{2, 5, 29, 31},              // cRLDistributionPoints
		{2, 5, 29, 14},              // subjectKeyIdentifier
		{2, 5, 29, 35},              // authorityKeyIdentifier
	}
	// Extensions a template may not write raw: they would bypass the checks
	// on names and CA status below.
	forbiddenExtensions = []asn1.ObjectIdentifier{
		{2, 5, 29, 17}, // subjectAltName
		{2, 5, 29, 19}, // basicConstraints
		{2, 5, 29, 30}, // nameConstraints
	}
)

// BuildTemplate renders the certificate for an approved request from verified
// data only: the profile's template (DefaultTemplate unless
// Profile.Template is set) gets the verified subject and e-mail addresses,
// never the CSR's. Go code then sets validity, certificate policies (policy
// OID, user notice, CPS), AIA, CRL distribution points and the subject key
// identifier, and checks that the rendered subject and SANs are exactly the
// verified ones and that the certificate is not a CA. The serial number and
// signature algorithm are left to the signer.
//
// Errors: errs.Malformed for bad request data, errs.BadConfig for a bad
// profile or template, errs.BadCSR if the CSR signature does not verify,
// errs.PolicyRefused when a template calls fail.
func BuildTemplate(req SignRequest) (*x509.Certificate, error) {
	if req.CSR == nil {
		return nil, errs.New(errs.Malformed, "no certificate request")
	}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	policies, err := certificatePoliciesExtension(req.Profile)
	if err != nil {
		return nil, err
	}
	if err := checkURLs(req.Profile); err != nil {
		return nil, err
	}

	data := templateData(req)
	text := DefaultTemplate
	if strings.TrimSpace(req.Profile.Template) != "" {
		text = req.Profile.Template
	}
	rendered, err := x509util.NewCertificate(req.CSR, x509util.WithTemplate(text, data))
	if err != nil {
		var terr *x509util.TemplateError
		switch {
		case errors.As(err, &terr):
			return nil, errs.Wrap(errs.PolicyRefused, err, "profile %q refuses the request: %s", req.Profile.Name, terr.Message)
		case req.CSR.CheckSignature() != nil:
			return nil, errs.Wrap(errs.BadCSR, err, "signature does not verify")
		default:
			return nil, errs.Wrap(errs.BadConfig, err, "certificate template of profile %q cannot be rendered", req.Profile.Name)
		}
	}
	cert := rendered.GetCertificate()

	if err := checkRendered(cert, req); err != nil {
		return nil, err
	}

	// What follows is owned by Go code, whatever the template said.
	cert.NotBefore = req.NotBefore.UTC()
	cert.NotAfter = req.NotAfter.UTC()
	cert.SerialNumber = nil
	cert.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
	cert.PolicyIdentifiers = nil
	cert.Policies = nil
	cert.OCSPServer = slices.Clone(req.Profile.OCSPURLs)
	cert.IssuingCertificateURL = slices.Clone(req.Profile.IssuingCertificateURL)
	cert.CRLDistributionPoints = slices.Clone(req.Profile.CRLURLs)
	cert.AuthorityKeyId = nil
	skid, err := SubjectKeyID(req.CSR.PublicKey)
	if err != nil {
		return nil, errs.Wrap(errs.BadCSR, err, "cannot read the public key of the certificate request")
	}
	cert.SubjectKeyId = skid
	cert.ExtraExtensions = slices.DeleteFunc(cert.ExtraExtensions, func(e pkix.Extension) bool {
		return containsOID(ownedExtensions, e.Id)
	})
	cert.ExtraExtensions = append(cert.ExtraExtensions, policies)
	return cert, nil
}

func checkRequest(req SignRequest) error {
	if strings.TrimSpace(req.Subject.CommonName) == "" {
		return errs.New(errs.Malformed, "subject common name is empty")
	}
	if len(req.Emails) == 0 {
		return errs.New(errs.Malformed, "no e-mail address: the certificate needs at least one")
	}
	for _, e := range req.Emails {
		if err := checkEmail(e); err != nil {
			return err
		}
	}
	// X.520 and zlint (e_subject_dn_serial_number_not_printable_string)
	// want serialNumber as a PrintableString: an RFC with "&" or "Ñ" must be
	// transliterated by the RA, not silently encoded as UTF8String.
	if sn := req.Subject.SerialNumber; sn != "" && !isPrintableString(sn) {
		return errs.New(errs.Malformed, "subject serialNumber %q has characters outside PrintableString (A-Z a-z 0-9 space ' ( ) + , - . / : = ?)", sn)
	}
	if c := req.Subject.Country; c != "" && !isCountryCode(c) {
		return errs.New(errs.Malformed, "country %q is not a two-letter ISO 3166 code", c)
	}
	if req.NotBefore.IsZero() || req.NotAfter.IsZero() {
		return errs.New(errs.Malformed, "validity is not set")
	}
	if !req.NotAfter.After(req.NotBefore) {
		return errs.New(errs.Malformed, "notAfter %s is not after notBefore %s",
			req.NotAfter.UTC().Format(time.RFC3339), req.NotBefore.UTC().Format(time.RFC3339))
	}
	// RFC 5280 counts both ends of the validity period.
	if d := req.NotAfter.Sub(req.NotBefore) + time.Second; d > MaxValidity {
		return errs.New(errs.Malformed, "validity of %.1f days exceeds the maximum of %d days",
			d.Hours()/24, int(MaxValidity.Hours()/24))
	}
	return nil
}

// checkEmail accepts a plain ASCII addr-spec: an rfc822Name is an IA5String,
// and internationalised mailboxes (SmtpUTF8Mailbox) are not supported.
func checkEmail(e string) error {
	if e == "" {
		return errs.New(errs.Malformed, "empty e-mail address")
	}
	for i := 0; i < len(e); i++ {
		if e[i] >= utf8.RuneSelf || e[i] <= ' ' {
			return errs.New(errs.Malformed, "e-mail address %q must be ASCII without spaces", e)
		}
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Name != "" || addr.Address != e {
		return errs.New(errs.Malformed, "e-mail address %q is not a valid mailbox", e)
	}
	at := strings.LastIndexByte(e, '@')
	if domain := e[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return errs.New(errs.Malformed, "e-mail address %q has no fully qualified domain", e)
	}
	return nil
}

func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func isPrintableString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(" '()+,-./:=?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// templateData is everything a profile template may use.
func templateData(req SignRequest) x509util.TemplateData {
	ku := []string{x509util.KeyUsageDigitalSignature, x509util.KeyUsageContentCommitment}
	eku := []string{x509util.ExtKeyUsageEmailProtection, x509util.ExtKeyUsageClientAuth}
	var unknownEKU []string
	if req.Profile.DocumentSigning {
		unknownEKU = append(unknownEKU, OIDDocumentSigning.String())
	}
	data := x509util.NewTemplateData()
	data.Set(TemplateKeySubject, subjectFor(req.Subject))
	data.Set(TemplateKeyEmailAddresses, slices.Clone(req.Emails))
	data.Set(TemplateKeyKeyUsage, ku)
	data.Set(TemplateKeyExtKeyUsage, eku)
	data.Set(TemplateKeyUnknownExtKeyUsage, unknownEKU)
	data.Set(TemplateKeyProfile, req.Profile.Name)
	return data
}

// subjectFor maps the verified subject to x509util's form. Attributes Go's
// pkix.Name has no field for go in ExtraNames, in a fixed order.
func subjectFor(s Subject) x509util.Subject {
	out := x509util.Subject{
		CommonName:         s.CommonName,
		SerialNumber:       s.SerialNumber,
		OrganizationalUnit: slices.Clone(s.OrganizationalUnit),
	}
	if s.Country != "" {
		out.Country = x509util.MultiString{s.Country}
	}
	if s.Province != "" {
		out.Province = x509util.MultiString{s.Province}
	}
	if s.Locality != "" {
		out.Locality = x509util.MultiString{s.Locality}
	}
	if s.Organization != "" {
		out.Organization = x509util.MultiString{s.Organization}
	}
	extra := []struct {
		oid   asn1.ObjectIdentifier
		value string
	}{
		{OIDTitle, s.Title},
		{OIDOrganizationIdentifier, s.OrganizationIdentifier},
		{OIDGivenName, s.GivenName},
		{OIDSurname, s.Surname},
	}
	for _, e := range extra {
		if e.value != "" {
			out.ExtraNames = append(out.ExtraNames, x509util.DistinguishedName{
				Type:  x509util.ObjectIdentifier(e.oid),
				Value: e.value,
			})
		}
	}
	return out
}

// SubjectName returns the distinguished name BuildTemplate puts in a
// certificate for s.
func SubjectName(s Subject) pkix.Name {
	var c x509.Certificate
	subjectFor(s).Set(&c)
	return c.Subject
}

// checkRendered makes sure a template (the default one or a policy's) kept
// to the verified data.
func checkRendered(cert *x509.Certificate, req SignRequest) error {
	name := req.Profile.Name
	for _, e := range cert.ExtraExtensions {
		if containsOID(forbiddenExtensions, e.Id) {
			return errs.New(errs.BadConfig, "template of profile %q writes extension %s, which only Sello may set", name, e.Id)
		}
	}
	want, err := asn1.Marshal(SubjectName(req.Subject).ToRDNSequence())
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "subject cannot be encoded")
	}
	got, err := asn1.Marshal(cert.Subject.ToRDNSequence())
	if err != nil || len(cert.RawSubject) != 0 || !bytes.Equal(got, want) {
		return errs.New(errs.BadConfig, "template of profile %q renders a subject other than the verified one", name)
	}
	if len(cert.DNSNames) != 0 || len(cert.IPAddresses) != 0 || len(cert.URIs) != 0 || !slices.Equal(cert.EmailAddresses, req.Emails) {
		return errs.New(errs.BadConfig, "template of profile %q renders subject alternative names other than the verified e-mail addresses", name)
	}
	nameConstraints := len(cert.PermittedDNSDomains) + len(cert.ExcludedDNSDomains) + len(cert.PermittedIPRanges) +
		len(cert.ExcludedIPRanges) + len(cert.PermittedEmailAddresses) + len(cert.ExcludedEmailAddresses) +
		len(cert.PermittedURIDomains) + len(cert.ExcludedURIDomains)
	if cert.IsCA || cert.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0 || nameConstraints != 0 {
		return errs.New(errs.BadConfig, "template of profile %q renders a CA certificate", name)
	}
	if !cert.BasicConstraintsValid {
		return errs.New(errs.BadConfig, "template of profile %q has no basicConstraints (a leaf states CA:false)", name)
	}
	if cert.KeyUsage == 0 {
		return errs.New(errs.BadConfig, "template of profile %q sets no key usage", name)
	}
	if len(cert.ExtKeyUsage) == 0 && len(cert.UnknownExtKeyUsage) == 0 {
		return errs.New(errs.BadConfig, "template of profile %q sets no extended key usage", name)
	}
	if slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return errs.New(errs.BadConfig, "template of profile %q uses anyExtendedKeyUsage", name)
	}
	return nil
}

func containsOID(list []asn1.ObjectIdentifier, oid asn1.ObjectIdentifier) bool {
	return slices.ContainsFunc(list, oid.Equal)
}

// certificatePoliciesExtension builds certificatePolicies (RFC 5280
// §4.2.1.4) by hand: Go's x509 cannot write qualifiers, and the user notice
// must be a UTF8String (RFC 6818) so that accented Spanish survives.
//
//	PolicyInformation ::= SEQUENCE {
//	    policyIdentifier   CertPolicyId,
//	    policyQualifiers   SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }
//	PolicyQualifierInfo ::= SEQUENCE { policyQualifierId, qualifier ANY }
//	UserNotice ::= SEQUENCE { noticeRef OPTIONAL, explicitText DisplayText OPTIONAL }
func certificatePoliciesExtension(p Profile) (pkix.Extension, error) {
	if p.PolicyOID == "" {
		return pkix.Extension{}, errs.New(errs.BadConfig, "profile %q has no policy OID", p.Name)
	}
	// x509.OID, unlike asn1.ObjectIdentifier, takes arcs of any size, as
	// X.667 UUID OIDs (2.25.<uuid>) need.
	oid, err := x509.ParseOID(p.PolicyOID)
	if err != nil {
		return pkix.Extension{}, errs.Wrap(errs.BadConfig, err, "profile %q: policy OID %q is not a dotted object identifier", p.Name, p.PolicyOID)
	}
	oidDER, err := oid.MarshalBinary()
	if err != nil {
		return pkix.Extension{}, errs.Wrap(errs.BadConfig, err, "profile %q: policy OID %q cannot be encoded", p.Name, p.PolicyOID)
	}
	if err := checkUserNotice(p); err != nil {
		return pkix.Extension{}, err
	}
	if p.CPSURI != "" {
		if err := checkURL(p.CPSURI, "CPS URI", p.Name); err != nil {
			return pkix.Extension{}, err
		}
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(policies *cryptobyte.Builder) {
		policies.AddASN1(cbasn1.SEQUENCE, func(info *cryptobyte.Builder) {
			info.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(o *cryptobyte.Builder) { o.AddBytes(oidDER) })
			if p.CPSURI == "" && p.UserNotice == "" {
				return
			}
			info.AddASN1(cbasn1.SEQUENCE, func(qualifiers *cryptobyte.Builder) {
				if p.CPSURI != "" {
					qualifiers.AddASN1(cbasn1.SEQUENCE, func(q *cryptobyte.Builder) {
						q.AddASN1ObjectIdentifier(oidQualifierCPS)
						q.AddASN1(cbasn1.IA5String, func(s *cryptobyte.Builder) { s.AddBytes([]byte(p.CPSURI)) })
					})
				}
				if p.UserNotice != "" {
					qualifiers.AddASN1(cbasn1.SEQUENCE, func(q *cryptobyte.Builder) {
						q.AddASN1ObjectIdentifier(oidQualifierUserNotice)
						q.AddASN1(cbasn1.SEQUENCE, func(notice *cryptobyte.Builder) {
							notice.AddASN1(cbasn1.UTF8String, func(s *cryptobyte.Builder) { s.AddBytes([]byte(p.UserNotice)) })
						})
					})
				}
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return pkix.Extension{}, errs.Wrap(errs.Internal, err, "cannot encode certificatePolicies")
	}
	return pkix.Extension{Id: oidCertificatePolicies, Value: der}, nil
}

func checkUserNotice(p Profile) error {
	t := p.UserNotice
	if !utf8.ValidString(t) {
		return errs.New(errs.BadConfig, "profile %q: user notice is not valid UTF-8", p.Name)
	}
	if n := utf8.RuneCountInString(t); n > MaxUserNoticeLength {
		return errs.New(errs.BadConfig, "profile %q: user notice has %d characters, more than the %d allowed", p.Name, n, MaxUserNoticeLength)
	}
	if strings.IndexFunc(t, unicode.IsControl) >= 0 {
		return errs.New(errs.BadConfig, "profile %q: user notice contains control characters", p.Name)
	}
	return nil
}

func checkURLs(p Profile) error {
	for _, group := range []struct {
		what string
		urls []string
	}{
		{"OCSP URL", p.OCSPURLs},
		{"CA issuers URL", p.IssuingCertificateURL},
		{"CRL URL", p.CRLURLs},
	} {
		for _, u := range group.urls {
			if err := checkURL(u, group.what, p.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkURL accepts absolute http(s) URLs in ASCII (they are IA5Strings).
func checkURL(raw, what, profile string) error {
	for i := 0; i < len(raw); i++ {
		if raw[i] >= utf8.RuneSelf || raw[i] <= ' ' {
			return errs.New(errs.BadConfig, "profile %q: %s %q must be ASCII without spaces", profile, what, raw)
		}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errs.New(errs.BadConfig, "profile %q: %s %q is not an absolute http(s) URL", profile, what, raw)
	}
	return nil
}

// SubjectKeyID is the RFC 7093 §2 method 1 key identifier of pub: the
// leftmost 160 bits of the SHA-256 of the subjectPublicKey BIT STRING value.
func SubjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(info.PublicKey.Bytes)
	return sum[:20], nil
}
