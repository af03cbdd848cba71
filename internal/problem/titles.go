package problem

import "github.com/sello-pki/sello/internal/errs"

type bilingual struct{ es, en string }

// titles holds a title in both languages for every error type.
var titles = map[errs.Type]bilingual{
	errs.Malformed:       {"Solicitud mal formada", "Malformed request"},
	errs.BadCSR:          {"Solicitud de certificado no válida", "Bad certificate signing request"},
	errs.BadPublicKey:    {"Llave pública no aceptable", "Unacceptable public key"},
	errs.DuplicateKey:    {"La llave ya está certificada para otra persona", "Key already certified for another person"},
	errs.BadConfig:       {"Configuración no válida", "Invalid configuration"},
	errs.NotFound:        {"No encontrado", "Not found"},
	errs.Unauthorized:    {"Se requiere autenticación", "Authentication required"},
	errs.Forbidden:       {"No permitido", "Not allowed"},
	errs.Conflict:        {"Conflicto", "Conflict"},
	errs.WrongState:      {"No permitido en el estado actual", "Not allowed in the current state"},
	errs.PolicyRefused:   {"Rechazado por la política de la jurisdicción", "Refused by the jurisdiction's policy"},
	errs.LintFailed:      {"El certificado no pasó la verificación previa", "The certificate failed pre-issuance linting"},
	errs.Unavailable:     {"Servicio no disponible por el momento", "Service temporarily unavailable"},
	errs.Internal:        {"Error interno", "Internal error"},
	errs.TooLarge:        {"Demasiado grande", "Too large"},
	errs.UnsupportedType: {"Tipo de contenido no admitido", "Unsupported media type"},
	errs.RateLimited:     {"Demasiadas solicitudes; intente más tarde", "Too many requests; try again later"},
}

// Title returns the title of an error type in lang; an unknown type gets
// the internal error's title.
func Title(t errs.Type, lang string) string {
	b, ok := titles[t]
	if !ok {
		b = titles[errs.Internal]
	}
	if errs.Normalize(lang) == errs.English {
		return b.en
	}
	return b.es
}
