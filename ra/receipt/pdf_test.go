package receipt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

func TestRule_G3_AcknowledgementHasEveryField(t *testing.T) {
	a := sampleAck(t)
	pdf, err := AcknowledgementPDF(a, testCode, "es")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	wantAll(t, text,
		"Acuse de recibo",
		"Folio ACU-2026-000123",           // folio
		"Lugar Tuxtla Gutiérrez, Chiapas", // place
		"Fecha y hora de recepción lunes 23 de noviembre de 2026, 09:00:00 h", // legal reception (D4)
		"Fecha y hora de presentación domingo 22 de noviembre de 2026, 21:15:42 h",
		"America/Mexico_City, UTC-06:00",
		"día u hora inhábil",                                                 // why the two times differ
		testName, "PNOMX-******RD02", "maria.lopez@educacion.chiapas.gob.mx", // filer
		"Solicitud de certificado de firma electrónica",                       // type of action
		"Autoridad Certificadora del Estado de Chiapas", testOrg, "GOVMX+CHP", // receiving body
		"Unidad de Firma Electrónica Avanzada",
		"identificación_oficial.pdf (482,133 bytes)", "SHA-256: "+strings.Repeat("ab12", 16), // annexes
		"nombramiento.pdf (120,044 bytes)", "SHA-256: "+strings.Repeat("9f3c", 16),
		"Código de verificación: "+testCode, testURL, // G4
		"Página 1 de 1",
	)
	// The printed acuse shows the identifier masked, never in full (G6).
	wantNone(t, text, testCURP, "{nb}", "Acknowledgement of receipt")

	en, err := AcknowledgementPDF(a, testCode, "en")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, pdfText(t, en), "Acknowledgement of receipt", "Monday 23 November 2026, 09:00:00",
		"Sunday 22 November 2026, 21:15:42", "non-business day", testName, testOrg, "Page 1 of 1")

	// Filed within business hours: one time, no explanation.
	a.FiledAt = a.ReceivedAt
	pdf, err = AcknowledgementPDF(a, testCode, "")
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, pdf)
	wantAll(t, text, "Acuse de recibo", "Fecha y hora de recepción "+testMonday)
	wantNone(t, text, "Fecha y hora de presentación", "inhábil")
}

func TestRule_G3_AcknowledgementRefusesIncomplete(t *testing.T) {
	for name, mutate := range map[string]func(*Acknowledgement){
		"no folio":       func(a *Acknowledgement) { a.Folio = "" },
		"no place":       func(a *Acknowledgement) { a.Place = "" },
		"no filer":       func(a *Acknowledgement) { a.Filer.Name = "" },
		"no action":      func(a *Acknowledgement) { a.Action = "" },
		"no verify URL":  func(a *Acknowledgement) { a.VerifyURL = "" },
		"no authority":   func(a *Acknowledgement) { a.ReceivingBody.Authority = "" },
		"no time zone":   func(a *Acknowledgement) { a.TZ = "" },
		"bad time zone":  func(a *Acknowledgement) { a.TZ = "Mars/Olympus_Mons" },
		"no reception":   func(a *Acknowledgement) { a.ReceivedAt = time.Time{} },
		"received first": func(a *Acknowledgement) { a.FiledAt = a.ReceivedAt.Add(1) },
	} {
		t.Run(name, func(t *testing.T) {
			a := sampleAck(t)
			mutate(&a)
			if _, err := AcknowledgementPDF(a, testCode, "es"); !errs.Has(err, errs.Malformed) {
				t.Fatalf("err = %v, want %s", err, errs.Malformed)
			}
		})
	}
	if _, err := AcknowledgementPDF(sampleAck(t), "", "es"); !errs.Has(err, errs.Malformed) {
		t.Errorf("no verification code: err = %v", err)
	}
	if _, err := AcknowledgementPDF(sampleAck(t), testCode, "fr"); !errs.Has(err, errs.Malformed) {
		t.Errorf("lang fr: err = %v", err)
	}
}

