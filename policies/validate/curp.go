package validate

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CURP is a syntactically valid Clave Única de Registro de Población
// (RULES F1). Validity here says nothing about whether RENAPO issued it.
type CURP struct {
	Value     string
	BirthDate time.Time // midnight UTC of the birth date encoded in positions 5–10
	Sex       byte      // 'H' (hombre), 'M' (mujer) or 'X' (no binario, since 2022)
	State     string    // one of the 32 state codes, or "NE" (born abroad)
}

// curpStates are the two-letter codes of RENAPO's Instructivo Normativo
// (Catálogo de entidades federativas), plus NE for people born abroad.
var curpStates = map[string]bool{
	"AS": true, "BC": true, "BS": true, "CC": true, "CL": true, "CM": true, "CS": true, "CH": true,
	"DF": true, "DG": true, "GT": true, "GR": true, "HG": true, "JC": true, "MC": true, "MN": true,
	"MS": true, "NT": true, "NL": true, "OC": true, "PL": true, "QT": true, "QR": true, "SP": true,
	"SL": true, "SR": true, "TC": true, "TS": true, "TL": true, "VZ": true, "YN": true, "ZS": true,
	"NE": true,
}

// curpInconvenientWords are the "palabras inconvenientes" of RENAPO's
// Instructivo Normativo para la Asignación de la Clave Única de Registro de
// Población (Anexo 2, "Palabras inconvenientes"): when positions 1-4 would
// spell one, RENAPO replaces the second letter with X (BUEY -> BXEY). A CURP
// that carries one unreplaced was never assigned (RULES R3, F1).
var curpInconvenientWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO
		COLA CULO FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE
		KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS
		MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA
		PUTO QULO RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI
		WUEY`) {
		m[w] = true
	}
	return m
}()

// curpDictionary maps a character to its value for the check digit (0..36).
// Ñ sits between N and O; it is a two-byte rune, so the table is indexed by rune.
const curpDictionary = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"

func curpValue(r rune) int {
	i := 0
	for _, c := range curpDictionary {
		if c == r {
			return i
		}
		i++
	}
	return -1
}

// CURPCheckDigit computes position 18 of a CURP from its first 17 characters:
// each character's dictionary value times a weight from 18 down to 2, summed;
// the digit is (10 − sum mod 10) mod 10.
func CURPCheckDigit(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, newError("curp", "length",
			"The CURP check digit is computed over exactly 17 characters, not %d.",
			"El dígito verificador de la CURP se calcula sobre exactamente 17 caracteres, no %d.", n)
	}
	sum, weight := 0, 18
	for _, r := range first17 {
		v := curpValue(r)
		if v < 0 {
			return 0, newError("curp", "charset",
				"Character %q cannot appear in a CURP.",
				"El carácter «%c» no puede aparecer en una CURP.", r)
		}
		sum += v * weight
		weight--
	}
	return byte('0' + (10-sum%10)%10), nil
}

// NormalizeCURP trims surrounding white space and upper-cases ASCII letters.
// It deliberately leaves Ñ, accents and inner spaces alone so that ParseCURP
// can refuse them with a precise reason.
func NormalizeCURP(s string) string { return upperASCII(strings.TrimSpace(s)) }

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func isConsonant(c byte) bool {
	return c >= 'A' && c <= 'Z' && !strings.ContainsRune("AEIOU", rune(c))
}

// ParseCURP validates s as a CURP exactly as written (see NormalizeCURP).
//
// Positions (1-based): 1–4 letters; 5–10 birth date YYMMDD, a real date;
// 11 sex H, M or X; 12–13 state code or NE; 14–16 consonants; 17 the
// homonymy differentiator, a digit for births up to 1999 and a letter from
// 2000 on (so it fixes the century); 18 the check digit (CURPCheckDigit).
func ParseCURP(s string) (CURP, error) {
	if err := checkCharset(curpLabel, s, func(r rune) bool { return isUpperASCII(r) || isDigitASCII(r) }); err != nil {
		return CURP{}, err
	}
	// From here on s is ASCII, so bytes are characters.
	if len(s) != 18 {
		return CURP{}, newError("curp", "length",
			"The CURP must have exactly 18 characters; it has %d.",
			"La CURP debe tener exactamente 18 caracteres; la capturada tiene %d.", len(s))
	}
	for i := 0; i < 4; i++ {
		if !isUpperASCII(rune(s[i])) {
			return CURP{}, newError("curp", "name",
				"Positions 1 to 4 of the CURP must be letters; position %d is %q.",
				"Las posiciones 1 a 4 de la CURP deben ser letras; la posición %d es «%c».", i+1, s[i])
		}
	}
	if curpInconvenientWords[s[:4]] {
		return CURP{}, newError("curp", "inconvenient_word",
			"Positions 1 to 4 of the CURP spell %q, which RENAPO never assigns: it replaces the second letter with X (%c%c%s).",
			"Las posiciones 1 a 4 de la CURP forman «%s», que RENAPO nunca asigna: sustituye la segunda letra por X (%c%c%s).",
			s[:4], s[0], 'X', s[2:4])
	}
	if !allDigits(s[4:10]) {
		return CURP{}, newError("curp", "birth_date",
			"Positions 5 to 10 of the CURP must be the birth date as six digits (YYMMDD); found %q.",
			"Las posiciones 5 a 10 de la CURP deben ser la fecha de nacimiento en seis dígitos (AAMMDD); se encontró «%s».", s[4:10])
	}
	sex := s[10]
	if sex != 'H' && sex != 'M' && sex != 'X' {
		return CURP{}, newError("curp", "sex",
			"Position 11 of the CURP is the sex and must be H, M or X; found %q.",
			"La posición 11 de la CURP corresponde al sexo y debe ser H, M o X; se encontró «%c».", sex)
	}
	state := s[11:13]
	if !curpStates[state] {
		return CURP{}, newError("curp", "state",
			"Positions 12 and 13 of the CURP must be a state code (or NE for born abroad); %q is not one.",
			"Las posiciones 12 y 13 de la CURP deben ser la clave de una entidad federativa (o NE si nació en el extranjero); «%s» no lo es.", state)
	}
	for i := 13; i < 16; i++ {
		if !isConsonant(s[i]) {
			return CURP{}, newError("curp", "consonants",
				"Positions 14 to 16 of the CURP must be consonants; position %d is %q.",
				"Las posiciones 14 a 16 de la CURP deben ser consonantes; la posición %d es «%c».", i+1, s[i])
		}
	}
	century := 1900
	switch d := s[16]; {
	case d >= '0' && d <= '9':
	case d >= 'A' && d <= 'Z':
		century = 2000
	default: // unreachable after checkCharset; kept for safety
		return CURP{}, newError("curp", "differentiator",
			"Position 17 of the CURP must be a digit or a letter.",
			"La posición 17 de la CURP debe ser un dígito o una letra.")
	}
	birth, ok := realDate(century+atoi2(s[4:6]), atoi2(s[6:8]), atoi2(s[8:10]))
	if !ok {
		return CURP{}, newError("curp", "birth_date",
			"The birth date in the CURP (%s, read as %d%s-%s-%s) does not exist.",
			"La fecha de nacimiento de la CURP (%s, es decir %d%s-%s-%s) no existe en el calendario.",
			s[4:10], century/100, s[4:6], s[6:8], s[8:10])
	}
	if !isDigitASCII(rune(s[17])) {
		return CURP{}, newError("curp", "check_digit",
			"Position 18 of the CURP is the check digit and must be a digit; found %q.",
			"La posición 18 de la CURP es el dígito verificador y debe ser un número; se encontró «%c».", s[17])
	}
	want, err := CURPCheckDigit(s[:17])
	if err != nil {
		return CURP{}, err
	}
	if s[17] != want {
		return CURP{}, newError("curp", "check_digit",
			"The CURP check digit does not match (expected %c).",
			"El dígito verificador de la CURP no coincide (se esperaba %c).", want)
	}
	return CURP{Value: s, BirthDate: birth, Sex: sex, State: state}, nil
}
