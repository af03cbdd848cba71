package policies

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies/calendar"
	"github.com/sello-pki/sello/policies/validate"
)

// Appointment lookup outcomes. "Not found" and "unavailable" are distinct,
// and neither ever lets a request through (RULES R1).
const (
	AppointmentFound       = "found"
	AppointmentNotFound    = "not_found"
	AppointmentUnavailable = "unavailable"
)

// AppointmentFacts is what the HR source said (ra/appointment fills it).
type AppointmentFacts struct {
	State        string // AppointmentFound, AppointmentNotFound or AppointmentUnavailable
	Status       string // active, on_leave, suspended, terminated
	Organisation string
	Position     string
	Start        time.Time
	End          time.Time // last day (a date, midnight UTC) or an instant; zero: open-ended. See Policy.AppointmentEnd.
	// Elsewhere is set by the RA when the organisation HR names is not the
	// one the request was filed with: the appointment is not one that
	// organisation can certify (RULES R1).
	Elsewhere bool `json:",omitempty"`
	// Name is the holder's full name as HR records it, when the source
	// gives one; the RA compares it with the applicant's (RULES R3).
	Name string `json:",omitempty"`
}

// IDDocument is the official photo ID the agent saw (RULES R2, R6).
// Issuer is who issued it, as an ISO 3166 code (MX-JAL: the State of
// Jalisco); a policy may accept a kind from some issuers only.
type IDDocument struct {
	Kind   string
	Number string
	Issuer string
}

// Enrollment is what the engine evaluates: the applicant's data and what has
// been checked so far.
type Enrollment struct {
	Reason            string
	CURP, RFC, DNI    string
	Email             string
	EmailVerified     bool
	Online            bool // filed online (RULES R9: e-mail verified first)
	Appointment       *AppointmentFacts
	IDDocument        *IDDocument          // nil until the agent has seen it
	Documents         map[string]time.Time // kind -> issue date
	Biometrics        []string
	InPerson          bool // the agent confirmed the in-person appearance (RULES R6)
	RequestFormSigned bool
	AgreementSigned   bool
	PaymentReceipt    string
	FiledAt           time.Time
	// RENAPOConfirmed: the agent validated the CURP with the national
	// registry (RULES R3, Zacatecas). DNIIssueDate: the issue date printed on
	// the DNI card, checked by the agent against the card (Cajamarca).
	RENAPOConfirmed bool
	DNIIssueDate    string
}