// Every printed document carries a QR code that a phone or scanner reads as
// the online check's address, on every page (RULES G4).
func TestRule_G4_QRLeadsToOnlineCheck(t *testing.T) {
	ack := sampleAck(t)
	ack.VerifyURL = "https://firma.chiapas.gob.mx/v/ACU-2026-000123?c=K7Q29XMA3HTN0C5E"
	acc := sampleAcceptance(t)
	acc.VerifyURL = "https://firma.chiapas.gob.mx/v/ACE-2026-000077"
	rev := sampleRevocation(t)
	rev.VerifyURL = "https://firma.chiapas.gob.mx/v/REV-2026-000031"
	ref := sampleRefusal(t)
	ref.VerifyURL = "https://firma.chiapas.gob.mx/v/RES-2026-000012"
	docs := []struct {
		name, url string
		render    func() ([]byte, error)
	}{
		{"acknowledgement", ack.VerifyURL, func() ([]byte, error) { return AcknowledgementPDF(ack, testCode, "es") }},
		{"acceptance", acc.VerifyURL, func() ([]byte, error) { return AcceptanceFormPDF(acc, "es") }},
		{"revocation", rev.VerifyURL, func() ([]byte, error) { return RevocationReceiptPDF(rev, "en") }},
		{"refusal", ref.VerifyURL, func() ([]byte, error) { return RefusalPDF(ref, "es") }},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			pdf, err := d.render()
			if err != nil {
				t.Fatal(err)
			}
			if got := qrOnPage(t, pdf, 1); got != d.url {
				t.Fatalf("QR on page 1 reads %q, want %q", got, d.url)
			}
		})
	}

	// The longest address accepted still scans; a longer one is refused
	// rather than printed as a code nobody can read.
	long := sampleAck(t)
	long.VerifyURL = "https://firma.chiapas.gob.mx/v/" + strings.Repeat("x7", 100)[:maxVerifyURL-31]
	pdf, err := AcknowledgementPDF(long, testCode, "es")
	if err != nil {
		t.Fatal(err)
	}
	if got := qrOnPage(t, pdf, 1); got != long.VerifyURL {
		t.Errorf("QR with a %d-byte URL reads %q", len(long.VerifyURL), got)
	}
	long.VerifyURL += "x"
	if _, err := AcknowledgementPDF(long, testCode, "es"); !errs.Has(err, errs.Malformed) {
		t.Errorf("URL over the limit: err = %v, want %s", err, errs.Malformed)
	}

	// A long acknowledgement: the QR and the verification code are on every page.
	for i := range 40 {
		ack.Annexes = append(ack.Annexes, Annex{Name: fmt.Sprintf("anexo_%02d.pdf", i), SHA256: strings.Repeat("0f", 32), Size: int64(1000 + i)})
	}
	pdf, err = AcknowledgementPDF(ack, testCode, "es")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	pages := strings.Count(text, "\f")
	if pages < 2 {
		t.Fatalf("expected several pages, got %d", pages)
	}
	for p := 1; p <= pages; p++ {
		wantAll(t, text, fmt.Sprintf("Página %d de %d", p, pages))
	}
	if n := strings.Count(text, "Código de verificación: "+testCode); n != pages {
		t.Errorf("verification code in %d footers, want %d", n, pages)
	}
	if got := qrOnPage(t, pdf, pages); got != ack.VerifyURL {
		t.Errorf("QR on the last page reads %q", got)
	}
}

