package receipt

import (
	"crypto/sha256"
	"strings"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so a code read
// off paper cannot be mistyped as another valid code.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// VerificationCode is the short string printed on paper and typed into the
// online check (RULES G4): the first 80 bits of SHA-256 over the JWS, in
// four groups of four Crockford base32 characters ("K7Q2-9XMA-3HTN-0C5E").
func VerificationCode(jws string) string {
	sum := sha256.Sum256([]byte(jws))
	var b strings.Builder
	acc, bits := uint32(0), 0
	n := 0
	for _, by := range sum {
		acc = acc<<8 | uint32(by)
		bits += 8
		for bits >= 5 && n < 16 {
			bits -= 5
			if n > 0 && n%4 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(crockford[(acc>>bits)&31])
			n++
		}
		if n == 16 {
			break
		}
	}
	return b.String()
}

// NormalizeCode turns what a person typed into the canonical form
// VerificationCode prints: case, spaces and hyphens do not matter, and the
// look-alikes O, I and L read as 0, 1 and 1. It reports false when the input
// cannot be a code.
func NormalizeCode(typed string) (string, bool) {
	var raw []byte
	for _, c := range strings.ToUpper(typed) {
		switch {
		case c == '-' || c == ' ' || c == '\t':
			continue
		case c == 'O':
			c = '0'
		case c == 'I' || c == 'L':
			c = '1'
		}
		if c > 0x7f || strings.IndexByte(crockford, byte(c)) < 0 {
			return "", false
		}
		raw = append(raw, byte(c))
	}
	if len(raw) != 16 {
		return "", false
	}
	return string(raw[0:4]) + "-" + string(raw[4:8]) + "-" + string(raw[8:12]) + "-" + string(raw[12:16]), true
}
