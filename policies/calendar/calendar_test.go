package calendar

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// mexico is a Mexican authority open 09:00–15:00 in Mexico City.
func mexico(t testing.TB, declared ...Date) *Calendar {
	t.Helper()
	c, err := New(Config{
		Location: mustLoad(t, "America/Mexico_City"),
		Country:  Mexico,
		Open:     9 * time.Hour,
		Close:    15 * time.Hour,
		Declared: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cajamarca is the Gobierno Regional de Cajamarca, open 08:00–16:30 in Lima time.
func cajamarca(t testing.TB) *Calendar {
	t.Helper()
	c, err := New(Config{
		Location: mustLoad(t, "America/Lima"),
		Country:  Peru,
		Open:     8 * time.Hour,
		Close:    16*time.Hour + 30*time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at returns a wall-clock instant in c's location: at(c, "2026-11-13 18:00").
func at(t testing.TB, c *Calendar, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, c.Location())
	if err != nil {
		v, err = time.ParseInLocation("2006-01-02 15:04", s, c.Location())
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s; want %s", what, got.Format("Mon 2006-01-02 15:04:05 MST"), want.Format("Mon 2006-01-02 15:04:05 MST"))
	}
}

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestRule_F6_MexicoHolidays2026(t *testing.T) {
	want := []string{
		"2026-01-01 Año Nuevo",
		"2026-02-02 Día de la Constitución (5 de febrero)",    // first Monday of February
		"2026-03-16 Natalicio de Benito Juárez (21 de marzo)", // third Monday of March
		"2026-05-01 Día del Trabajo",
		"2026-09-16 Día de la Independencia",
		"2026-11-16 Día de la Revolución (20 de noviembre)", // third Monday of November
		"2026-12-25 Navidad",
	}
	assertHolidays(t, MexicoHolidays(2026), want)
}

func TestRule_F6_MexicoHolidays2027(t *testing.T) {
	want := []string{
		"2027-01-01 Año Nuevo",
		"2027-02-01 Día de la Constitución (5 de febrero)",
		"2027-03-15 Natalicio de Benito Juárez (21 de marzo)",
		"2027-05-01 Día del Trabajo",
		"2027-09-16 Día de la Independencia",
		"2027-11-15 Día de la Revolución (20 de noviembre)",
		"2027-12-25 Navidad",
	}
	assertHolidays(t, MexicoHolidays(2027), want)
}

func assertHolidays(t *testing.T, got []Holiday, want []string) {
	t.Helper()
	var g []string
	for _, h := range got {
		g = append(g, h.Date.String()+" "+h.Name)
	}
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("holidays:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

func TestRule_F6_TransmissionOfTheFederalExecutive(t *testing.T) {
	c := mexico(t)
	tests := []struct {
		day      string
		business bool
	}{
		{"2024-10-01", false}, // Claudia Sheinbaum took office
		{"2030-10-01", false}, // next change, a Tuesday
		{"2036-10-01", false},
		{"2025-10-01", true}, // a plain Wednesday
		{"2026-10-01", true},
		{"2027-10-01", true},
		{"2024-12-02", true}, // the old 1 December rule no longer applies
	}
	for _, tc := range tests {
		if got := c.IsBusinessDate(d(tc.day)); got != tc.business {
			t.Errorf("IsBusinessDate(%s) = %v; want %v", tc.day, got, tc.business)
		}
	}
	// Before the 2014 reform took effect the executive changed on 1 December.
	found := false
	for _, h := range MexicoHolidays(2018) {
		if h.Date == d("2018-12-01") {
			found = true
		}
		if h.Date == d("2018-10-01") {
			t.Error("2018-10-01 listed as a holiday")
		}
	}
	if !found {
		t.Error("2018-12-01 (transmission of the executive) missing")
	}
	// Before the 2006 reform the February, March and November holidays were fixed dates.
	assertHolidays(t, MexicoHolidays(2005), []string{
		"2005-01-01 Año Nuevo",
		"2005-02-05 Día de la Constitución",
		"2005-03-21 Natalicio de Benito Juárez",
		"2005-05-01 Día del Trabajo",
		"2005-09-16 Día de la Independencia",
		"2005-11-20 Día de la Revolución",
		"2005-12-25 Navidad",
	})
}

func TestRule_F6_MexicoBusinessDays2026(t *testing.T) {
	c := mexico(t)
	tests := []struct {
		day      string
		business bool
	}{
		{"2026-02-02", false}, // first Monday of February
		{"2026-02-05", true},  // the anniversary itself is a working Thursday
		{"2026-03-16", false}, // third Monday of March
		{"2026-03-21", false}, // a Saturday anyway
		{"2026-11-16", false}, // third Monday of November
		{"2026-11-20", true},  // the anniversary itself is a working Friday
		{"2026-11-13", true},
		{"2026-11-14", false}, // Saturday
		{"2026-11-15", false}, // Sunday
		{"2026-12-24", true},  // not in LFT art. 74
		{"2026-12-25", false},
		{"2027-01-01", false},
	}
	for _, tc := range tests {
		if got := c.IsBusinessDate(d(tc.day)); got != tc.business {
			t.Errorf("IsBusinessDate(%s) = %v; want %v", tc.day, got, tc.business)
		}
	}
}

func TestRule_F6_PeruHolidays2026(t *testing.T) {
	assertHolidays(t, PeruHolidays(2026), []string{
		"2026-01-01 Año Nuevo",
		"2026-04-02 Jueves Santo",
		"2026-04-03 Viernes Santo",
		"2026-05-01 Día del Trabajo",
		"2026-06-07 Batalla de Arica y Día de la Bandera",
		"2026-06-29 San Pedro y San Pablo",
		"2026-07-23 Día de la Fuerza Aérea del Perú",
		"2026-07-28 Fiestas Patrias",
		"2026-07-29 Fiestas Patrias",
		"2026-08-06 Batalla de Junín",
		"2026-08-30 Santa Rosa de Lima",
		"2026-10-08 Combate de Angamos",
		"2026-11-01 Todos los Santos",
		"2026-12-08 Inmaculada Concepción",
		"2026-12-09 Batalla de Ayacucho",
		"2026-12-25 Navidad del Señor",
	})
}

func TestRule_F6_PeruHolidaysAddedByLaw(t *testing.T) {
	has := func(year int, day string) bool {
		for _, h := range PeruHolidays(year) {
			if h.Date == d(day) {
				return true
			}
		}
		return false
	}
	tests := []struct {
		day  string
		want bool
	}{
		{"2021-12-09", false}, {"2022-12-09", true}, // Ley 31381
		{"2021-08-06", false}, {"2022-08-06", true}, // Ley 31530
		{"2022-07-23", false}, {"2023-07-23", true}, // Ley 31822
		{"2023-06-07", false}, {"2024-06-07", true}, // Ley 31788, published after 7 June 2023
	}
	for _, tc := range tests {
		if got := has(d(tc.day).Year, tc.day); got != tc.want {
			t.Errorf("%s is a holiday: %v; want %v", tc.day, got, tc.want)
		}
	}
}

func TestRule_F6_Easter(t *testing.T) {
	// Published Easter Sunday dates (Gregorian).
	for _, s := range []string{"1818-03-22", "1943-04-25", "2000-04-23", "2019-04-21", "2024-03-31",
		"2025-04-20", "2026-04-05", "2027-03-28", "2038-04-25", "2285-03-22"} {
		want := d(s)
		if got := Easter(want.Year); got != want {
			t.Errorf("Easter(%d) = %s; want %s", want.Year, got, want)
		}
		if want.Weekday() != time.Sunday {
			t.Errorf("%s is not a Sunday", s)
		}
	}
}

// Holy Week 2026 in Cajamarca: Thursday 2 and Friday 3 April are holidays,
// so a filing on Wednesday evening is received on Monday 6 April.
func TestRule_D4_PeruHolyWeek2026(t *testing.T) {
	c := cajamarca(t)
	for _, day := range []string{"2026-04-02", "2026-04-03"} {
		if c.IsBusinessDate(d(day)) {
			t.Errorf("%s is a business day in Cajamarca", day)
		}
	}
	sameInstant(t, "ReceptionTime(Wed 1 Apr 17:00)", c.ReceptionTime(at(t, c, "2026-04-01 17:00")), at(t, c, "2026-04-06 08:00"))
	sameInstant(t, "ReceptionTime(Thu 2 Apr 10:00)", c.ReceptionTime(at(t, c, "2026-04-02 10:00")), at(t, c, "2026-04-06 08:00"))
	// 2027: Easter is 28 March, so Holy Thursday and Good Friday are 25 and 26 March.
	for _, day := range []string{"2027-03-25", "2027-03-26"} {
		if c.IsBusinessDate(d(day)) {
			t.Errorf("%s is a business day in Cajamarca", day)
		}
	}
}

// Fiestas Patrias 2026: Tuesday 28 and Wednesday 29 July. A filing on Monday
// 27 at 20:00 is received on Thursday 30 at opening.
func TestRule_D4_PeruFiestasPatrias2026(t *testing.T) {
	c := cajamarca(t)
	sameInstant(t, "ReceptionTime(Mon 27 Jul 20:00)", c.ReceptionTime(at(t, c, "2026-07-27 20:00")), at(t, c, "2026-07-30 08:00"))
	if !c.IsBusinessDate(d("2026-07-27")) || c.IsBusinessDate(d("2026-07-28")) || c.IsBusinessDate(d("2026-07-29")) {
		t.Error("wrong business days around Fiestas Patrias 2026")
	}
	// A 3-business-day term from Friday 24 July runs Mon 27, Thu 30, Fri 31.
	sameInstant(t, "Deadline(Fri 24 Jul, 3)", c.Deadline(at(t, c, "2026-07-24 10:00"), 3), at(t, c, "2026-07-31 16:30"))
	// The same days are ordinary business days in Mexico.
	if mx := mexico(t); !mx.IsBusinessDate(d("2026-07-28")) {
		t.Error("Peru's holiday leaked into the Mexican calendar")
	}
}

// RULES D4: Friday 13 November 2026 at 18:00 is after closing; Saturday,
// Sunday and Monday 16 (third Monday of November) are non-business days, so
// the filing is received on Tuesday 17 at opening.
func TestRule_D4_FilingOnFridayEveningBeforeHolidayMonday(t *testing.T) {
	c := mexico(t)
	sameInstant(t, "ReceptionTime", c.ReceptionTime(at(t, c, "2026-11-13 18:00")), at(t, c, "2026-11-17 09:00"))
	// The same instant given in UTC (00:00Z on Saturday) gives the same answer.
	utc := time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC)
	sameInstant(t, "ReceptionTime(UTC)", c.ReceptionTime(utc), at(t, c, "2026-11-17 09:00"))
	if c.ReceptionTime(utc).Location() != c.Location() {
		t.Error("result not in the calendar's location")
	}
}

func TestRule_D4_SundayFiling(t *testing.T) {
	c := mexico(t)
	sameInstant(t, "ReceptionTime(Sun 22 Nov 11:00)", c.ReceptionTime(at(t, c, "2026-11-22 11:00")), at(t, c, "2026-11-23 09:00"))
	if c.IsBusinessDay(at(t, c, "2026-11-22 11:00")) || c.IsBusinessHour(at(t, c, "2026-11-22 11:00")) {
		t.Error("Sunday counted as business time")
	}
}

// Business hours are [Open, Close): a filing at exactly 09:00 is received at
// 09:00; one at exactly 15:00 is outside business hours and is received the
// next business day at 09:00.
func TestRule_D4_FilingExactlyAtOpeningAndClosing(t *testing.T) {
	c := mexico(t)
	tests := []struct {
		filed, received string
		businessHour    bool
	}{
		{"2026-11-23 08:59:59.999999999", "2026-11-23 09:00", false},
		{"2026-11-23 09:00", "2026-11-23 09:00", true},
		{"2026-11-23 12:34:56", "2026-11-23 12:34:56", true},
		{"2026-11-23 14:59:59.999999999", "2026-11-23 14:59:59.999999999", true},
		{"2026-11-23 15:00", "2026-11-24 09:00", false},
		{"2026-11-23 23:59:59", "2026-11-24 09:00", false},
		{"2026-11-24 00:00", "2026-11-24 09:00", false},
		{"2026-11-23 07:30", "2026-11-23 09:00", false}, // before opening: same day
	}
	for _, tc := range tests {
		filed := at(t, c, tc.filed)
		sameInstant(t, "ReceptionTime("+tc.filed+")", c.ReceptionTime(filed), at(t, c, tc.received))
		if got := c.IsBusinessHour(filed); got != tc.businessHour {
			t.Errorf("IsBusinessHour(%s) = %v; want %v", tc.filed, got, tc.businessHour)
		}
	}
}

// RULES D4 and the authority's declared days: Jalisco-style declaration of
// 24 and 31 December 2026 as non-business.
func TestRule_D4_DeclaredDay(t *testing.T) {
	c := mexico(t, d("2026-12-24"), d("2026-12-31"))
	if c.IsBusinessDate(d("2026-12-24")) || c.IsBusinessDate(d("2026-12-31")) {
		t.Error("declared day is a business day")
	}
	if !mexico(t).IsBusinessDate(d("2026-12-24")) {
		t.Error("24 December is a business day without a declaration")
	}
	// Filed Wednesday 23 December at 16:00 (after closing): 24 declared,
	// 25 Navidad, 26–27 weekend → Monday 28 at opening.
	sameInstant(t, "ReceptionTime", c.ReceptionTime(at(t, c, "2026-12-23 16:00")), at(t, c, "2026-12-28 09:00"))
	// Notified Wednesday 23 at 10:00: takes effect Monday 28; the 3-day term
	// runs Tue 29, Wed 30, (Thu 31 declared, Fri 1 Jan Año Nuevo, weekend)
	// Mon 4 January 2027.
	sameInstant(t, "DeadlineFromNotification", c.DeadlineFromNotification(at(t, c, "2026-12-23 10:00"), 3), at(t, c, "2027-01-04 15:00"))

	var names []string
	for _, h := range c.Holidays(2026) {
		if h.Date.Month == time.December {
			names = append(names, h.Date.String()+" "+h.Name)
		}
	}
	want := "2026-12-25 Navidad|2026-12-24 Día declarado inhábil por la autoridad|2026-12-31 Día declarado inhábil por la autoridad"
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("Holidays(2026) December = %s; want %s", got, want)
	}
}

// RULES D3 with the example of D1: a 3-business-day deficiency term notified
// on Friday 13 November 2026 (at 11:00, within business hours). The
// notification takes effect the next business day: Monday 16 is the third
// Monday of November, so Tuesday 17. The term starts the day after, Wednesday
// 18, and counts Wed 18 (1), Thu 19 (2), Fri 20 (3); it includes its last
// day, so it ends on Friday 20 November at closing (15:00).
func TestRule_D3_DeficiencyTermNotifiedBeforeHolidayMonday(t *testing.T) {
	c := mexico(t)
	notified := at(t, c, "2026-11-13 11:00")
	sameInstant(t, "EffectiveNotification", c.EffectiveNotification(notified), at(t, c, "2026-11-17 09:00"))
	deadline := c.DeadlineFromNotification(notified, 3)
	sameInstant(t, "DeadlineFromNotification", deadline, at(t, c, "2026-11-20 15:00"))
	if n := c.BusinessDaysBetween(c.EffectiveNotification(notified), deadline); n != 3 {
		t.Errorf("BusinessDaysBetween = %d; want 3", n)
	}
	// A correction filed on Friday 20 at 14:59 is on time; at 15:00 it is
	// received on Monday 23 and is late.
	if !c.OnTime(at(t, c, "2026-11-20 14:59"), deadline) {
		t.Error("filing at 14:59 on the last day is late")
	}
	if c.OnTime(at(t, c, "2026-11-20 15:00"), deadline) {
		t.Error("filing at closing on the last day is on time")
	}
	if c.OnTime(at(t, c, "2026-11-21 10:00"), deadline) {
		t.Error("filing on the Saturday after the last day is on time")
	}
	if !c.OnTime(at(t, c, "2026-11-20 07:00"), deadline) {
		t.Error("filing before opening on the last day is late")
	}
}

// A notification sent after hours counts as made at the next opening
// (Tijuana art. 38: electronic actions take place on business days and
// hours) and takes effect the business day after that.
func TestRule_D3_NotificationOutsideBusinessHours(t *testing.T) {
	c := mexico(t)
	// Friday 13 November 18:00 → made Tue 17 09:00 → effective Wed 18.
	sameInstant(t, "EffectiveNotification(Fri 18:00)", c.EffectiveNotification(at(t, c, "2026-11-13 18:00")), at(t, c, "2026-11-18 09:00"))
	// Saturday 21 November → made Mon 23 → effective Tue 24; term Wed 25, Thu 26, Fri 27.
	sameInstant(t, "EffectiveNotification(Sat)", c.EffectiveNotification(at(t, c, "2026-11-21 10:00")), at(t, c, "2026-11-24 09:00"))
	sameInstant(t, "DeadlineFromNotification(Sat, 3)", c.DeadlineFromNotification(at(t, c, "2026-11-21 10:00"), 3), at(t, c, "2026-11-27 15:00"))
}

// RULES D1's "not presented" determination takes 5 business days. Counted
// from Thursday 24 December 2026 it crosses both Navidad and Año Nuevo:
// Mon 28 (1), Tue 29 (2), Wed 30 (3), Thu 31 (4), Mon 4 January 2027 (5).
func TestRule_D1_TermCrossingChristmasAndNewYear(t *testing.T) {
	c := mexico(t)
	start := at(t, c, "2026-12-24 09:00")
	sameInstant(t, "Deadline(24 Dec, 5)", c.Deadline(start, 5), at(t, c, "2027-01-04 15:00"))
	sameInstant(t, "Deadline(24 Dec, 3)", c.Deadline(start, 3), at(t, c, "2026-12-30 15:00"))
	// Notified Wednesday 23 December at 12:00: effective Thursday 24; the
	// 3-day term runs Mon 28, Tue 29, Wed 30.
	sameInstant(t, "DeadlineFromNotification(23 Dec, 3)", c.DeadlineFromNotification(at(t, c, "2026-12-23 12:00"), 3), at(t, c, "2026-12-30 15:00"))
	if n := c.BusinessDaysBetween(start, at(t, c, "2027-01-04 15:00")); n != 5 {
		t.Errorf("BusinessDaysBetween = %d; want 5", n)
	}
}

// RULES D3: where no term is set it is 3 business days.
func TestRule_D3_NoTermSetMeansThreeBusinessDays(t *testing.T) {
	c := mexico(t)
	start := at(t, c, "2026-11-17 09:00")
	for _, n := range []int{0, -1} {
		sameInstant(t, "Deadline(start, n<1)", c.Deadline(start, n), c.Deadline(start, DefaultTermDays))
	}
	sameInstant(t, "Deadline(Tue 17, 0)", c.Deadline(start, 0), at(t, c, "2026-11-20 15:00"))
}

// RULES D2: a refusal is due within 3 business days of the request. A
// request filed on Friday 13 November at 18:00 is received Tuesday 17; the
// three days are Wed 18, Thu 19, Fri 20.
func TestRule_D2_RefusalDueThreeBusinessDaysAfterReception(t *testing.T) {
	c := mexico(t)
	received := c.ReceptionTime(at(t, c, "2026-11-13 18:00"))
	sameInstant(t, "Deadline", c.Deadline(received, 3), at(t, c, "2026-11-20 15:00"))
}

func TestRule_D3_NextBusinessDay(t *testing.T) {
	c := mexico(t)
	tests := []struct{ from, want string }{
		{"2026-11-13 08:00", "2026-11-17 09:00"}, // strictly after the date, even before opening
		{"2026-11-14 12:00", "2026-11-17 09:00"},
		{"2026-11-17 12:00", "2026-11-18 09:00"},
		{"2026-12-31 12:00", "2027-01-04 09:00"},
	}
	for _, tc := range tests {
		sameInstant(t, "NextBusinessDay("+tc.from+")", c.NextBusinessDay(at(t, c, tc.from)), at(t, c, tc.want))
	}
}

func TestRule_D3_AddBusinessDaysAndBetween(t *testing.T) {
	c := mexico(t)
	from := at(t, c, "2026-11-13 11:30")
	sameInstant(t, "AddBusinessDays(+1)", c.AddBusinessDays(from, 1), at(t, c, "2026-11-17 11:30"))
	sameInstant(t, "AddBusinessDays(+5)", c.AddBusinessDays(from, 5), at(t, c, "2026-11-23 11:30"))
	sameInstant(t, "AddBusinessDays(-1)", c.AddBusinessDays(at(t, c, "2026-11-17 11:30"), -1), from)
	sameInstant(t, "AddBusinessDays(0)", c.AddBusinessDays(at(t, c, "2026-11-15 11:30"), 0), at(t, c, "2026-11-15 11:30"))
	if n := c.BusinessDaysBetween(from, at(t, c, "2026-11-23 08:00")); n != 5 {
		t.Errorf("BusinessDaysBetween(13 Nov, 23 Nov) = %d; want 5", n)
	}
	if n := c.BusinessDaysBetween(at(t, c, "2026-11-23 08:00"), from); n != -5 {
		t.Errorf("BusinessDaysBetween(23 Nov, 13 Nov) = %d; want -5", n)
	}
	if n := c.BusinessDaysBetween(from, from); n != 0 {
		t.Errorf("BusinessDaysBetween(same) = %d", n)
	}
	// Whole 2026: 365 days − 104 weekend days − 7 weekday holidays = 254.
	if n := c.BusinessDaysBetween(at(t, c, "2025-12-31 12:00"), at(t, c, "2026-12-31 12:00")); n != 254 {
		t.Errorf("business days in 2026 = %d; want 254", n)
	}
}

// Tijuana keeps US daylight saving time. Opening and closing hours are wall
// clock: on Sunday 8 March 2026 (clocks jump from 02:00 to 03:00) an
// authority that works Sundays still opens at 09:00 PDT (16:00 UTC), not at
// midnight PST + 9 h (10:00 PDT).
func TestRule_D4_WallClockHoursAcrossDaylightSaving(t *testing.T) {
	c, err := New(Config{
		Location:    mustLoad(t, "America/Tijuana"),
		Country:     Mexico,
		Open:        9 * time.Hour,
		Close:       15 * time.Hour,
		WorkingDays: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := c.ReceptionTime(time.Date(2026, 3, 8, 15, 30, 0, 0, time.UTC)) // 08:30 PDT
	sameInstant(t, "ReceptionTime", got, time.Date(2026, 3, 8, 16, 0, 0, 0, time.UTC))
	if h, m, _ := got.Clock(); h != 9 || m != 0 {
		t.Errorf("opening at %02d:%02d local", h, m)
	}
	// 14:59 PDT is within hours; 15:00 PDT is not.
	if !c.IsBusinessHour(time.Date(2026, 3, 8, 21, 59, 0, 0, time.UTC)) || c.IsBusinessHour(time.Date(2026, 3, 8, 22, 0, 0, 0, time.UTC)) {
		t.Error("closing hour not at 15:00 PDT")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	lima := mustLoad(t, "America/Lima")
	ok := Config{Location: lima, Country: Peru, Open: 8 * time.Hour, Close: 17 * time.Hour}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no location", func(c *Config) { c.Location = nil }, "location"},
		{"unknown country", func(c *Config) { c.Country = "US" }, "country"},
		{"lowercase country", func(c *Config) { c.Country = "mx" }, "country"},
		{"open after close", func(c *Config) { c.Open, c.Close = 17*time.Hour, 8*time.Hour }, "business hours"},
		{"open equals close", func(c *Config) { c.Close = c.Open }, "business hours"},
		{"close past midnight", func(c *Config) { c.Close = 25 * time.Hour }, "business hours"},
		{"negative open", func(c *Config) { c.Open = -time.Hour }, "business hours"},
		{"impossible declared day", func(c *Config) { c.Declared = []Date{{2026, time.February, 30}} }, "2026-02-30"},
		{"bad weekday", func(c *Config) { c.WorkingDays = []time.Weekday{7} }, "weekday"},
		{"duplicate weekday", func(c *Config) { c.WorkingDays = []time.Weekday{time.Monday, time.Monday} }, "twice"},
	}
	for _, tc := range tests {
		cfg := ok
		tc.mutate(&cfg)
		c, err := New(cfg)
		if err == nil || c != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, %v; want an error mentioning %q", tc.name, c, err, tc.want)
		}
	}
	if _, err := New(ok); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
	// Two problems are reported together.
	_, err := New(Config{Country: "US"})
	if err == nil || !strings.Contains(err.Error(), "location") || !strings.Contains(err.Error(), "country") {
		t.Errorf("New(empty) = %v", err)
	}
}

func TestNewDefaultsToMondayToFriday(t *testing.T) {
	c := mexico(t)
	for day, want := range map[string]bool{"2026-11-23": true, "2026-11-27": true, "2026-11-28": false, "2026-11-29": false} {
		if got := c.IsBusinessDate(d(day)); got != want {
			t.Errorf("IsBusinessDate(%s) = %v; want %v", day, got, want)
		}
	}
}

// The config is copied: changing the caller's slice later changes nothing.
func TestNewCopiesDeclaredDays(t *testing.T) {
	declared := []Date{d("2026-11-23")}
	c := mexico(t, declared...)
	declared[0] = d("2026-11-24")
	if c.IsBusinessDate(d("2026-11-23")) || !c.IsBusinessDate(d("2026-11-24")) {
		t.Error("calendar shares the caller's slice")
	}
}

func TestDate(t *testing.T) {
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted 2026-02-30")
	}
	if _, err := ParseDate("13/11/2026"); err == nil {
		t.Error("ParseDate accepted 13/11/2026")
	}
	x := d("2026-12-31")
	if x.AddDays(1) != d("2027-01-01") || x.AddDays(-365) != d("2025-12-31") || !x.Before(d("2027-01-01")) || !x.After(d("2026-12-30")) {
		t.Error("Date arithmetic")
	}
	if (Date{2026, time.February, 29}).Valid() || !(Date{2024, time.February, 29}).Valid() {
		t.Error("Date.Valid and leap years")
	}
	lima := mustLoad(t, "America/Lima")
	// 2026-11-14 03:00 UTC is still 13 November in Lima (UTC−5).
	if got := DateOf(time.Date(2026, 11, 14, 3, 0, 0, 0, time.UTC).In(lima)); got != d("2026-11-13") {
		t.Errorf("DateOf in Lima = %s", got)
	}
}
