package calendar

import (
	"errors"
	"fmt"
	"time"
)

// Countries whose public holidays the package knows.
const (
	Mexico = "MX"
	Peru   = "PE"
)

// DefaultTermDays is the term that applies where none is set: three business
// days (RULES D3; Zacatecas art. 80).
const DefaultTermDays = 3

// Config describes one authority's calendar, as read from its policy file.
type Config struct {
	Location *time.Location // where the authority sits; every result is in it
	Country  string         // Mexico or Peru: whose public holidays apply
	// Open and Close are the business hours as wall-clock offsets from
	// midnight (9*time.Hour, 15*time.Hour). Open is inclusive, Close
	// exclusive: a filing at exactly Close is outside business hours.
	Open, Close time.Duration
	// Declared are the days the authority declares non-business (RULES D4),
	// in addition to the country's holidays.
	Declared []Date
	// WorkingDays defaults to Monday to Friday when empty.
	WorkingDays []time.Weekday
}

// Calendar answers business-day questions for one authority. It is
// immutable and safe for concurrent use.
type Calendar struct {
	loc         *time.Location
	country     string
	open, close time.Duration
	declared    map[Date]bool
	working     [7]bool
}

// New checks cfg and builds a Calendar from it.
func New(cfg Config) (*Calendar, error) {
	var problems []error
	if cfg.Location == nil {
		problems = append(problems, errors.New("location is not set"))
	}
	if cfg.Country != Mexico && cfg.Country != Peru {
		problems = append(problems, fmt.Errorf("country %q is not %q or %q", cfg.Country, Mexico, Peru))
	}
	if cfg.Open < 0 || cfg.Close > 24*time.Hour || cfg.Open >= cfg.Close {
		problems = append(problems, fmt.Errorf("business hours %v–%v must satisfy 0 ≤ open < close ≤ 24h", cfg.Open, cfg.Close))
	}
	c := &Calendar{
		loc:      cfg.Location,
		country:  cfg.Country,
		open:     cfg.Open,
		close:    cfg.Close,
		declared: make(map[Date]bool, len(cfg.Declared)),
	}
	for _, d := range cfg.Declared {
		if !d.Valid() {
			problems = append(problems, fmt.Errorf("declared day %s does not exist", d))
		}
		c.declared[d] = true
	}
	working := cfg.WorkingDays
	if len(working) == 0 {
		working = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	for _, wd := range working {
		switch {
		case wd < time.Sunday || wd > time.Saturday:
			problems = append(problems, fmt.Errorf("working day %d is not a weekday", int(wd)))
		case c.working[wd]:
			problems = append(problems, fmt.Errorf("working day %v is listed twice", wd))
		default:
			c.working[wd] = true
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("calendar: invalid configuration: %w", errors.Join(problems...))
	}
	return c, nil
}

// Location returns the calendar's location.
func (c *Calendar) Location() *time.Location { return c.loc }

// Holidays returns the country's public holidays in year followed by the
// days the authority declared in year, each group in date order.
func (c *Calendar) Holidays(year int) []Holiday {
	h := c.countryHolidays(year)
	var declared []Holiday
	for d := range c.declared {
		if d.Year == year {
			declared = append(declared, Holiday{d, "Día declarado inhábil por la autoridad"})
		}
	}
	sortHolidays(declared)
	return append(h, declared...)
}

func (c *Calendar) countryHolidays(year int) []Holiday {
	if c.country == Peru {
		return PeruHolidays(year)
	}
	return MexicoHolidays(year)
}

// IsBusinessDate reports whether d is a working weekday that is neither a
// public holiday of the country nor declared non-business.
func (c *Calendar) IsBusinessDate(d Date) bool {
	if !c.working[d.Weekday()] || c.declared[d] {
		return false
	}
	holidays := mexicoHolidays
	if c.country == Peru {
		holidays = peruHolidays
	}
	for _, h := range holidays(d.Year) {
		if h.Date == d {
			return false
		}
	}
	return true
}

// IsBusinessDay reports whether t falls on a business day in the calendar's
// location.
func (c *Calendar) IsBusinessDay(t time.Time) bool { return c.IsBusinessDate(DateOf(t.In(c.loc))) }

// IsBusinessHour reports whether t is on a business day within business
// hours: Open ≤ wall-clock time < Close.
func (c *Calendar) IsBusinessHour(t time.Time) bool {
	t = t.In(c.loc)
	wc := wallClock(t)
	return c.IsBusinessDate(DateOf(t)) && wc >= c.open && wc < c.close
}

// opening and closing return the start and end of business hours on d.
func (c *Calendar) opening(d Date) time.Time { return d.At(c.loc, c.open) }
func (c *Calendar) closing(d Date) time.Time { return d.At(c.loc, c.close) }

// nextBusinessDate returns the first business date strictly after d.
// WorkingDays is never empty, so this ends within about a week plus the
// holidays and declared days in the way.
func (c *Calendar) nextBusinessDate(d Date) Date {
	for {
		d = d.AddDays(1)
		if c.IsBusinessDate(d) {
			return d
		}
	}
}

func (c *Calendar) previousBusinessDate(d Date) Date {
	for {
		d = d.AddDays(-1)
		if c.IsBusinessDate(d) {
			return d
		}
	}
}

// NextBusinessDay returns the opening time of the first business day
// strictly after t's date (in the calendar's location).
func (c *Calendar) NextBusinessDay(t time.Time) time.Time {
	return c.opening(c.nextBusinessDate(DateOf(t.In(c.loc))))
}

// ReceptionTime is when a filing made at t counts as received (RULES D4;
// Tijuana art. 17): at t itself within business hours; at the opening of the
// same day when filed before opening on a business day; and at the opening
// of the next business day when filed at or after closing or on a
// non-business day. For business hours 09:00–15:00:
//
//	Mon 10:00             → Mon 10:00
//	Mon 07:30             → Mon 09:00
//	Mon 15:00 (closing)   → Tue 09:00
//	Fri 18:00 before a
//	holiday Monday        → Tue 09:00
//	Sun 11:00             → Mon 09:00
func (c *Calendar) ReceptionTime(t time.Time) time.Time {
	t = t.In(c.loc)
	d := DateOf(t)
	if c.IsBusinessDate(d) {
		switch wc := wallClock(t); {
		case wc < c.open:
			return c.opening(d)
		case wc < c.close:
			return t
		}
	}
	return c.opening(c.nextBusinessDate(d))
}

// OnTime reports whether a filing made at filed meets a term that ends at
// deadline (as returned by Deadline): its reception time must come before
// the deadline. A filing at or after closing on the last day is received the
// next business day, and so is late.
func (c *Calendar) OnTime(filed, deadline time.Time) bool {
	return c.ReceptionTime(filed).Before(deadline)
}

// EffectiveNotification returns when a notification made at t takes effect:
// the opening of the business day after the one on which it counts as made
// (RULES D3; Zacatecas art. 78, Tijuana art. 37). Electronic actions happen
// on business days and hours (Tijuana art. 38), so a notification sent
// outside them counts as made at ReceptionTime(t), and takes effect the
// business day after that:
//
//	Fri 2026-11-13 11:00 → Tue 2026-11-17 09:00 (Mon 16 is a holiday)
//	Fri 2026-11-13 18:00 → made Tue 17 09:00 → effective Wed 2026-11-18 09:00
//	Sat 2026-11-21 10:00 → made Mon 23 09:00 → effective Tue 2026-11-24 09:00
func (c *Calendar) EffectiveNotification(t time.Time) time.Time {
	return c.NextBusinessDay(c.ReceptionTime(t))
}

// Deadline returns the instant a term of businessDays business days ends
// when it is counted from start (RULES D1, D3; Zacatecas art. 79, Tijuana
// art. 39): the term starts the day after start's date, counts business days
// only, includes its last day, and ends at that day's closing time. A
// businessDays below 1 means the law set no term, and DefaultTermDays
// applies. start is usually EffectiveNotification(...) (see
// DeadlineFromNotification) or the ReceptionTime of a request.
//
// With Mexico's calendar and hours 09:00–15:00:
//
//	Deadline(Tue 2026-11-17 09:00, 3) = Fri 2026-11-20 15:00
//	    (Wed 18, Thu 19, Fri 20)
//	Deadline(Thu 2026-12-24 09:00, 5) = Mon 2027-01-04 15:00
//	    (Fri 25 is Navidad; Mon 28, Tue 29, Wed 30, Thu 31; Fri 1 January
//	    is Año Nuevo; Mon 4)
func (c *Calendar) Deadline(start time.Time, businessDays int) time.Time {
	if businessDays < 1 {
		businessDays = DefaultTermDays
	}
	d := DateOf(start.In(c.loc))
	for i := 0; i < businessDays; i++ {
		d = c.nextBusinessDate(d)
	}
	return c.closing(d)
}

// DeadlineFromNotification is Deadline(EffectiveNotification(notified), n):
// the end of a term of n business days granted by a notification made at
// notified. Notified on Fri 2026-11-13 at 11:00 with 3 days, it takes effect
// Tue 17 and the term runs Wed 18, Thu 19 and Fri 20, ending Fri 2026-11-20
// at closing.
func (c *Calendar) DeadlineFromNotification(notified time.Time, n int) time.Time {
	return c.Deadline(c.EffectiveNotification(notified), n)
}

// AddBusinessDays moves t's date forward by n business days (backward if
// n < 0), keeping its wall-clock time of day. n = 0 returns t unchanged
// (in the calendar's location), even if t is not on a business day.
func (c *Calendar) AddBusinessDays(t time.Time, n int) time.Time {
	t = t.In(c.loc)
	d := DateOf(t)
	for ; n > 0; n-- {
		d = c.nextBusinessDate(d)
	}
	for ; n < 0; n++ {
		d = c.previousBusinessDate(d)
	}
	return d.At(c.loc, wallClock(t))
}

// BusinessDaysBetween counts the business days after a's date up to and
// including b's date, the way terms are counted; it is negative when b's
// date is before a's. So BusinessDaysBetween(start, Deadline(start, n)) = n.
func (c *Calendar) BusinessDaysBetween(a, b time.Time) int {
	da, db := DateOf(a.In(c.loc)), DateOf(b.In(c.loc))
	sign := 1
	if db.Before(da) {
		da, db, sign = db, da, -1
	}
	n := 0
	for d := da.AddDays(1); !d.After(db); d = d.AddDays(1) {
		if c.IsBusinessDate(d) {
			n++
		}
	}
	return sign * n
}
