// Package calendar owns business days and business hours: which days are
// non-business (weekends, the country's public holidays, days the authority
// declares), when a filing counts as received (RULES D4), when a notification
// takes effect (D3) and when a term in business days ends (D1, D2, D3).
//
// Everything is a pure function of its arguments and of the Config the
// Calendar was built from: nothing here reads the clock. All results are in
// the calendar's location, and opening and closing hours are wall-clock times
// there (so a border city that observes daylight saving time still opens at
// 09:00 local time on the day the clocks change).
package calendar
