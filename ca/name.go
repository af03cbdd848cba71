package ca

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/errs"
)

// attributeNames are the short names a reader knows: RFC 4514 §3's, and the
// others that appear in signature certificates (RFC 4519, ETSI EN 319 412-1).
var attributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.13":                   "description",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "givenName",
	"2.5.4.43":                   "initials",
	"2.5.4.44":                   "generationQualifier",
	"2.5.4.45":                   "x500UniqueIdentifier",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.97":                   "organizationIdentifier",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
}

// FormatName renders a distinguished name as RFC 4514 text a person can
// read: known attributes by name (CN, givenName, SN, O, organizationIdentifier…),
// UTF-8 values as they are, escaped only where RFC 4514 requires it. A name
// parsed from a certificate is rendered in its encoded order (most specific
// first, as RFC 4514 writes it); a name built in Go is rendered from
// ToRDNSequence. Prefer FormatRawName for certificates: it keeps
// multi-valued RDNs.
func FormatName(n pkix.Name) string {
	if len(n.Names) == 0 {
		return FormatRDNSequence(n.ToRDNSequence())
	}
	seq := make(pkix.RDNSequence, 0, len(n.Names))
	for _, atv := range n.Names {
		seq = append(seq, pkix.RelativeDistinguishedNameSET{atv})
	}
	return FormatRDNSequence(seq)
}

// FormatRawName renders a DER-encoded name (x509.Certificate.RawSubject or
// RawIssuer) like FormatName.
func FormatRawName(der []byte) (string, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return "", errs.Wrap(errs.Malformed, err, "distinguished name: %v", err)
	}
	if len(rest) != 0 {
		return "", errs.New(errs.Malformed, "distinguished name: %d bytes of trailing data", len(rest))
	}
	return FormatRDNSequence(seq), nil
}

// FormatRDNSequence renders an RDN sequence per RFC 4514 §2.1: the last RDN
// first, RDNs separated by commas, the values of a multi-valued RDN by "+".
func FormatRDNSequence(seq pkix.RDNSequence) string {
	rdns := make([]string, 0, len(seq))
	for i := len(seq) - 1; i >= 0; i-- {
		parts := make([]string, 0, len(seq[i]))
		for _, atv := range seq[i] {
			parts = append(parts, formatAttribute(atv))
		}
		rdns = append(rdns, strings.Join(parts, "+"))
	}
	return strings.Join(rdns, ",")
}

func formatAttribute(atv pkix.AttributeTypeAndValue) string {
	name, ok := attributeNames[atv.Type.String()]
	if !ok {
		name = atv.Type.String()
	}
	if s, ok := atv.Value.(string); ok && utf8.ValidString(s) {
		return name + "=" + escapeValue(s)
	}
	// Only a value that is not a string (RFC 4514 §2.4) is shown as the
	// hex of its BER encoding.
	der, err := asn1.Marshal(atv.Value)
	if err != nil {
		return name + "=" + escapeValue(fmt.Sprint(atv.Value))
	}
	return name + "=#" + hex.EncodeToString(der)
}

// escapeValue escapes what RFC 4514 §2.4 requires (and control characters,
// which would otherwise be invisible or break a line); letters outside
// ASCII (á, ñ, ü) are left as they are.
func escapeValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '"' || r == '+' || r == ',' || r == ';' || r == '<' || r == '>' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case (r == ' ' || r == '#') && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == ' ' && i == len(s)-1:
			b.WriteString("\\ ")
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
