package ra

import (
	"strings"
	"unicode"

	"github.com/sello-pki/sello/internal/model"
)

// sameOrganisation reports whether the organisation HR names for an
// appointment is org, the organisation the request was filed with (RULES
// R1: the appointment must be one in the filing organisation; an agent of
// one organisation cannot certify a servant of another). HR bodies write
// names their own way, so the comparison ignores case, accents, punctuation
// and spacing, and accepts org's code, name or responsible unit, or org's
// name with the jurisdiction appended ("Secretaría de Salud" for
// "Secretaría de Salud Jalisco"). An HR answer without an organisation is
// not a match.
func sameOrganisation(hr string, org *model.Organisation) bool {
	h := foldName(hr)
	if h == "" || org == nil {
		return false
	}
	name := foldName(org.Name)
	for _, v := range []string{foldName(org.Code), name, foldName(org.ResponsibleUnit)} {
		if v != "" && v == h {
			return true
		}
	}
	// "Secretaría de Salud" for "Secretaría de Salud Jalisco": at least
	// three words of HR's name, followed in org's name by a word boundary,
	// so that "Secretaría de" alone matches nothing.
	return len(strings.Fields(h)) >= 3 && strings.HasPrefix(name, h+" ")
}

// foldName lowercases s, removes Spanish accents and the diaeresis, turns
// punctuation into spaces and collapses runs of spaces.
func foldName(s string) string {
	s = accentFolder.Replace(strings.ToLower(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var accentFolder = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "à", "a", "è", "e", "ì", "i", "ò", "o", "ù", "u")