func TestRule_R8_AcceptanceForm(t *testing.T) {
	f := sampleAcceptance(t)
	f.AdditionalTerms = []string{"Conservaré el dispositivo criptográfico bajo resguardo personal."}
	pdf, err := AcceptanceFormPDF(f, "es")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	wantAll(t, text,
		"Formato de aceptación de responsabilidad", "ACE-2026-000077",
		testName, testCURP, // the holder's own form: identifier in full
		"Directora de Planeación Educativa", testOrg, "5A:3F:09:C1:77:2B:E4:10",
		"Válido desde "+testMonday+", 10:12:05 h", "Válido hasta miércoles 22 de noviembre de 2028",
		"bajo mi control exclusivo", "La mantendré en secreto", // P3
		"Solicitaré de inmediato la revocación",   // compromise
		"actos propios de mi empleo",              // P1
		"mientras permanezca en el cargo",         // P2
		"Conservaré el dispositivo criptográfico", // policy's own terms
		"Tuxtla Gutiérrez, Chiapas, "+testMonday,
		"Firma del titular", "Nombre y firma del agente de registro", "JOSÉ ÁNGEL PÉREZ GÓMEZ",
	)
	if strings.Count(text, "\f") != 1 {
		t.Errorf("the acceptance form should fit one page so that the signatures sit under the obligations")
	}
	en, err := AcceptanceFormPDF(f, "en")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, pdfText(t, en), "Acceptance of responsibility", "sole control", "Monday 23 November 2026", testName)

	f.AgentName = ""
	if _, err := AcceptanceFormPDF(f, "es"); !errs.Has(err, errs.Malformed) {
		t.Errorf("no agent: err = %v", err)
	}
	f = sampleAcceptance(t)
	f.NotAfter = f.NotBefore
	if _, err := AcceptanceFormPDF(f, "es"); !errs.Has(err, errs.Malformed) {
		t.Errorf("empty validity: err = %v", err)
	}
}

func TestRule_S4_RevocationReceipt(t *testing.T) {
	r := sampleRevocation(t)
	pdf, err := RevocationReceiptPDF(r, "es")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	wantAll(t, text,
		"Comprobante de revocación", "REV-2026-000031",
		testName, testCURP, "5A:3F:09:C1:77:2B:E4:10",
		"Motivo Separación del empleo, cargo o comisión",
		"affiliationChanged",
		"El superior jerárquico del titular: ROBERTO CÁRDENAS ÑUÑEZ",
		testMonday+", 11:04:27 h", // exact reception
		testMonday+", 11:09:53 h", // exact revocation
		"Firma del titular", "Nombre y firma del agente de registro",
	)
	en, err := RevocationReceiptPDF(r, "en")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, pdfText(t, en), "Revocation receipt", "Separation from office", "affiliationChanged",
		"Monday 23 November 2026, 11:09:53", "The holder's superior")

	for _, by := range []Requester{ByHolder, ByAgent, ByAutomatic} {
		r := sampleRevocation(t)
		r.RequestedBy, r.RequesterName = by, ""
		pdf, err := RevocationReceiptPDF(r, "es")
		if err != nil {
			t.Fatalf("%s: %v", by, err)
		}
		want := map[Requester]string{ByHolder: "Solicitada por El titular", ByAgent: "El agente de registro", ByAutomatic: "De oficio, por el sistema"}[by]
		wantAll(t, pdfText(t, pdf), want)
	}
	r.RequestedBy = "neighbour"
	if _, err := RevocationReceiptPDF(r, "es"); !errs.Has(err, errs.Malformed) {
		t.Errorf("unknown requester: err = %v", err)
	}
	r = sampleRevocation(t)
	r.RevokedAt = r.ReceivedAt.Add(-1)
	if _, err := RevocationReceiptPDF(r, "es"); !errs.Has(err, errs.Malformed) {
		t.Errorf("revoked before received: err = %v", err)
	}
}

