package ca

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/sello-pki/sello/internal/errs"
)

// skippedLints are zlint lints that do not apply to Sello's certificates and
// whose verdict would be wrong for them. Keep this list short, and say why
// for each entry.
var skippedLints = []string{
	// CA/B Forum S/MIME BR §7.1.2.3: a publicly trusted S/MIME certificate
	// carries exactly one reserved 2.23.140.1.5.* policy OID. zlint runs the
	// S/MIME BR lints on every certificate with an e-mail SAN and the
	// emailProtection EKU. Sello's profiles are not publicly trusted S/MIME
	// BR profiles and must not claim to be (RULES F5): they allow suspension
	// (certificateHold), which the S/MIME BR forbid and these laws require,
	// so they carry the jurisdiction's own policy OID only. (Most other
	// S/MIME BR lints key on those OIDs and so do not apply either; the
	// RFC 5280, community and Mozilla lints all run.)
	"e_exactly_one_smime_policy",
	// Checks whether the certificate was signed by one of eight compromised
	// eMudhra TLS intermediate keys, by verifying its signature under each of
	// them. The certificate linted before issuance is always signed by a
	// throwaway key generated in this process (Boulder's sequence), so the
	// verdict cannot change, and the eight P-384 verifications were 44% of
	// the CPU time of an issuance (BENCHMARKS.md).
	"e_cert_issued_by_compromised_emudhra_ca",
}

var lintRegistry = sync.OnceValues(func() (lint.Registry, error) {
	return lint.GlobalRegistry().Filter(lint.FilterOptions{ExcludeNames: skippedLints})
})

// Lint runs zlint v3 over a DER certificate. Any Error or Fatal result fails
// with errs.LintFailed naming the lints; Warn results come back as
// "lint_name: details" strings, sorted; Notice results are ignored.
//
// Sello lints a copy signed by a throwaway key before the real signature
// (see ca/local), so a failure here means nothing was issued.
func Lint(der []byte) (warnings []string, err error) {
	lintable, err := lintableDER(der)
	if err != nil {
		return nil, errs.Wrap(errs.LintFailed, err, "certificate cannot be parsed for linting")
	}
	c, err := zx509.ParseCertificate(lintable)
	if err != nil {
		return nil, errs.Wrap(errs.LintFailed, err, "certificate cannot be parsed for linting")
	}
	reg, err := lintRegistry()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "lint registry")
	}
	rs := zlint.LintCertificateEx(c, reg)
	names := make([]string, 0, len(rs.Results))
	for name := range rs.Results {
		names = append(names, name)
	}
	slices.Sort(names)
	var failed []string
	for _, name := range names {
		r := rs.Results[name]
		if r == nil {
			continue
		}
		line := name + ": " + lintDetails(reg, name, r)
		switch r.Status {
		case lint.Error, lint.Fatal:
			failed = append(failed, line)
		case lint.Warn:
			warnings = append(warnings, line)
		}
	}
	if len(failed) > 0 {
		return warnings, errs.New(errs.LintFailed, "certificate fails %d lint(s): %s", len(failed), strings.Join(failed, "; "))
	}
	return warnings, nil
}

// lintDetails is the result's details, or the lint's description when a
// lint gives none.
func lintDetails(reg lint.Registry, name string, r *lint.LintResult) string {
	if r.Details != "" {
		return r.Details
	}
	if l := reg.CertificateLints().ByName(name); l != nil {
		return l.Description
	}
	return r.Status.String()
}

// zcrypto's ASN.1 parser refuses object identifier arcs above 2^31-1, and
// X.667 UUID OIDs (2.25.<uuid>), which Sello's policies use, always have one.
// lintableDER therefore gives zlint a copy of the certificate in which every
// such arc inside the certificatePolicies extension is replaced by 2^31-1.
// Nothing else changes: no lint looks at the value of a private policy OID
// (lints only recognise CA/B Forum, EV and anyPolicy OIDs), and the copy's
// broken signature is never checked by zlint. Certificates without such arcs
// are linted byte for byte.
func lintableDER(der []byte) ([]byte, error) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("not a DER certificate")
	}
	if !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed tbsCertificate")
	}
	signature := []byte(cert) // signatureAlgorithm and signatureValue, unchanged

	var newTBS cryptobyte.Builder
	changed := false
	var rewriteErr error
	newTBS.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for !tbs.Empty() {
			var elem cryptobyte.String
			var tag cbasn1.Tag
			if !tbs.ReadAnyASN1Element(&elem, &tag) {
				rewriteErr = errors.New("malformed tbsCertificate element")
				return
			}
			if tag != cbasn1.Tag(3).Constructed().ContextSpecific() {
				b.AddBytes(elem)
				continue
			}
			exts, c, err := rewriteExtensions(elem)
			if err != nil {
				rewriteErr = err
				return
			}
			changed = changed || c
			b.AddBytes(exts)
		}
	})
	if rewriteErr != nil {
		return nil, rewriteErr
	}
	if !changed {
		return der, nil
	}
	tbsDER, err := newTBS.Bytes()
	if err != nil {
		return nil, err
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		b.AddBytes(signature)
	})
	return out.Bytes()
}

