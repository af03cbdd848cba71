package calendar

import (
	"testing"
	"time"
)

// Invariants of D3 and D4 checked every 90 minutes over 2026 and 2027, for a
// Mexican and a Peruvian calendar.
func TestRule_D4_ReceptionAndDeadlineInvariants2026to2027(t *testing.T) {
	for _, c := range []*Calendar{mexico(t, d("2026-12-24")), cajamarca(t)} {
		end := time.Date(2028, 1, 1, 0, 0, 0, 0, c.Location())
		for ts := time.Date(2026, 1, 1, 0, 0, 0, 0, c.Location()); ts.Before(end); ts = ts.Add(90 * time.Minute) {
			r := c.ReceptionTime(ts)
			if r.Before(ts) || !c.IsBusinessHour(r) || !c.ReceptionTime(r).Equal(r) {
				t.Fatalf("%s: ReceptionTime(%s) = %s", c.loc, ts, r)
			}
			if c.IsBusinessHour(ts) != r.Equal(ts) {
				t.Fatalf("%s: ReceptionTime(%s) = %s moved a business-hour filing (or kept another)", c.loc, ts, r)
			}
			e := c.EffectiveNotification(ts)
			if !e.After(r) || !c.IsBusinessHour(e) || wallClock(e) != c.open || c.BusinessDaysBetween(r, e) != 1 {
				t.Fatalf("%s: EffectiveNotification(%s) = %s", c.loc, ts, e)
			}
			for n := 1; n <= 5; n++ {
				dl := c.Deadline(e, n)
				if !c.IsBusinessDay(dl) || wallClock(dl) != c.close || c.BusinessDaysBetween(e, dl) != n {
					t.Fatalf("%s: Deadline(%s, %d) = %s", c.loc, e, n, dl)
				}
				if got := c.AddBusinessDays(e, n); DateOf(got) != DateOf(dl) {
					t.Fatalf("%s: AddBusinessDays(%s, %d) = %s; Deadline on %s", c.loc, e, n, got, dl)
				}
			}
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-13", "2024-02-29", "2026-02-30", "13/11/2026", "", "0000-01-01", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseDate(s)
		if err != nil {
			return
		}
		if !v.Valid() {
			t.Fatalf("ParseDate(%q) = invalid %+v", s, v)
		}
		again, err := ParseDate(v.String())
		if err != nil || again != v {
			t.Fatalf("round trip of %q via %q: %+v, %v", s, v.String(), again, err)
		}
	})
}
