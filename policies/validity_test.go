package policies

import (
	"testing"
	"time"
)

// hrDate is a last day as HR sources give it once mapped: midnight UTC.
func hrDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// RULES P2 (T art. 30-III-f, 32, 44): an appointment that ends on a day
// lasts to the end of that day in the jurisdiction's time zone, so the
// certificate's notAfter is 23:59:59 local of the last day, never later
// than the policy maximum or the term. One case per zone: Pacific
// (Tijuana), Central (Jalisco, Zacatecas, Chiapas) and Lima (Cajamarca).
func TestRule_P2_AppointmentEndIsTheEndOfTheLastDayInTheJurisdictionsZone(t *testing.T) {
	zones := map[string]string{"tijuana": "America/Tijuana", "jalisco": "America/Mexico_City",
		"zacatecas": "America/Mexico_City", "chiapas": "America/Mexico_City", "cajamarca": "America/Lima"}
	// Before every term's end (Cajamarca's is 2026-12-31) and the maximum.
	const lastDay = "2026-12-30"
	for _, id := range fiveJurisdictions {
		p := mustPolicy(t, id)
		if got := p.Location().String(); got != zones[id] {
			t.Fatalf("%s: zone %s, want %s", id, got, zones[id])
		}
		loc, err := time.LoadLocation(zones[id])
		if err != nil {
			t.Fatal(err)
		}
		a := activeAppointment("x", "y")
		a.End = hrDate(lastDay)
		got, err := p.Validity(now, a)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		want := time.Date(2026, 12, 30, 23, 59, 59, 0, loc)
		if !got.Equal(want) {
			t.Errorf("%s: notAfter %s (%s local), want %s", id, got.UTC().Format(time.RFC3339), got.In(loc).Format(time.RFC3339), want.Format(time.RFC3339))
		}
		// Still current during the last day, in the evening local time...
		evening := time.Date(2026, 12, 30, 20, 0, 0, 0, loc)
		for _, c := range codesOf(p.Evaluate(Enrollment{Reason: "first_issuance", Appointment: a}, evening).Unmet) {
			if c == "appointment.ended" {
				t.Errorf("%s: appointment reported ended at %s on its last day", id, evening)
			}
		}
		// ...and over the next day.
		next := time.Date(2026, 12, 31, 0, 0, 0, 0, loc)
		ended := false
		for _, c := range codesOf(p.Evaluate(Enrollment{Reason: "first_issuance", Appointment: a}, next).Unmet) {
			ended = ended || c == "appointment.ended"
		}
		if !ended {
			t.Errorf("%s: appointment still current the day after its last day", id)
		}
		// Never later than the policy maximum.
		far := activeAppointment("x", "y")
		far.End = hrDate("2040-12-31")
		capped, err := p.Validity(now, far)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if max := now.AddDate(0, 0, p.Certificate.MaxValidityDays); capped.After(max) || capped.After(p.TermEnd()) {
			t.Errorf("%s: notAfter %s beyond the maximum %s or the term %s", id, capped, max, p.TermEnd())
		}
	}
}

// RULES P2: the example, an appointment ending 2027-12-31 in Mexico
// City, gives 2027-12-31T23:59:59-06:00 and not 2027-12-31T00:00Z (which is
// 30 December 18:00 local). The end of the term is read the same way.
func TestRule_P2_LastDayInMexicoCityIsNotLostToUTC(t *testing.T) {
	p := mustPolicy(t, "jalisco")
	a := activeAppointment("x", "y")
	a.End = hrDate("2027-12-31")
	got, err := p.Validity(now, a)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2028, 1, 1, 5, 59, 59, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("notAfter %s, want %s", got.UTC(), want)
	}
	if want := time.Date(2030, 12, 6, 5, 59, 59, 0, time.UTC); !p.TermEnd().Equal(want) {
		t.Fatalf("term end %s, want %s", p.TermEnd().UTC(), want)
	}
	if again := p.AppointmentEnd(p.AppointmentEnd(a.End)); !again.Equal(got) {
		t.Fatalf("AppointmentEnd is not idempotent: %s", again)
	}
}