var oidCertificatePoliciesDER = []byte{0x55, 0x1d, 0x20} // 2.5.29.32

// rewriteExtensions rewrites the [3] EXPLICIT Extensions element.
func rewriteExtensions(elem cryptobyte.String) ([]byte, bool, error) {
	var outer, list cryptobyte.String
	if !elem.ReadASN1(&outer, cbasn1.Tag(3).Constructed().ContextSpecific()) || !outer.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, false, errors.New("malformed extensions")
	}
	changed := false
	var b cryptobyte.Builder
	var buildErr error
	b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for !list.Empty() {
				var ext, extCopy cryptobyte.String
				if !list.ReadASN1Element(&extCopy, cbasn1.SEQUENCE) {
					buildErr = errors.New("malformed extension")
					return
				}
				ext = extCopy
				var body, oid cryptobyte.String
				if !ext.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
					buildErr = errors.New("malformed extension")
					return
				}
				if !slices.Equal([]byte(oid), oidCertificatePoliciesDER) {
					b.AddBytes(extCopy)
					continue
				}
				var critical cryptobyte.String
				hasCritical := body.PeekASN1Tag(cbasn1.BOOLEAN)
				if hasCritical && !body.ReadASN1Element(&critical, cbasn1.BOOLEAN) {
					buildErr = errors.New("malformed extension")
					return
				}
				var value cryptobyte.String
				if !body.ReadASN1(&value, cbasn1.OCTET_STRING) {
					buildErr = errors.New("malformed extension value")
					return
				}
				var nb cryptobyte.Builder
				c, err := clampOIDs(&nb, value)
				if err != nil {
					buildErr = err
					return
				}
				newValue, err := nb.Bytes()
				if err != nil {
					buildErr = err
					return
				}
				changed = changed || c
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(oid) })
					if hasCritical {
						b.AddBytes(critical)
					}
					b.AddASN1OctetString(newValue)
				})
			}
		})
	})
	if buildErr != nil {
		return nil, false, buildErr
	}
	out, err := b.Bytes()
	return out, changed, err
}

// clampOIDs copies the DER in s to b, replacing every OID arc above 2^31-1.
func clampOIDs(b *cryptobyte.Builder, s cryptobyte.String) (bool, error) {
	changed := false
	for !s.Empty() {
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1(&content, &tag) {
			return false, errors.New("malformed DER in certificatePolicies")
		}
		switch {
		case tag&0x20 != 0: // constructed
			var inner cryptobyte.Builder
			c, err := clampOIDs(&inner, content)
			if err != nil {
				return false, err
			}
			innerDER, err := inner.Bytes()
			if err != nil {
				return false, err
			}
			changed = changed || c
			b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(innerDER) })
		case tag == cbasn1.OBJECT_IDENTIFIER:
			clamped, c, err := clampOID(content)
			if err != nil {
				return false, err
			}
			changed = changed || c
			b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(clamped) })
		default:
			b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(content) })
		}
	}
	return changed, nil
}

// maxArc31 is 2^31-1 in base 128.
var maxArc31 = []byte{0x87, 0xff, 0xff, 0xff, 0x7f}

func clampOID(content []byte) ([]byte, bool, error) {
	var out []byte
	changed := false
	start := 0
	for i, c := range content {
		if c&0x80 != 0 {
			continue
		}
		sub := content[start : i+1]
		start = i + 1
		var v uint64
		tooLong := len(sub) > 5
		for _, x := range sub {
			v = v<<7 | uint64(x&0x7f)
		}
		if tooLong || v > 1<<31-1 {
			out = append(out, maxArc31...)
			changed = true
			continue
		}
		out = append(out, sub...)
	}
	if start != len(content) || len(content) == 0 {
		return nil, false, fmt.Errorf("malformed object identifier % x", content)
	}
	return out, changed, nil
}
