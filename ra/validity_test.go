package ra_test

import (
	"testing"
	"time"

	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// RULES P2 (Tijuana art. 44: valid "mientras que el/la servidor/a público/a
// permanezca en el ejercicio de su cargo"): HR's last day of an appointment
// lasts until the end of that day in the jurisdiction's zone. On its
// evening in Mexico City (already the next day in UTC) the appointment
// monitor leaves the certificate valid; the day after, it revokes.
func TestRule_P2_MonitorKeepsTheLastDayInOffice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		mx, _ := time.LoadLocation("America/Mexico_City")
		w := newWF(t, e)
		certID := issued(t, w)
		y, m, d := e.Clock.Now().In(mx).AddDate(0, 0, 3).Date()
		lastDay := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // as HR sources give a date
		w.hr.set(maria.CURP, appointment.Active, lastDay)
		run := func(at time.Time, want string) {
			t.Helper()
			e.Clock.Set(at)
			if _, err := w.ra.RunMonitor(ctx, ra.System("appointment-monitor"), 100); err != nil {
				t.Fatal(err)
			}
			c, _ := e.Store.Certificate(ctx, certID)
			if c.Status != want {
				t.Fatalf("at %s (local %s): certificate %s, want %s", at.UTC(), at.In(mx), c.Status, want)
			}
		}
		run(time.Date(y, m, d, 20, 0, 0, 0, mx), store.CertValid)
		run(time.Date(y, m, d+1, 21, 0, 0, 0, mx), store.CertRevoked)
	})
}
