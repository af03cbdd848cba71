package calendar

import (
	"fmt"
	"time"
)

// Date is a civil date with no time zone: a day on a wall calendar.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's own location; convert t with In
// first to ask about another place.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads an ISO 8601 calendar date (YYYY-MM-DD), the form used for
// declared non-business days in policy files.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: %q is not a date of the form YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Valid reports whether d exists in the Gregorian calendar.
func (d Date) Valid() bool { return DateOf(d.midnightUTC()) == d }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// AddDays returns the date n calendar days after d (before it if n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.midnightUTC().AddDate(0, 0, n)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// At returns the instant at wall-clock time offset (e.g. 9h30m) on d in loc.
// The offset is a wall-clock reading, not elapsed time since midnight, so it
// stays 09:00 on a day when daylight saving time starts or ends.
func (d Date) At(loc *time.Location, offset time.Duration) time.Time {
	h := int(offset / time.Hour)
	m := int(offset % time.Hour / time.Minute)
	s := int(offset % time.Minute / time.Second)
	ns := int(offset % time.Second)
	return time.Date(d.Year, d.Month, d.Day, h, m, s, ns, loc)
}

func (d Date) midnightUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wallClock returns the wall-clock time of day of t as an offset from
// midnight, comparable with Config.Open and Config.Close.
func wallClock(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// nthWeekday returns the n-th (1-based) given weekday of a month.
func nthWeekday(year int, month time.Month, wd time.Weekday, n int) Date {
	first := Date{year, month, 1}
	shift := (int(wd) - int(first.Weekday()) + 7) % 7
	return Date{year, month, 1 + shift + 7*(n-1)}
}
