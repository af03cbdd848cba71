package receipt

import (
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// RefusalKind chooses what a Refusal decides.
type RefusalKind string

// The two written decisions that end a request without a certificate.
const (
	// Improcedent: the request is refused, with its legal grounds and
	// reasons (RULES D2).
	Improcedent RefusalKind = "improcedent"
	// NotPresented: a missing requirement was not fixed within the term, so
	// the request is deemed not presented (D1).
	NotPresented RefusalKind = "notPresented"
)

// Ground is one legal ground and the reason it applies: Rule cites the
// provision ("Art. 15-III"), Text says what is wrong with this request.
type Ground struct {
	Rule string
	Text string
}

// Refusal is the written decision refusing a request or deeming it not
// presented. It must state at least one ground (D2).
type Refusal struct {
	Kind      RefusalKind
	Folio     string // of this decision
	VerifyURL string
	Code      string
	TZ        string

	Body ReceivingBody // the authority deciding

	RequestFolio string // the request decided on
	ActionES     string // what was requested
	ActionEN     string
	FiledAt      time.Time // when the request was received
	IssuedAt     time.Time // the date of this decision

	// For NotPresented: when the missing requirement was notified and when
	// the term to fix it ended (D1). Printed when set.
	NotifiedAt  time.Time
	TermEndedAt time.Time

	ApplicantName string
	Identifier    string // printed masked: the decision may travel by e-mail
	Organisation  string // the applicant's organisation

	// LegalBasis is the instrument and provision the decision rests on
	// ("Reglamento …, art. 58"), printed above the grounds (RULES D2).
	LegalBasis string
	Grounds    []Ground

	Place        string
	OfficialName string // who signs the decision
	OfficialRole string // e.g. "Titular de la Unidad de Firma Electrónica"
	Remedy       string // optional: the remedy against the decision, in the decision's language
}

// RefusalPDF prints the decision: its title by Kind ("Resolución de
// improcedencia" or "Acuerdo de solicitud no presentada"), the applicant and
// organisation, the request, the numbered grounds and reasons, place and date,
// and the deciding official's signature line.
func RefusalPDF(r Refusal, lang string) ([]byte, error) {
	l, err := parseLang(lang)
	if err != nil {
		return nil, err
	}
	var title, lead string
	switch r.Kind {
	case Improcedent:
		title = l.pick("Resolución de improcedencia", "Decision of refusal")
		lead = l.pick(
			"Con fundamento en las disposiciones que se citan, se resuelve que la solicitud descrita es improcedente por los fundamentos y motivos siguientes:",
			"On the grounds of the provisions cited, the request described is refused for the following legal grounds and reasons:")
	case NotPresented:
		title = l.pick("Acuerdo de solicitud no presentada", "Decision: request deemed not presented")
		lead = l.pick(
			"Se notificó al solicitante la falta de requisitos y no los subsanó dentro del plazo concedido; en consecuencia, la solicitud descrita se tiene por no presentada, por los fundamentos y motivos siguientes:",
			"The applicant was notified of missing requirements and did not supply them within the term granted; the request described is therefore deemed not presented, for the following legal grounds and reasons:")
	default:
		return nil, errs.New(errs.Malformed, "refusal: kind %q (improcedent or notPresented)", r.Kind)
	}
	if err := required("request folio", r.RequestFolio, "applicant name", r.ApplicantName,
		"organisation", r.Organisation, "place", r.Place, "official name", r.OfficialName); err != nil {
		return nil, err
	}
	if len(r.Grounds) == 0 {
		return nil, errs.New(errs.Malformed, "refusal: a written refusal states its legal grounds and reasons")
	}
	items := make([]listItem, len(r.Grounds))
	for i, g := range r.Grounds {
		if err := required("ground rule", g.Rule, "ground text", g.Text); err != nil {
			return nil, err
		}
		items[i] = listItem{lead: g.Rule, text: g.Text}
	}
	if r.FiledAt.IsZero() || r.IssuedAt.Before(r.FiledAt) {
		return nil, errs.New(errs.Malformed, "refusal: filing and decision dates are required, in that order")
	}
	d, err := newDoc(l, r.TZ, frame{title: title, body: r.Body, folio: r.Folio, code: r.Code, verifyURL: r.VerifyURL}, r.IssuedAt)
	if err != nil {
		return nil, err
	}

	d.section(l.pick("Solicitante", "Applicant"))
	d.field(l.pick("Nombre", "Name"), r.ApplicantName)
	d.field(l.pick("Identificador (CURP/DNI)", "Identifier (CURP/DNI)"), Mask(r.Identifier))
	d.field(l.pick("Dependencia o entidad", "Organisation"), r.Organisation)

	d.section(l.pick("Solicitud", "Request"))
	d.field(l.pick("Folio de la solicitud", "Request folio"), r.RequestFolio)
	d.field(l.pick("Trámite", "Action"), l.pick(r.ActionES, r.ActionEN))
	d.field(l.pick("Fecha y hora de recepción", "Date and time of reception"), d.when(r.FiledAt))
	if !r.NotifiedAt.IsZero() {
		d.field(l.pick("Requerimiento notificado", "Missing requirements notified"), d.when(r.NotifiedAt))
	}
	if !r.TermEndedAt.IsZero() {
		d.field(l.pick("Plazo para subsanar vencido", "Term to supply them ended"), d.when(r.TermEndedAt))
	}

	d.section(l.pick("Fundamentos y motivos", "Legal grounds and reasons"))
	d.para(lead)
	if r.LegalBasis != "" {
		d.field(l.pick("Fundamento legal", "Legal basis"), r.LegalBasis)
	}
	d.numbered(items)
	if r.Remedy != "" {
		d.section(l.pick("Medios de defensa", "Remedies"))
		d.para(r.Remedy)
	}

	d.pdf.Ln(2)
	d.field(l.pick("Lugar y fecha", "Place and date"), r.Place+", "+d.when(r.IssuedAt))

	d.signatures(signature{r.OfficialName, r.OfficialRole})
	return d.bytes()
}
