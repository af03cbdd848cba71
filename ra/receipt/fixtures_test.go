package receipt

import (
	"strings"
	"testing"
)

const (
	testName   = "MARÍA GUADALUPE LÓPEZ HERNÁNDEZ"
	testCURP   = "LOHG850312MCSPRD02"
	testOrg    = "Secretaría de Educación"
	testURL    = "https://firma.chiapas.gob.mx/verificar/ACU-2026-000123"
	testCode   = "K7Q2-9XMA-3HTN-0C5E"
	testMonday = "lunes 23 de noviembre de 2026"
)

var testBody = ReceivingBody{
	Authority:    "Autoridad Certificadora del Estado de Chiapas",
	Organisation: testOrg,
	Code:         "GOVMX+CHP",
	Unit:         "Unidad de Firma Electrónica Avanzada",
}

// sampleAck is a filing made on Sunday night, legally received at Monday's
// first business hour (RULES D4).
func sampleAck(t *testing.T) Acknowledgement {
	return Acknowledgement{
		Folio:      "ACU-2026-000123",
		Action:     "enrollment.request",
		ActionES:   "Solicitud de certificado de firma electrónica",
		ActionEN:   "Electronic signature certificate request",
		Place:      "Tuxtla Gutiérrez, Chiapas",
		FiledAt:    mx(t, 2026, 11, 22, 21, 15, 42),
		ReceivedAt: mx(t, 2026, 11, 23, 9, 0, 0),
		Filer: Filer{
			Name:       testName,
			Identifier: "PNOMX-" + testCURP,
			Email:      "maria.lopez@educacion.chiapas.gob.mx",
		},
		ReceivingBody: testBody,
		Annexes: []Annex{
			{Name: "identificación_oficial.pdf", SHA256: strings.Repeat("ab12", 16), Size: 482133},
			{Name: "nombramiento.pdf", SHA256: strings.Repeat("9f3c", 16), Size: 120044},
		},
		VerifyURL: testURL,
		TZ:        testTZ,
	}
}

func sampleAcceptance(t *testing.T) AcceptanceForm {
	return AcceptanceForm{
		Folio: "ACE-2026-000077", VerifyURL: testURL, Code: testCode, TZ: testTZ,
		Body:       testBody,
		HolderName: testName, Identifier: testCURP, RFC: "LOHG850312AB1",
		Position:          "Directora de Planeación Educativa",
		Organisation:      testOrg,
		Email:             "maria.lopez@educacion.chiapas.gob.mx",
		CertificateSerial: "5A:3F:09:C1:77:2B:E4:10",
		NotBefore:         mx(t, 2026, 11, 23, 10, 12, 5),
		NotAfter:          mx(t, 2028, 11, 22, 10, 12, 5),
		Place:             "Tuxtla Gutiérrez, Chiapas",
		Date:              mx(t, 2026, 11, 23, 10, 15, 0),
		AgentName:         "JOSÉ ÁNGEL PÉREZ GÓMEZ",
	}
}

func sampleRevocation(t *testing.T) RevocationReceipt {
	return RevocationReceipt{
		Folio: "REV-2026-000031", VerifyURL: testURL, Code: testCode, TZ: testTZ,
		Body:       testBody,
		HolderName: testName, Identifier: testCURP,
		CertificateSerial: "5A:3F:09:C1:77:2B:E4:10",
		ReasonES:          "Separación del empleo, cargo o comisión",
		ReasonEN:          "Separation from office",
		ReasonRFC5280:     "affiliationChanged",
		RequestedBy:       BySuperior,
		RequesterName:     "ROBERTO CÁRDENAS ÑUÑEZ",
		ReceivedAt:        mx(t, 2026, 11, 23, 11, 4, 27),
		RevokedAt:         mx(t, 2026, 11, 23, 11, 9, 53),
		Place:             "Tuxtla Gutiérrez, Chiapas",
		AgentName:         "JOSÉ ÁNGEL PÉREZ GÓMEZ",
	}
}

func sampleRefusal(t *testing.T) Refusal {
	return Refusal{
		Kind:  Improcedent,
		Folio: "RES-2026-000012", VerifyURL: testURL, Code: testCode, TZ: testTZ,
		Body:          testBody,
		RequestFolio:  "ACU-2026-000123",
		ActionES:      "Solicitud de certificado de firma electrónica",
		ActionEN:      "Electronic signature certificate request",
		FiledAt:       mx(t, 2026, 11, 23, 9, 0, 0),
		IssuedAt:      mx(t, 2026, 11, 25, 13, 30, 0),
		ApplicantName: testName,
		Identifier:    "PNOMX-" + testCURP,
		Organisation:  testOrg,
		Grounds: []Ground{
			{Rule: "Art. 15, fracción III", Text: "La CURP presentada no corresponde a la registrada en RENAPO."},
			{Rule: "Art. 30, fracción II, inciso a)", Text: "No consta un nombramiento vigente en el sistema de Recursos Humanos."},
		},
		Place:        "Tuxtla Gutiérrez, Chiapas",
		OfficialName: "LIC. ANA SOFÍA RUIZ TREVIÑO",
		OfficialRole: "Titular de la Unidad de Firma Electrónica Avanzada",
		Remedy:       "Contra esta resolución procede el recurso de revisión dentro de los 15 días hábiles siguientes a su notificación.",
	}
}
