package policies

import "time"

// NextBatch returns the first batch dispatch time at or after t (RULES D5:
// "enviados a RENIEC los días viernes a las 4:30 p.m. de cada semana"), in
// the calendar's time zone; ok is false when the policy has no batch.
func (p *Policy) NextBatch(t time.Time) (at time.Time, ok bool) {
	day, ok := p.batchSlot()
	if !ok {
		return time.Time{}, false
	}
	at = p.batchOn(t)
	for at.Before(t) || at.Weekday() != day {
		at = p.batchOn(at.AddDate(0, 0, 1))
	}
	return at, true
}

// BatchAtOrBefore returns the last batch dispatch time at or before t (an
// early renewal goes in "el viernes a los 10 días antes de su caducidad":
// the batch that still leaves the window before expiry).
func (p *Policy) BatchAtOrBefore(t time.Time) (at time.Time, ok bool) {
	day, ok := p.batchSlot()
	if !ok {
		return time.Time{}, false
	}
	at = p.batchOn(t)
	for at.After(t) || at.Weekday() != day {
		at = p.batchOn(at.AddDate(0, 0, -1))
	}
	return at, true
}

func (p *Policy) batchSlot() (time.Weekday, bool) {
	if p.Batch == nil {
		return 0, false
	}
	day, ok := weekdays[p.Batch.Weekday]
	if _, valid := clockTime(p.Batch.Time); !ok || !valid {
		return 0, false
	}
	return day, true
}

// batchOn returns the batch time of t's calendar day in the policy's zone.
func (p *Policy) batchOn(t time.Time) time.Time {
	loc := p.Location()
	off, _ := clockTime(p.Batch.Time)
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
}
