package ra_test

import (
	"testing"
	"time"

	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store/storetest"
)

// RULES D2, D4, issue 17: a request filed after hours is legally received
// at the next opening; refused before then (the agent decides that night),
// its written refusal still prints, dated after the filing.
func TestRule_D2_RefusalBeforeLegalReceptionPrints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		mx, _ := time.LoadLocation("America/Mexico_City")
		e.Clock.Set(time.Date(2026, 11, 23, 20, 0, 0, 0, mx)) // Monday, after hours
		w.hr.set(maria.CURP, appointment.Terminated, time.Time{})
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Request.ReceivedAt.Time.After(f.Request.FiledAt.Time) {
			t.Fatalf("after-hours filing received at %v, filed at %v: not the case under test", f.Request.ReceivedAt.Time, f.Request.FiledAt.Time)
		}
		e.Clock.Add(10 * time.Minute)
		if _, err := w.ra.CheckAppointment(ctx, w.agent, f.Request.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.Refuse(ctx, w.agent, f.Request.ID, "El nombramiento no está vigente."); err != nil {
			t.Fatal(err)
		}
		pdf, err := w.ra.RefusalPDF(ctx, w.agent, f.Request.ID, "es")
		if err != nil || len(pdf.Data) == 0 {
			t.Fatalf("refusal before the legal reception time does not print: %v", err)
		}
	})
}
