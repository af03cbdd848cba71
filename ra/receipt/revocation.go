package receipt

import (
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// Requester says who asked for a revocation (RULES S4, P2, S2).
type Requester string

// Who may ask for a revocation.
const (
	ByHolder    Requester = "holder"    // the holder, in person or online
	BySuperior  Requester = "superior"  // the holder's superior, e.g. on leaving office (P2)
	ByAgent     Requester = "agent"     // a registration agent, ex officio
	ByAutomatic Requester = "automatic" // the appointment monitor, without a person
)

func (r Requester) label(l language) (string, bool) {
	switch r {
	case ByHolder:
		return l.pick("El titular", "The holder"), true
	case BySuperior:
		return l.pick("El superior jerárquico del titular", "The holder's superior"), true
	case ByAgent:
		return l.pick("El agente de registro", "The registration agent"), true
	case ByAutomatic:
		return l.pick("De oficio, por el sistema (sin solicitud de una persona)", "Ex officio, by the system (no person asked)"), true
	}
	return "", false
}

// RevocationReceipt is the comprobante de revocación an agent prints for
// the holder to sign (RULES S4), with the exact reception and revocation
// times (S4, S6).
type RevocationReceipt struct {
	Folio     string
	VerifyURL string
	Code      string
	TZ        string

	Body ReceivingBody // the authority that revoked, heading the receipt

	HolderName        string
	Identifier        string // CURP (or DNI), in full: the receipt is the holder's
	HolderAddress     string // as the request stated it (RULES S4, Zacatecas art. 68-I-c); optional
	CertificateSerial string // hex

	// ReasonES/ReasonEN are the reason's text from the policy's catalogue;
	// ReasonRFC5280 is its CRL reason name ("affiliationChanged", ...).
	ReasonES      string
	ReasonEN      string
	ReasonRFC5280 string

	RequestedBy   Requester
	RequesterName string // who signed the request, when not the holder or automatic

	ReceivedAt time.Time // when the request was received (acknowledged, S4)
	RevokedAt  time.Time // when the revocation was entered in the registry (S6)

	Place     string
	AgentName string
}

// RevocationReceiptPDF prints the revocation receipt: holder, CURP,
// certificate serial, the reason and its RFC 5280 name, the exact times of
// reception and revocation, who asked, the folio, and signature lines for the
// holder and the agent.
func RevocationReceiptPDF(r RevocationReceipt, lang string) ([]byte, error) {
	l, err := parseLang(lang)
	if err != nil {
		return nil, err
	}
	if err := required("holder name", r.HolderName, "identifier", r.Identifier,
		"certificate serial", r.CertificateSerial, "reason", l.pick(r.ReasonES, r.ReasonEN),
		"RFC 5280 reason", r.ReasonRFC5280, "place", r.Place, "agent name", r.AgentName); err != nil {
		return nil, err
	}
	by, ok := r.RequestedBy.label(l)
	if !ok {
		return nil, errs.New(errs.Malformed, "revocation receipt: requested by %q (holder, superior, agent or automatic)", r.RequestedBy)
	}
	if r.ReceivedAt.IsZero() || r.RevokedAt.IsZero() || r.RevokedAt.Before(r.ReceivedAt) {
		return nil, errs.New(errs.Malformed, "revocation receipt: reception and revocation times are required, in that order")
	}
	d, err := newDoc(l, r.TZ, frame{
		title: l.pick("Comprobante de revocación", "Revocation receipt"),
		body:  r.Body, folio: r.Folio, code: r.Code, verifyURL: r.VerifyURL,
	}, r.RevokedAt)
	if err != nil {
		return nil, err
	}
	d.para(l.pick(
		"Se hace constar que el certificado descrito fue revocado y que la revocación quedó registrada con la fecha y hora exactas indicadas. Desde ese momento las firmas electrónicas creadas con él no son válidas.",
		"This certifies that the certificate described below was revoked and that the revocation was recorded with the exact date and time shown. From that moment, electronic signatures made with it are not valid."))

	d.section(l.pick("Titular y certificado", "Holder and certificate"))
	d.field(l.pick("Nombre del titular", "Holder's name"), r.HolderName)
	d.field(l.pick("CURP / identificador", "CURP / identifier"), r.Identifier)
	if r.HolderAddress != "" {
		d.field(l.pick("Domicilio del titular", "Holder's address"), r.HolderAddress)
	}
	d.field(l.pick("Número de serie del certificado", "Certificate serial number"), r.CertificateSerial)

	d.section(l.pick("Revocación", "Revocation"))
	d.field(l.pick("Motivo", "Reason"), l.pick(r.ReasonES, r.ReasonEN))
	d.field(l.pick("Motivo según RFC 5280", "RFC 5280 reason"), r.ReasonRFC5280)
	requester := by
	if r.RequesterName != "" {
		requester += ": " + r.RequesterName
	}
	d.field(l.pick("Solicitada por", "Requested by"), requester)
	d.field(l.pick("Fecha y hora de recepción de la solicitud", "Date and time the request was received"), d.when(r.ReceivedAt))
	d.field(l.pick("Fecha y hora de revocación", "Date and time of revocation"), d.when(r.RevokedAt))
	d.field(l.pick("Lugar", "Place"), r.Place)

	d.signatures(
		signature{r.HolderName, l.pick("Firma del titular", "Holder's signature")},
		signature{r.AgentName, l.pick("Nombre y firma del agente de registro", "Registration agent's name and signature")},
	)
	return d.bytes()
}
