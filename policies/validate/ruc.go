package validate

// RUC is a syntactically valid Peruvian Registro Único de Contribuyentes
// number (RULES F3).
type RUC struct {
	Value  string
	Prefix string // "10" natural person with DNI; "15", "17" other persons; "20" legal person (e.g. a regional government)
	DNI    string // for prefix 10, the holder's DNI (digits 3–10); "" otherwise
}

// RUCCheckDigit computes the 11th digit of a RUC from the first 10 (SUNAT's
// modulus 11): with weights 5,4,3,2,7,6,5,4,3,2 and r = sum mod 11, the digit
// is 11 − r, where 10 becomes 0 and 11 becomes 1.
func RUCCheckDigit(first10 string) (byte, error) {
	if len(first10) != 10 || !allDigits(first10) {
		return 0, newError("ruc", "format",
			"The RUC check digit is computed over exactly 10 digits.",
			"El dígito verificador del RUC se calcula sobre exactamente 10 dígitos.")
	}
	weights := [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := 0; i < 10; i++ {
		sum += int(first10[i]-'0') * weights[i]
	}
	return byte('0' + (11-sum%11)%10), nil
}

// ParseRUC validates s as a RUC: exactly 11 digits, a prefix of 10, 15, 17
// or 20, and SUNAT's check digit (RUCCheckDigit).
func ParseRUC(s string) (RUC, error) {
	if !allDigits(s) {
		return RUC{}, newError("ruc", "format",
			"A RUC consists of digits only.",
			"El RUC se compone únicamente de dígitos; por favor, retire letras, espacios o guiones.")
	}
	if len(s) != 11 {
		return RUC{}, newError("ruc", "length",
			"A RUC has 11 digits; this one has %d.",
			"El RUC tiene 11 dígitos; el ingresado tiene %d.", len(s))
	}
	prefix := s[:2]
	switch prefix {
	case "10", "15", "17", "20":
	default:
		return RUC{}, newError("ruc", "prefix",
			"A RUC starts with 10, 15, 17 or 20; this one starts with %s.",
			"El RUC comienza con 10, 15, 17 o 20; el ingresado comienza con %s.", prefix)
	}
	want, err := RUCCheckDigit(s[:10])
	if err != nil {
		return RUC{}, err
	}
	if s[10] != want {
		return RUC{}, newError("ruc", "check_digit",
			"The RUC check digit does not match (expected %c).",
			"El dígito verificador del RUC no coincide (se esperaba %c).", want)
	}
	r := RUC{Value: s, Prefix: prefix}
	if prefix == "10" {
		r.DNI = s[2:10]
	}
	return r, nil
}
