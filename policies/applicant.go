package policies

import "strings"

// ForApplicant is the finding as a notice to the applicant states it, in
// lang ("es" or "en"). A finding's ES and EN texts are written for whoever
// reads the agent's screen; the in-person ones are the agent's checklist
// ("Capturar las huellas dactilares."), which addressed to the applicant
// would read as an instruction to them. Those are restated as the
// requirement the applicant did not meet (RULES D1, D2); the others already
// describe the request and are returned as they are.
func (f Finding) ForApplicant(lang string) string {
	es, en := f.ES, f.EN
	if f.InPerson {
		if a, ok := applicantText(f.Code); ok {
			es, en = a[0], a[1]
		}
	}
	if lang == "en" {
		return en
	}
	return es
}

// applicantTexts restates the in-person checklist items for the applicant.
var applicantTexts = map[string][2]string{
	"curp.renapo": {"No se pudo validar su CURP en el Registro Nacional de Población (RENAPO).",
		"Your CURP could not be validated with the National Population Registry (RENAPO)."},
	"dni.issue_date": {"No se cotejó su DNI físico con una fecha de emisión válida.",
		"Your physical DNI was not checked against a valid issue date."},
	"id.not_seen": {"No presentó una identificación oficial vigente con fotografía.",
		"You did not present a valid official photo ID."},
	"in_person": {"No compareció en persona, o sus datos no coincidieron con su identificación.",
		"You did not appear in person, or your data did not match your ID."},
	"request_form": {"No entregó la solicitud firmada por usted.",
		"You did not hand in the request form signed by you."},
	"agreement": {"No entregó el acuerdo de aceptación de responsabilidad firmado de su puño y letra.",
		"You did not hand in the acceptance-of-responsibility agreement signed in your own hand."},
}

func applicantText(code string) ([2]string, bool) {
	if kind, ok := strings.CutPrefix(code, "biometric."); ok {
		es, en := biometricText(strings.ToUpper(kind))
		return [2]string{"No se capturaron sus datos biométricos: " + es + ".", "Your biometric data was not captured: " + en + "."}, true
	}
	a, ok := applicantTexts[code]
	return a, ok
}
