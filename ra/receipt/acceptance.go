package receipt

import (
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// AcceptanceForm is the holder's signed acceptance of responsibility (RULES
// R8; Chiapas' "Formato de Aceptación de Responsabilidad"), printed when the
// certificate is issued and signed by hand by the holder and the agent. It is
// the holder's own form, so the identifier is printed in full.
type AcceptanceForm struct {
	Folio     string
	VerifyURL string // where the QR code leads (G4)
	Code      string // verification code of the signed record behind the form
	TZ        string // IANA zone the dates are printed in

	Body ReceivingBody // the authority issuing the certificate, heading the form

	HolderName   string
	Identifier   string // CURP (or DNI), in full
	RFC          string // optional (R4)
	Position     string // the holder's post (P1)
	Organisation string // the entity the holder works for (P1)
	Email        string // institutional address for notifications (R9)

	CertificateSerial string // hex
	NotBefore         time.Time
	NotAfter          time.Time

	Place     string
	Date      time.Time // when the form is signed
	AgentName string    // the registration agent who witnessed it (R6)

	// AdditionalTerms are further obligations the jurisdiction's policy
	// adds, printed after the standard ones, already in the form's language.
	AdditionalTerms []string
}

// AcceptanceFormPDF prints the acceptance of responsibility: the holder's
// data, the certificate's serial and validity, the obligations the holder
// accepts (private key secret and under sole control, revocation on
// compromise, use for official acts only, end on leaving office), place and
// date, and signature lines for the holder and the agent.
func AcceptanceFormPDF(f AcceptanceForm, lang string) ([]byte, error) {
	l, err := parseLang(lang)
	if err != nil {
		return nil, err
	}
	if err := required("holder name", f.HolderName, "identifier", f.Identifier, "position", f.Position,
		"organisation", f.Organisation, "certificate serial", f.CertificateSerial, "place", f.Place,
		"agent name", f.AgentName); err != nil {
		return nil, err
	}
	if f.NotBefore.IsZero() || !f.NotAfter.After(f.NotBefore) {
		return nil, errs.New(errs.Malformed, "acceptance form: certificate validity is missing or inverted")
	}
	d, err := newDoc(l, f.TZ, frame{
		title: l.pick("Formato de aceptación de responsabilidad", "Acceptance of responsibility"),
		body:  f.Body, folio: f.Folio, code: f.Code, verifyURL: f.VerifyURL,
	}, f.Date)
	if err != nil {
		return nil, err
	}

	d.section(l.pick("Datos del titular", "Holder"))
	d.field(l.pick("Nombre", "Name"), f.HolderName)
	d.field(l.pick("CURP / identificador", "CURP / identifier"), f.Identifier)
	if f.RFC != "" {
		d.field("RFC", f.RFC)
	}
	d.field(l.pick("Cargo", "Position"), f.Position)
	d.field(l.pick("Dependencia o entidad", "Organisation"), f.Organisation)
	d.field(l.pick("Correo institucional", "Institutional e-mail"), f.Email)

	d.section(l.pick("Datos del certificado", "Certificate"))
	d.field(l.pick("Número de serie", "Serial number"), f.CertificateSerial)
	d.field(l.pick("Válido desde", "Valid from"), d.when(f.NotBefore))
	d.field(l.pick("Válido hasta", "Valid until"), d.when(f.NotAfter))

	d.section(l.pick("Obligaciones que acepta el titular", "Obligations the holder accepts"))
	d.para(l.pick(
		"Al firmar este formato, el titular del certificado declara que los datos y documentos presentados son verdaderos y acepta las obligaciones siguientes:",
		"By signing this form the certificate holder declares that the data and documents provided are true and accepts the following obligations:"))
	items := []listItem{
		{text: l.pick(
			"Generé mi clave privada en secreto y bajo mi control exclusivo. La mantendré en secreto, no la compartiré con nadie y respondo de su custodia y de todo uso que se haga de ella.",
			"I generated my private key in secret and under my sole control. I will keep it secret, share it with no one, and I am responsible for its safekeeping and for every use made of it.")},
		{text: l.pick(
			"Solicitaré de inmediato la revocación del certificado si mi clave privada o su contraseña se pierden, se exponen o pueden ser usadas por otra persona, o si los datos del certificado dejan de ser correctos.",
			"I will immediately request the revocation of the certificate if my private key or its password is lost, exposed or may be used by someone else, or if the certificate's data are no longer correct.")},
		{text: l.pick(
			"Usaré el certificado y mi firma electrónica únicamente para los actos propios de mi empleo, cargo o comisión, dentro de los límites de uso que el certificado indica.",
			"I will use the certificate and my electronic signature only for the official acts of my post, within the limits of use the certificate states.")},
		{text: l.pick(
			"El certificado es válido solo mientras permanezca en el cargo: al separarme de él por cualquier causa el certificado termina, y mi superior jerárquico solicitará su revocación.",
			"The certificate is valid only while I remain in office: when I leave the post for any reason the certificate ends, and my superior will request its revocation.")},
	}
	if f.Email != "" {
		items = append(items, listItem{text: l.pick(
			"Acepto que las notificaciones relativas a mi certificado se envíen a mi correo institucional "+f.Email+".",
			"I accept that notices about my certificate are sent to my institutional e-mail "+f.Email+".")})
	}
	for _, t := range f.AdditionalTerms {
		items = append(items, listItem{text: t})
	}
	d.numbered(items)

	d.pdf.Ln(2)
	d.field(l.pick("Lugar y fecha", "Place and date"), f.Place+", "+d.when(f.Date))

	d.signatures(
		signature{f.HolderName, l.pick("Firma del titular", "Holder's signature")},
		signature{f.AgentName, l.pick("Nombre y firma del agente de registro", "Registration agent's name and signature")},
	)
	return d.bytes()
}