// Finding is one requirement, with its rule id and a Spanish and English
// text, so a refusal can state its grounds and reasons (RULES D2).
type Finding struct {
	Rule     string `json:"rule"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	InPerson bool   `json:"inPerson"` // the agent confirms it in person
	ES       string `json:"es"`
	EN       string `json:"en"`
}

// Decision is the result of evaluating an enrollment.
type Decision struct {
	Unmet     []Finding `json:"unmet"`     // every requirement not met, automatic or in person
	Checklist []Finding `json:"checklist"` // every in-person item the agent must confirm, met or not
	Warnings  []Finding `json:"warnings"`  // shown to the agent, never a refusal (e.g. RULES F2)
}

// Approvable reports whether nothing is unmet.
func (d Decision) Approvable() bool { return len(d.Unmet) == 0 }

// Rules returns the sorted, distinct rule ids of the unmet requirements.
func (d Decision) Rules() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range d.Unmet {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			out = append(out, f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

// Grounds writes the unmet requirements as numbered lines in one language
// ("es" or "en"), for a written refusal.
func (d Decision) Grounds(lang string) string {
	var b strings.Builder
	for i, f := range d.Unmet {
		text := f.ES
		if lang == "en" {
			text = f.EN
		}
		fmt.Fprintf(&b, "%d. [%s] %s\n", i+1, f.Rule, text)
	}
	return b.String()
}

type evaluation struct {
	d *Decision
}

func (ev evaluation) unmet(rule, code, field, es, en string) {
	ev.d.Unmet = append(ev.d.Unmet, Finding{Rule: rule, Code: code, Field: field, ES: es, EN: en})
}

// inPerson records a checklist item and, when not yet confirmed, an unmet one.
func (ev evaluation) inPerson(met bool, rule, code, field, es, en string) {
	f := Finding{Rule: rule, Code: code, Field: field, InPerson: true, ES: es, EN: en}
	ev.d.Checklist = append(ev.d.Checklist, f)
	if !met {
		ev.d.Unmet = append(ev.d.Unmet, f)
	}
}

func validatorFinding(ev evaluation, rule string, err error) {
	if ve, ok := err.(*validate.Error); ok {
		ev.unmet(rule, ve.Code, ve.Field, ve.ES, ve.EN)
		return
	}
	ev.unmet(rule, "invalid", "", err.Error(), err.Error())
}

// Evaluate checks an enrollment against the policy at now and returns every
// unmet requirement with its rule id, and the in-person checklist.
func (p *Policy) Evaluate(e Enrollment, now time.Time) Decision {
	d := Decision{Unmet: []Finding{}, Checklist: []Finding{}, Warnings: []Finding{}}
	ev := evaluation{&d}
	p.evalReason(ev, e)
	p.evalIdentifiers(ev, e, now)
	p.evalEmail(ev, e)
	if p.Appointment.Required {
		p.evalAppointment(ev, e.Appointment, now)
	}
	p.evalIdentity(ev, e)
	p.evalDocuments(ev, e, now)
	p.evalCapture(ev, e)
	p.evalConditions(ev, e, now)
	return d
}

// evalReason: R10, the request reason is one the policy offers; some need a
// receipt.
func (p *Policy) evalReason(ev evaluation, e Enrollment) {
	reason, ok := p.reason(e.Reason)
	switch {
	case !ok:
		ev.unmet("R10", "reason.unknown", "reason", fmt.Sprintf("El motivo de solicitud %q no está previsto en esta política.", e.Reason),
			fmt.Sprintf("The request reason %q is not offered by this policy.", e.Reason))
	case reason.Payment && strings.TrimSpace(e.PaymentReceipt) == "":
		ev.unmet("R10", "payment.missing", "payment_receipt", "Este motivo de solicitud requiere registrar el comprobante de pago antes de la solicitud.",
			"This request reason needs a payment receipt registered before the request.")
	}
}

// evalIdentifiers: R3, R4, F1-F3, the identifiers the policy requires,
// and the registry and card checks the agent makes on them.
func (p *Policy) evalIdentifiers(ev evaluation, e Enrollment, now time.Time) {
	for _, kind := range p.Identifiers.Required {
		switch kind {
		case "CURP":
			if e.CURP == "" {
				ev.unmet("R3", "curp.missing", "curp", "Falta la CURP.", "The CURP is missing.")
			} else if _, err := validate.ParseCURP(e.CURP); err != nil {
				validatorFinding(ev, "R3", err)
			}
		case "RFC":
			p.evalRFC(ev, e.RFC)
		case "DNI":
			if e.DNI == "" {
				ev.unmet("R3", "dni.missing", "dni", "Falta el DNI.", "The DNI is missing.")
			} else if _, err := validate.ParseDNI(e.DNI); err != nil {
				validatorFinding(ev, "R3", err)
			}
		}
	}
	if p.Identifiers.RENAPO {
		// No RENAPO service is reachable from here: the agent validates the
		// CURP with the registry and records it (who and when is audited).
		ev.inPerson(e.RENAPOConfirmed, "R3", "curp.renapo", "curp", "Validar la CURP en el Registro Nacional de Población (RENAPO).",
			"Validate the CURP with the national population registry (RENAPO).")
	}
	if p.Identifiers.DNIIssueDate {
		// The card itself (kind and number) is R2's item; this one is the date.
		issued, dateErr := time.Parse("2006-01-02", e.DNIIssueDate)
		ev.inPerson(dateErr == nil && !issued.After(now), "R3", "dni.issue_date", "dni", "Verificar el DNI físico y registrar su fecha de emisión, que debe coincidir con la del documento.",
			"Check the DNI card and record its issue date, which must match the card.")
	}
}

// evalRFC: R4 and F2. The validator's warnings are shown, not refused, except
// that a public servant is a natural person: a company's RFC or SAT's generic
// RFCs (which identify no one) do not meet R4.
func (p *Policy) evalRFC(ev evaluation, value string) {
	if value == "" {
		ev.unmet("R4", "rfc.missing", "rfc", "Falta el RFC, obligatorio para servidores públicos.", "The RFC (tax id) is missing; it is mandatory for public servants.")
		return
	}
	rfc, warns, err := validate.ParseRFC(value)
	if err != nil {
		validatorFinding(ev, "R4", err)
		return
	}
	generic := false
	for _, w := range warns {
		switch {
		case w.Code == "rfc.generic":
			generic = true
		case w.Code == "rfc.check_digit" && p.Identifiers.RFCCheckDigit == "ignore":
		default:
			ev.d.Warnings = append(ev.d.Warnings, Finding{Rule: "F2", Code: w.Code, Field: "rfc", ES: w.ES, EN: w.EN})
		}
	}
	switch {
	case generic:
		ev.unmet("R4", "rfc.generic", "rfc", "El RFC genérico no identifica a una persona; se requiere el RFC del servidor público.",
			"A generic RFC identifies no one; the public servant's own RFC is required.")
	case rfc.Kind != validate.RFCFisica:
		ev.unmet("R4", "rfc.not_natural_person", "rfc", "El RFC debe ser de persona física (13 caracteres).",
			"The RFC must be a natural person's (13 characters).")
	}
}

// evalEmail: R9, an institutional e-mail, verified first when filed online.
func (p *Policy) evalEmail(ev evaluation, e Enrollment) {
	if err := validate.InstitutionalEmail(e.Email, p.Email.Domains); err != nil {
		validatorFinding(ev, "R9", err)
	}
	if p.Email.VerifyOnline && e.Online && !e.EmailVerified {
		ev.unmet("R9", "email.unverified", "email", "El correo electrónico no ha sido validado.", "The e-mail address has not been verified.")
	}
}

// evalIdentity: R2 and R6, the official ID, seen in person.
func (p *Policy) evalIdentity(ev evaluation, e Enrollment) {
	idOK := e.IDDocument != nil && strings.TrimSpace(e.IDDocument.Number) != ""
	if e.IDDocument != nil && !contains(p.IDDocuments.Accepted, e.IDDocument.Kind) {
		ev.unmet("R2", "id.kind_not_accepted", "id_document", fmt.Sprintf("La identificación %s no es de las aceptadas (%s).", e.IDDocument.Kind, strings.Join(p.IDDocuments.Accepted, ", ")),
			fmt.Sprintf("ID kind %s is not accepted (%s).", e.IDDocument.Kind, strings.Join(p.IDDocuments.Accepted, ", ")))
		idOK = true // refused above, not also "missing"
	}
	if idOK && e.IDDocument != nil && contains(p.IDDocuments.Accepted, e.IDDocument.Kind) {
		p.evalIDIssuer(ev, e.IDDocument)
	}
	ev.inPerson(idOK, "R2", "id.not_seen", "id_document", "Cotejar una identificación oficial con fotografía vigente y registrar su tipo y número.",
		"Check an official photo ID and record its kind and number.")
	if p.InPerson {
		ev.inPerson(e.InPerson, "R6", "in_person", "in_person", "El solicitante debe comparecer en persona y los datos deben coincidir con su identificación.",
			"The applicant must appear in person and the data must match the ID.")
	}
}

// evalIDIssuer: R2, an ID kind the policy accepts from some issuers only
// (Jalisco: "licencia de conducir expedida por el Estado de Jalisco").
func (p *Policy) evalIDIssuer(ev evaluation, id *IDDocument) {
	issuers, restricted := p.IDDocuments.Issuers[id.Kind]
	if !restricted {
		return
	}
	issuer := strings.ToUpper(strings.TrimSpace(id.Issuer))
	switch {
	case issuer == "":
		ev.unmet("R2", "id.issuer_missing", "id_document", fmt.Sprintf("Registrar quién expidió la identificación %s; solo se acepta la expedida por %s.", id.Kind, strings.Join(issuers, ", ")),
			fmt.Sprintf("Record who issued the %s; only one issued by %s is accepted.", id.Kind, strings.Join(issuers, ", ")))
	case !contains(issuers, issuer):
		ev.unmet("R2", "id.issuer_not_accepted", "id_document", fmt.Sprintf("La identificación %s expedida por %s no es de las aceptadas: solo la expedida por %s.", id.Kind, issuer, strings.Join(issuers, ", ")),
			fmt.Sprintf("A %s issued by %s is not accepted: only one issued by %s.", id.Kind, issuer, strings.Join(issuers, ", ")))
	}
}

// evalDocuments: R5 and the other documents the reason needs, with their
// maximum age counted to the filing.
func (p *Policy) evalDocuments(ev evaluation, e Enrollment, now time.Time) {
	for _, doc := range p.Documents {
		if len(doc.Reasons) > 0 && !contains(doc.Reasons, e.Reason) {
			continue
		}
		issued, ok := e.Documents[doc.Kind]
		if !ok {
			ev.unmet(doc.Rule, "document.missing", doc.Kind, "Falta: "+doc.ES, "Missing: "+doc.EN)
			continue
		}
		ref := e.FiledAt
		if ref.IsZero() {
			ref = now
		}
		if issued.After(now) {
			ev.unmet(doc.Rule, "document.future_dated", doc.Kind, doc.ES+": la fecha de emisión es posterior a hoy.", doc.EN+": the issue date is in the future.")
			continue
		}
		if doc.MaxAgeDays > 0 && issued.Before(ref.AddDate(0, 0, -doc.MaxAgeDays)) {
			ev.unmet(doc.Rule, "document.too_old", doc.Kind,
				fmt.Sprintf("%s: emitido el %s, con más de %d días de antigüedad.", doc.ES, issued.Format("02/01/2006"), doc.MaxAgeDays),
				fmt.Sprintf("%s: issued %s, more than %d days old.", doc.EN, issued.Format("2006-01-02"), doc.MaxAgeDays))
		}
	}
}

// evalCapture: R7 and R8, what the agent captures and collects in person
// (biometrics, the signed request form and the agreement).
func (p *Policy) evalCapture(ev evaluation, e Enrollment) {
	for _, b := range p.Biometrics {
		es, en := biometricText(b)
		ev.inPerson(contains(e.Biometrics, b), "R7", "biometric."+strings.ToLower(b), "biometrics", "Capturar "+es+".", "Capture the "+en+".")
	}
	if p.RequestForm {
		ev.inPerson(e.RequestFormSigned, "R8", "request_form", "request_form", "Recabar la solicitud firmada por el solicitante.",
			"Collect the request form signed by the applicant.")
	}
	if p.Agreement {
		ev.inPerson(e.AgreementSigned, "R8", "agreement", "agreement", "Recabar el acuerdo de aceptación de responsabilidad firmado de puño y letra.",
			"Collect the acceptance-of-responsibility agreement signed by hand.")
	}
}

// evalConditions evaluates the conditions that do not fit the schema. A
// condition that cannot be evaluated is unmet, never skipped.
func (p *Policy) evalConditions(ev evaluation, e Enrollment, now time.Time) {
	act := e.activation(now)
	for _, c := range p.cel {
		applies, met, err := c.eval(act)
		if !applies || met {
			continue
		}
		f := Finding{Rule: c.Rule, Code: "condition." + c.ID, ES: c.ES, EN: c.EN}
		if err != nil {
			f.ES += " (no se pudo evaluar)"
			f.EN += " (could not be evaluated: " + err.Error() + ")"
		}
		ev.d.Unmet = append(ev.d.Unmet, f)
	}
}

// evalAppointment: R1, a current appointment verified with HR.
func (p *Policy) evalAppointment(ev evaluation, a *AppointmentFacts, now time.Time) {
	hr := p.Appointment.HRBody
	switch {
	case a == nil:
		ev.unmet("R1", "appointment.unchecked", "appointment", "El nombramiento no ha sido verificado con "+hr+".",
			"The appointment has not been verified with "+hr+".")
	case a.State == AppointmentUnavailable:
		ev.unmet("R1", "appointment.unavailable", "appointment", "No fue posible consultar el nombramiento con "+hr+"; la solicitud no puede aprobarse hasta confirmarlo.",
			"The appointment could not be checked with "+hr+"; the request cannot be approved until it is.")
	case a.State == AppointmentNotFound:
		ev.unmet("R1", "appointment.not_found", "appointment", hr+" no registra un nombramiento del solicitante.",
			hr+" has no appointment on record for the applicant.")
	case a.State != AppointmentFound:
		ev.unmet("R1", "appointment.unchecked", "appointment", "Resultado de la consulta de nombramiento no reconocido.", "Unrecognised appointment lookup result.")
	case a.Elsewhere:
		ev.unmet("R1", "appointment.other_organisation", "appointment",
			fmt.Sprintf("%s registra el nombramiento en «%s», no en la organización que tramita la solicitud.", hr, a.Organisation),
			fmt.Sprintf("%s records the appointment at %q, not at the organisation the request was filed with.", hr, a.Organisation))
	case a.Status != "active":
		ev.unmet("R1", "appointment.not_active", "appointment", fmt.Sprintf("El nombramiento no está vigente (estado: %s).", statusES(a.Status)),
			fmt.Sprintf("The appointment is not current (status: %s).", a.Status))
	case now.Before(a.Start):
		ev.unmet("R1", "appointment.not_started", "appointment", "El nombramiento aún no inicia.", "The appointment has not started yet.")
	case !a.End.IsZero() && !now.Before(p.AppointmentEnd(a.End)):
		ev.unmet("R1", "appointment.ended", "appointment", "El nombramiento concluyó el "+a.End.Format("02/01/2006")+".", "The appointment ended on "+a.End.Format("2006-01-02")+".")
	}
}

// Validity returns the end of a certificate issued at now:
// min(policy maximum, appointment end, end of the government's term), where
// an end date means the last second of that day in the jurisdiction's zone
// (RULES P2: 2027-12-31 in Mexico City ends at 2027-12-31T23:59:59-06:00). It
// refuses when no validity is left: the appointment is not current, or the
// term ends before now (RULES P2, P4).
func (p *Policy) Validity(now time.Time, a *AppointmentFacts) (time.Time, error) {
	end := now.AddDate(0, 0, p.Certificate.MaxValidityDays)
	if t := p.TermEnd(); t.Before(end) {
		end = t
	}
	if p.Appointment.Required {
		if a == nil || a.State != AppointmentFound || a.Status != "active" {
			return time.Time{}, errs.New(errs.PolicyRefused, "no current appointment: a certificate cannot be issued or renewed (RULES P2, P4)")
		}
	}
	if a != nil && a.State == AppointmentFound && !a.End.IsZero() {
		if last := p.AppointmentEnd(a.End); last.Before(end) {
			end = last
		}
	}
	if !end.After(now) {
		return time.Time{}, errs.New(errs.PolicyRefused, "the validity would end before it starts: the appointment or the government's term is over (RULES P2, P4)")
	}
	return end.Truncate(time.Second), nil
}

func (p *Policy) reason(id string) (Reason, bool) {
	for _, r := range p.Reasons {
		if r.ID == id {
			return r, true
		}
	}
	return Reason{}, false
}

// Reason returns a request reason of the policy.
func (p *Policy) Reason(id string) (Reason, bool) { return p.reason(id) }

// StatusReason finds a suspension, revocation or extinction reason by id.
func (p *Policy) StatusReason(id string) (StatusReason, string, bool) {
	for group, list := range map[string][]StatusReason{"suspension": p.StatusCodes.Suspension,
		"revocation": p.StatusCodes.Revocation, "extinction": p.StatusCodes.Extinction} {
		for _, r := range list {
			if r.ID == id {
				return r, group, true
			}
		}
	}
	return StatusReason{}, "", false
}

// Calendar returns the policy's business calendar.
func (p *Policy) Calendar() *calendar.Calendar {
	if p.cal == nil {
		return nil
	}
	return p.cal.Calendar
}

type calendarHolder struct{ *calendar.Calendar }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sortStrings(s []string) { sort.Strings(s) }

func biometricText(kind string) (es, en string) {
	switch kind {
	case "PHOTO":
		return "la fotografía de frente", "frontal photo"
	case "FINGERPRINTS":
		return "las huellas dactilares", "fingerprints"
	case "HANDWRITTEN_SIGNATURE":
		return "la firma autógrafa", "handwritten signature"
	}
	return kind, kind
}

func statusES(s string) string {
	switch s {
	case "on_leave":
		return "con licencia"
	case "suspended":
		return "suspendido"
	case "terminated":
		return "baja"
	}
	return s
}
