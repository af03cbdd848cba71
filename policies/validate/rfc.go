package validate

import (
	"strings"
	"time"
	"unicode/utf8"
)

// RFC kinds.
const (
	RFCFisica = "fisica" // persona física: 13 characters
	RFCMoral  = "moral"  // persona moral: 12 characters
)

// RFC is a syntactically valid Registro Federal de Contribuyentes (RULES F2).
type RFC struct {
	Value string
	Kind  string    // RFCFisica or RFCMoral
	Date  time.Time // birth or incorporation date, midnight UTC; see ParseRFC for the century
}

// rfcCenturyPivot resolves the two-digit year, which the RFC does not
// disambiguate: YY ≤ pivot is read as 20YY, YY > pivot as 19YY. A pure parser
// has no clock to slide the window, so it is fixed; revisit before 2031.
// Callers that know the century (the CURP's position 17) should compare
// YYMMDD rather than trust Date's century.
const rfcCenturyPivot = 30

// rfcDictionary holds the values of SAT's "Anexo 3" table for the RFC check
// digit: 0–9 → 0–9, A–N → 10–23, & → 24, O–Z → 25–36, space → 37, Ñ → 38.
// Source: SAT's answer to INFOMEX request 0610100135506 ("Algoritmo para
// generar el RFC con homoclave para personas físicas y morales", 2006), whose
// worked example GODE561231GR → 8 is reproduced in the tests; the same table
// is used by python-stdnum's stdnum/mx/rfc.py.
const rfcDictionary = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

func rfcValue(r rune) int {
	i := 0
	for _, c := range rfcDictionary {
		if c == r {
			return i
		}
		i++
	}
	return -1
}

// Generic RFCs SAT publishes for invoices to the general public and to
// foreigners; no person holds them.
var rfcGeneric = map[string]struct{ en, es string }{
	"XAXX010101000": {"the general public", "público en general"},
	"XEXX010101000": {"foreign residents", "residentes en el extranjero"},
}

// RFCCheckDigit computes the last character of an RFC from the characters
// before it: 12 for a persona física, 11 for a persona moral (padded with a
// leading space to 12). Each value times a weight from 13 down to 2 is summed;
// with r = sum mod 11 the digit is '0' when r = 0, 'A' when 11 − r = 10, and
// the digit 11 − r otherwise.
func RFCCheckDigit(first string) (byte, error) {
	n := utf8.RuneCountInString(first)
	if n != 11 && n != 12 {
		return 0, newError("rfc", "length",
			"The RFC check digit is computed over 11 (moral) or 12 (física) characters, not %d.",
			"El dígito verificador del RFC se calcula sobre 11 (persona moral) o 12 (persona física) caracteres, no %d.", n)
	}
	if n == 11 {
		first = " " + first
	}
	sum, weight := 0, 13
	for _, r := range first {
		v := rfcValue(r)
		if v < 0 {
			return 0, newError("rfc", "charset",
				"Character %q cannot appear in an RFC.",
				"El carácter «%c» no puede aparecer en un RFC.", r)
		}
		sum += v * weight
		weight--
	}
	switch d := 11 - sum%11; d {
	case 11:
		return '0', nil
	case 10:
		return 'A', nil
	default:
		return byte('0' + d), nil
	}
}

// NormalizeRFC trims surrounding white space and upper-cases ASCII letters
// and ñ (Ñ is a legitimate RFC letter). Accents and inner spaces are left for
// ParseRFC to refuse.
func NormalizeRFC(s string) string {
	return strings.ReplaceAll(upperASCII(strings.TrimSpace(s)), "ñ", "Ñ")
}

