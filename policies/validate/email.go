package validate

import (
	"net/mail"
	"strings"
)

// InstitutionalEmail checks that addr is a bare e-mail address (no display
// name, comment or angle brackets) in one of the allowed domains or in a
// subdomain of one (RULES R9: only the institutional e-mail is accepted).
//
// Domains compare case-insensitively and label by label: "jalisco.gob.mx"
// allows x@jalisco.gob.mx and x@sep.jalisco.gob.mx, but neither
// x@evil-jalisco.gob.mx nor x@jalisco.gob.mx.evil.com. An empty allow-list is
// a configuration error, never "allow everything".
func InstitutionalEmail(addr string, domains []string) error {
	if len(domains) == 0 {
		return newError("email", "allow_list",
			"No institutional e-mail domains are configured for this organisation.",
			"No hay dominios de correo institucional configurados para esta organización; por favor, avise al administrador.")
	}
	allowed := make([]string, 0, len(domains))
	for _, d := range domains {
		n := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if !validHostname(n) {
			return newError("email", "allow_list",
				"The configured institutional domain %q is not a valid domain name.",
				"El dominio institucional configurado «%s» no es un nombre de dominio válido; por favor, avise al administrador.", d)
		}
		allowed = append(allowed, n)
	}

	a, err := mail.ParseAddress(addr)
	if err != nil {
		return newError("email", "format",
			"%q is not a valid e-mail address.",
			"«%s» no es una dirección de correo electrónico válida.", addr)
	}
	if a.Name != "" || a.Address != addr {
		return newError("email", "bare_address",
			"Give the e-mail address alone (like nombre@dependencia.gob.mx), without a name, comment or angle brackets.",
			"Por favor, capture solo la dirección de correo (como nombre@dependencia.gob.mx), sin nombre, comentarios ni signos < >.")
	}
	at := strings.LastIndexByte(a.Address, '@')
	domain := strings.ToLower(a.Address[at+1:])
	if !validHostname(domain) {
		return newError("email", "domain",
			"The domain of %q is not a valid domain name.",
			"El dominio de «%s» no es un nombre de dominio válido.", addr)
	}
	for _, d := range allowed {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return nil
		}
	}
	return newError("email", "domain",
		"Only the institutional e-mail is accepted (%s); %q is not in it.",
		"Solo se acepta el correo institucional (%s); «%s» no pertenece a ese dominio.",
		strings.Join(allowed, ", "), domain)
}

// validHostname accepts ASCII letter-digit-hyphen labels (RFC 1123), so that
// look-alike Unicode domains and address literals never pass.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
