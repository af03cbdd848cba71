package receipt

import (
	"fmt"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// AcknowledgementPDF prints the acuse de recibo (RULES G3) with every field
// the rule names: folio, place, date and time of reception, the filer, the
// type of action, the receiving body and the annexes with their SHA-256. code
// is VerificationCode of the signed acknowledgement; the footer's QR code
// leads to a.VerifyURL (G4). lang is "es" (default) or "en".
func AcknowledgementPDF(a Acknowledgement, code string, lang string) ([]byte, error) {
	l, err := parseLang(lang)
	if err != nil {
		return nil, err
	}
	if err := required("place", a.Place, "action", a.Action, "filer name", a.Filer.Name); err != nil {
		return nil, err
	}
	if a.FiledAt.IsZero() || a.ReceivedAt.IsZero() {
		return nil, errs.New(errs.Malformed, "acknowledgement: filing and reception times are required")
	}
	if a.ReceivedAt.Before(a.FiledAt) {
		return nil, errs.New(errs.Malformed, "acknowledgement: received before it was filed")
	}
	d, err := newDoc(l, a.TZ, frame{
		title: l.pick("Acuse de recibo", "Acknowledgement of receipt"),
		body:  a.ReceivingBody, folio: a.Folio, code: code, verifyURL: a.VerifyURL,
	}, a.ReceivedAt)
	if err != nil {
		return nil, err
	}
	d.para(receivedBy(l, a.Channel) + " " + l.pick(
		"Este acuse está firmado electrónicamente y puede verificarse en línea.",
		"This acknowledgement is electronically signed and can be checked online."))

	d.section(l.pick("Datos de la recepción", "Reception"))
	d.field("Folio", a.Folio)
	d.field(l.pick("Lugar", "Place"), a.Place)
	d.field(l.pick("Fecha y hora de recepción", "Date and time of reception"), d.when(a.ReceivedAt))
	if !a.FiledAt.Equal(a.ReceivedAt) {
		d.field(l.pick("Fecha y hora de presentación", "Date and time of filing"), d.when(a.FiledAt))
		d.note(l.pick(
			"La promoción se presentó en día u hora inhábil; por ello se tiene por recibida en la primera hora hábil del día hábil siguiente, que es la fecha de recepción indicada. Los plazos se cuentan a partir de esa fecha.",
			"The filing arrived on a non-business day or hour; it therefore counts as received at the first business hour of the next business day, which is the reception date shown. Time limits run from that date."))
	}

	d.section(l.pick("Datos del promovente", "Filer"))
	d.field(l.pick("Nombre", "Name"), a.Filer.Name)
	d.field(l.pick("Identificador (CURP/DNI)", "Identifier (CURP/DNI)"), Mask(a.Filer.Identifier))
	d.field(l.pick("Correo electrónico", "E-mail"), a.Filer.Email)

	d.section(l.pick("Tipo de trámite", "Type of action"))
	// The action is named in words; its internal name (a.Action) stays in
	// the signed JSON, never on paper.
	d.field(l.pick("Trámite", "Action"), l.pick(a.ActionES, a.ActionEN))

	d.section(l.pick("Órgano receptor", "Receiving body"))
	d.field(l.pick("Autoridad", "Authority"), a.ReceivingBody.Authority)
	d.field(l.pick("Dependencia o entidad", "Organisation"), a.ReceivingBody.Organisation)
	d.field(l.pick("Clave", "Code"), a.ReceivingBody.Code)
	d.field(l.pick("Unidad", "Unit"), a.ReceivingBody.Unit)

	d.section(l.pick("Anexos", "Annexes"))
	if len(a.Annexes) == 0 {
		d.para(l.pick("Sin anexos.", "No annexes."))
	}
	items := make([]listItem, len(a.Annexes))
	for i, x := range a.Annexes {
		items[i] = listItem{
			lead: fmt.Sprintf("%s (%s)", x.Name, l.size(x.Size)),
			text: "SHA-256: " + strings.ToLower(x.SHA256),
		}
	}
	d.numbered(items)

	d.section(l.pick("Verificación", "Verification"))
	d.field(l.pick("Código de verificación", "Verification code"), code)
	d.field(l.pick("Verificación en línea", "Online check"), a.VerifyURL)
	return d.bytes()
}

// size prints a byte count the way each language groups digits.
func (l language) size(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + " bytes"
}

// receivedBy is the certifying sentence: how the filing was received, as
// the acknowledgement records it.
func receivedBy(l language, channel string) string {
	switch channel {
	case ChannelInPerson:
		return l.pick("El órgano receptor hace constar que recibió de manera presencial, en sus oficinas, la promoción que se describe a continuación.",
			"The receiving body certifies that it received in person, at its offices, the filing described below.")
	case ChannelOnline:
		return l.pick("El órgano receptor hace constar que recibió por medios electrónicos la promoción que se describe a continuación.",
			"The receiving body certifies that it received by electronic means the filing described below.")
	}
	return l.pick("El órgano receptor hace constar que recibió la promoción que se describe a continuación.",
		"The receiving body certifies that it received the filing described below.")
}