// ParseRFC validates s as an RFC exactly as written (see NormalizeRFC).
//
// A persona física has 13 characters: 4 letters (A–Z, Ñ), the birth date
// YYMMDD and a 3-character homoclave. A persona moral has 12: 3 characters
// from A–Z, Ñ and &, the incorporation date and the homoclave. The date must
// exist; the century is not encoded, so Date reads YY ≤ 30 as 20YY and the
// rest as 19YY (00 → 2000, which is why 000229 is accepted). The homoclave is
// two characters from 0–9/A–Z and a check digit; a wrong check digit is only a
// Warning ("rfc.check_digit"), because SAT has issued RFCs that fail it. SAT's
// generic RFCs (XAXX010101000, XEXX010101000) are accepted with the Warning
// "rfc.generic": they identify no one.
func ParseRFC(s string) (RFC, []Warning, error) {
	isRFCChar := func(r rune) bool { return isUpperASCII(r) || isDigitASCII(r) || r == 'Ñ' || r == '&' }
	if err := checkCharset(rfcLabel, s, isRFCChar); err != nil {
		return RFC{}, nil, err
	}
	rs := []rune(s)
	var kind string
	var nameLen int
	switch len(rs) {
	case 13:
		kind, nameLen = RFCFisica, 4
	case 12:
		kind, nameLen = RFCMoral, 3
	default:
		return RFC{}, nil, newError("rfc", "length",
			"The RFC must have 13 characters (persona física) or 12 (persona moral); it has %d.",
			"El RFC debe tener 13 caracteres (persona física) o 12 (persona moral); el capturado tiene %d.", len(rs))
	}
	for i, r := range rs[:nameLen] {
		if isUpperASCII(r) || r == 'Ñ' || (r == '&' && kind == RFCMoral) {
			continue
		}
		if kind == RFCFisica {
			return RFC{}, nil, newError("rfc", "name",
				"Positions 1 to 4 of a persona física's RFC must be letters; position %d is %q.",
				"Las posiciones 1 a 4 del RFC de una persona física deben ser letras; la posición %d es «%c».", i+1, r)
		}
		return RFC{}, nil, newError("rfc", "name",
			"Positions 1 to 3 of a persona moral's RFC must be letters or &; position %d is %q.",
			"Las posiciones 1 a 3 del RFC de una persona moral deben ser letras o &; la posición %d es «%c».", i+1, r)
	}
	date := string(rs[nameLen : nameLen+6])
	if !allDigits(date) {
		return RFC{}, nil, newError("rfc", "date",
			"Positions %d to %d of the RFC must be a date as six digits (YYMMDD); found %q.",
			"Las posiciones %d a %d del RFC deben ser una fecha en seis dígitos (AAMMDD); se encontró «%s».",
			nameLen+1, nameLen+6, date)
	}
	yy := atoi2(date[0:2])
	year := 1900 + yy
	if yy <= rfcCenturyPivot {
		year = 2000 + yy
	}
	t, ok := realDate(year, atoi2(date[2:4]), atoi2(date[4:6]))
	if !ok {
		return RFC{}, nil, newError("rfc", "date",
			"The date in the RFC (%s) does not exist.",
			"La fecha contenida en el RFC (%s) no existe en el calendario.", date)
	}
	homoclave := rs[nameLen+6:]
	for i, r := range homoclave {
		if !isUpperASCII(r) && !isDigitASCII(r) {
			return RFC{}, nil, newError("rfc", "homoclave",
				"The homoclave (last three characters of the RFC) may only contain letters A–Z and digits; position %d is %q.",
				"La homoclave (últimos tres caracteres del RFC) solo admite letras de la A a la Z y dígitos; la posición %d es «%c».",
				nameLen+7+i, r)
		}
	}
	var warnings []Warning
	if who, ok := rfcGeneric[s]; ok {
		warnings = append(warnings, Warning{
			Code: "rfc.generic",
			EN:   "This is SAT's generic RFC for " + who.en + "; it identifies no person. Please ask for the public servant's own RFC.",
			ES:   "Este es el RFC genérico del SAT para " + who.es + "; no identifica a ninguna persona. Por favor, solicite el RFC propio del servidor público.",
		})
	}
	want, err := RFCCheckDigit(string(rs[:len(rs)-1]))
	if err != nil {
		return RFC{}, nil, err
	}
	if got := rs[len(rs)-1]; got != rune(want) {
		warnings = append(warnings, Warning{
			Code: "rfc.check_digit",
			EN:   "The RFC check digit does not match (expected " + string(rune(want)) + "). SAT has issued some RFCs like this: please confirm it against the applicant's Constancia de Situación Fiscal.",
			ES:   "El dígito verificador del RFC no coincide (se esperaba " + string(rune(want)) + "). El SAT ha emitido algunos RFC así: por favor, confírmelo con la Constancia de Situación Fiscal del solicitante.",
		})
	}
	return RFC{Value: s, Kind: kind, Date: t}, warnings, nil
}
