package ra_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

var blanks = regexp.MustCompile(`\s+`)

// pdfPlainText is what a reader sees on the printed page (pdftotext), with
// every run of blanks and line breaks squeezed to one space.
func pdfPlainText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext is not installed (poppler-utils): %v", err)
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return blanks.ReplaceAllString(string(out), " ")
}

// RULES D1, D2 (Zacatecas art. 16, 58): the deficiency notice, the "not
// presented" determination and the written refusal cite the legal
// instrument and its article from the policy, in the e-mails and on paper;
// no notice, PDF or e-mail names a file of this repository ("seeds/…").
func TestRule_D2_NoticesCiteTheInstrumentNeverAFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		zac := &store.Organisation{Code: "SEDUZAC", Name: "Secretaría de Educación de Zacatecas", PolicyID: "zacatecas"}
		if err := e.Store.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, zac) }); err != nil {
			t.Fatal(err)
		}
		zagent := ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, zac.ID), Role: store.RoleAgent, OrgID: zac.ID}
		type jur struct {
			org        string
			agent      ra.Actor
			person     store.PersonData
			instrument string
			deficiency string // the citation the deficiency and not-presented notices carry
			refusal    string
		}
		jurs := []jur{
			{"SEP-JAL", w.agent, maria, "Requisitos y procedimiento para obtener los certificados electrónicos para servidores públicos",
				"Requisitos, fracciones I a III", "Requisitos, fracciones I a III"},
			{"SEDUZAC", zagent, store.PersonData{GivenNames: "Carmen", FirstSurname: "García", SecondSurname: "Ruiz",
				CURP: "GARC850315MZSRDR01", Email: "carmen.garcia@zacatecas.gob.mx"},
				"Reglamento de la Ley de Firma Electrónica del Estado de Zacatecas", "Reglamento de la Ley de Firma Electrónica del Estado de Zacatecas, art. 16",
				"Reglamento de la Ley de Firma Electrónica del Estado de Zacatecas, art. 58"},
		}
		var pdfs []string
		for _, j := range jurs {
			w.hr.set(j.person.CURP, appointment.Terminated, time.Time{})
			second := j.person
			second.GivenNames, second.CURP = "Otra "+second.GivenNames, strings.Replace(second.CURP, "0", "1", 1)
			// One request is marked deficient and lapses; another is refused.
			lapsed, err := w.ra.FileInPerson(ctx, j.agent, ra.FileRequest{OrgCode: j.org, Reason: "first_issuance", Person: j.person})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.ra.MarkDeficient(ctx, j.agent, lapsed.Request.ID); err != nil {
				t.Fatal(err)
			}
			refused, err := w.ra.FileInPerson(ctx, j.agent, ra.FileRequest{OrgCode: j.org, Reason: "first_issuance", Person: j.person})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.ra.CheckAppointment(ctx, j.agent, refused.Request.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.ra.Refuse(ctx, j.agent, refused.Request.ID, "El nombramiento no está vigente."); err != nil {
				t.Fatal(err)
			}
			e.Clock.Add(30 * 24 * time.Hour)
			if _, err := w.ra.RunDeadlines(ctx, ra.System("scheduler")); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{lapsed.Request.ID, refused.Request.ID} {
				for _, lang := range []string{"es", "en"} {
					pdf, err := w.ra.RefusalPDF(ctx, j.agent, id, lang)
					if err != nil {
						t.Fatalf("%s request %d: %v", j.org, id, err)
					}
					text := pdfPlainText(t, pdf.Data)
					pdfs = append(pdfs, text)
					want := j.refusal
					if id == lapsed.Request.ID {
						want = j.deficiency
					}
					if !strings.Contains(text, want) {
						t.Errorf("%s %s PDF of request %d does not cite %q:\n%s", j.org, lang, id, want, text)
					}
				}
			}
		}
		for _, text := range pdfs {
			if strings.Contains(text, "seeds/") {
				t.Errorf("a PDF names a file of the repository:\n%s", text)
			}
		}
		// Every e-mail queued, rendered as the worker would send it.
		cited := map[string]int{}
		for _, job := range jobs(t, e.Store, notify.JobKind) {
			var m notify.Message
			if err := json.Unmarshal(job.Payload, &m); err != nil {
				t.Fatal(err)
			}
			out, err := notify.Render(m)
			if err != nil {
				t.Fatalf("%s: %v", m.Template, err)
			}
			text, html := blanks.ReplaceAllString(out.Text, " "), blanks.ReplaceAllString(out.HTML, " ")
			all := out.Subject + " " + text + " " + html
			if strings.Contains(all, "seeds/") {
				t.Errorf("%s e-mail names a file of the repository:\n%s", m.Template, out.Text)
			}
			switch m.Template {
			case notify.TemplateDeficiencyNotice, notify.TemplateNotPresented, notify.TemplateRefusal:
				ok := false
				for _, j := range jurs {
					want := j.deficiency
					if m.Template == notify.TemplateRefusal {
						want = j.refusal
					}
					ok = ok || strings.Contains(text, want) && strings.Contains(html, j.instrument)
				}
				if !ok {
					t.Errorf("%s e-mail does not cite the instrument and its article:\n%s", m.Template, out.Text)
				}
				cited[m.Template]++
			}
		}
		for _, tmpl := range []string{notify.TemplateDeficiencyNotice, notify.TemplateNotPresented, notify.TemplateRefusal} {
			if cited[tmpl] != len(jurs) {
				t.Errorf("%d %s e-mails, want %d", cited[tmpl], tmpl, len(jurs))
			}
		}
	})
}