func TestRule_D2_RefusalStatesGrounds(t *testing.T) {
	r := sampleRefusal(t)
	pdf, err := RefusalPDF(r, "es")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	wantAll(t, text,
		"Resolución de improcedencia", "RES-2026-000012", "ACU-2026-000123",
		testName, "PNOMX-******RD02", testOrg,
		"Fecha y hora de recepción "+testMonday,
		"Fundamentos y motivos",
		"1. Art. 15, fracción III", "La CURP presentada no corresponde a la registrada en RENAPO.",
		"2. Art. 30, fracción II, inciso a)", "No consta un nombramiento vigente",
		"recurso de revisión",
		"Tuxtla Gutiérrez, Chiapas, miércoles 25 de noviembre de 2026",
		"LIC. ANA SOFÍA RUIZ TREVIÑO",
	)
	wantNone(t, text, testCURP)

	en, err := RefusalPDF(r, "en")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, pdfText(t, en), "Decision of refusal", "Legal grounds and reasons", "Art. 15, fracción III")

	// D1: the same document, titled as "not presented", with the term that lapsed.
	r.Kind = NotPresented
	r.NotifiedAt = mx(t, 2026, 11, 23, 12, 0, 0)
	r.TermEndedAt = mx(t, 2026, 11, 26, 23, 59, 59)
	r.IssuedAt = mx(t, 2026, 11, 27, 10, 0, 0)
	pdf, err = RefusalPDF(r, "es")
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, pdf)
	wantAll(t, text, "Acuerdo de solicitud no presentada", "se tiene por no presentada",
		"Requerimiento notificado "+testMonday, "Plazo para subsanar vencido jueves 26 de noviembre de 2026, 23:59:59 h",
		"1. Art. 15, fracción III")
	wantNone(t, text, "Resolución de improcedencia")
	en, err = RefusalPDF(r, "en")
	if err != nil {
		t.Fatal(err)
	}
	wantAll(t, pdfText(t, en), "Decision: request deemed not presented")

	for name, mutate := range map[string]func(*Refusal){
		"no grounds":           func(r *Refusal) { r.Grounds = nil },
		"ground with no rule":  func(r *Refusal) { r.Grounds[0].Rule = "" },
		"ground with no text":  func(r *Refusal) { r.Grounds[1].Text = " " },
		"unknown kind":         func(r *Refusal) { r.Kind = "maybe" },
		"decided before filed": func(r *Refusal) { r.IssuedAt = r.FiledAt.Add(-1) },
	} {
		r := sampleRefusal(t)
		mutate(&r)
		if _, err := RefusalPDF(r, "es"); !errs.Has(err, errs.Malformed) {
			t.Errorf("%s: err = %v, want %s", name, err, errs.Malformed)
		}
	}
}

// Names are printed with the embedded DejaVu font, so characters outside
// Latin-1 and decomposed accents survive.
func TestNamesOutsideLatin1Render(t *testing.T) {
	names := []string{
		"ÑUÑEZ MÜLLER GÜEMES",    // Ñ, Ü
		"ŁUKASZ ŠIMEK ŐRSÉG",     // Latin Extended-A, beyond Latin-1
		"JOSE\u0301 MUN\u0303OZ", // combining acute and tilde (NFD)
		"ANA\u0308 ÇAĞLAR Ğ Ş İ",
	}
	r := sampleRevocation(t)
	r.HolderName = strings.Join(names, " / ")
	pdf, err := RevocationReceiptPDF(r, "es")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	// Decomposed accents are printed as the precomposed letter, so the mark
	// sits on its letter (fpdf does no mark positioning).
	wantAll(t, text, "ÑUÑEZ MÜLLER GÜEMES", "ŁUKASZ ŠIMEK ŐRSÉG", "JOSÉ MUÑOZ", "ANÄ ÇAĞLAR Ğ Ş İ")
	wantNone(t, text, "\u0301", "\u0303", "\u0308")

	// The glyphs come from the embedded font, not from whatever the viewer
	// substitutes: pdffonts must list DejaVu as embedded and nothing else.
	out := string(run(t, tool(t, "pdffonts", "poppler-utils"), writePDF(t, pdf)))
	lines := strings.Split(strings.TrimSpace(out), "\n")[2:]
	if len(lines) == 0 {
		t.Fatalf("no fonts:\n%s", out)
	}
	for _, l := range lines {
		f := strings.Fields(l) // name type encoding emb sub uni object-id generation
		if len(f) < 6 || !strings.Contains(strings.ToLower(f[0]), "dejavu") || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded DejaVu: %s", l)
		}
	}
}

// The same input prints the same bytes: no wall clock in the document.
func TestDocumentsAreReproducible(t *testing.T) {
	a1, err := AcknowledgementPDF(sampleAck(t), testCode, "es")
	if err != nil {
		t.Fatal(err)
	}
	a2, err := AcknowledgementPDF(sampleAck(t), testCode, "es")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a1, a2) {
		t.Fatal("two renderings of the same acknowledgement differ")
	}
	if !bytes.Contains(a1, []byte("D:20261123150000")) {
		t.Error("PDF creation date is not the reception time")
	}
}
