package ra_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store/storetest"
)

// RULES D2: the written refusal states the grounds the agent wrote and the
// unmet requirements as the applicant failed them, not the agent's own
// checklist ("Capturar las huellas dactilares.") as if it were addressed
// to the applicant; in the e-mail and on paper, in both languages.
func TestRule_D2_RefusalNoticeStatesAgentGroundsAndApplicantRequirements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Terminated, time.Time{})
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.CheckAppointment(ctx, w.agent, f.Request.ID); err != nil {
			t.Fatal(err)
		}
		const note = "Recursos Humanos informó la baja de la solicitante el 15 de octubre de 2026."
		req, err := w.ra.Refuse(ctx, w.agent, f.Request.ID, note)
		if err != nil {
			t.Fatal(err)
		}
		// The agent's checklist, which the applicant must never read as
		// addressed to them.
		var checklist []string
		for _, c := range req.Data.Decision.Checklist {
			checklist = append(checklist, c.ES, c.EN)
			for _, lang := range []string{"es", "en"} {
				if got := c.ForApplicant(lang); got == c.ES || got == c.EN {
					t.Errorf("in-person finding %s has no wording for the applicant (%s): %q", c.Code, lang, got)
				}
			}
		}
		if !strings.Contains(strings.Join(checklist, "\n"), "Capturar las huellas dactilares.") {
			t.Fatalf("the fixture should leave the fingerprints uncaptured: %q", checklist)
		}
		wantES := []string{note, "No se capturaron sus datos biométricos: las huellas dactilares.",
			"No presentó una identificación oficial vigente con fotografía.", "Requisitos no cumplidos"}

		var mail string
		for _, job := range jobs(t, e.Store, notify.JobKind) {
			var m notify.Message
			if err := json.Unmarshal(job.Payload, &m); err != nil {
				t.Fatal(err)
			}
			if m.Template != notify.TemplateRefusal {
				continue
			}
			out, err := notify.Render(m)
			if err != nil {
				t.Fatal(err)
			}
			mail = blanks.ReplaceAllString(out.Text+" "+out.HTML, " ")
		}
		if mail == "" {
			t.Fatal("no refusal e-mail queued")
		}
		check := func(what, text string, want []string) {
			t.Helper()
			for _, s := range want {
				if !strings.Contains(text, s) {
					t.Errorf("%s lacks %q:\n%s", what, s, text)
				}
			}
			for _, s := range checklist {
				if strings.Contains(text, s) {
					t.Errorf("%s states the agent's checklist item %q to the applicant:\n%s", what, s, text)
				}
			}
		}
		check("refusal e-mail", mail, wantES)
		for lang, want := range map[string][]string{
			"es": wantES[:3],
			"en": {note, "Your biometric data was not captured: fingerprints.", "You did not present a valid official photo ID."},
		} {
			pdf, err := w.ra.RefusalPDF(ctx, w.agent, f.Request.ID, lang)
			if err != nil {
				t.Fatal(err)
			}
			check("refusal PDF ("+lang+")", pdfPlainText(t, pdf.Data), want)
		}
	})
}
