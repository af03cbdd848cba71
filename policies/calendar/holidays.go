package calendar

import (
	"sort"
	"time"
)

// Holiday is a public holiday of a country.
type Holiday struct {
	Date Date
	Name string // in Spanish, as the law names it
}

// MexicoHolidays returns the mandatory rest days of the Ley Federal del
// Trabajo, art. 74 (RULES F6), for year, in date order:
//
//   - I    1 January (Año Nuevo);
//   - II   the first Monday of February, for 5 February (Constitución);
//   - III  the third Monday of March, for 21 March (Benito Juárez);
//   - IV   1 May (Día del Trabajo);
//   - V    16 September (Independencia);
//   - VI   the third Monday of November, for 20 November (Revolución);
//   - VII  1 October every six years, when the federal executive changes
//     (2024, 2030, 2036…); until 2018 the change, and the holiday, was on
//     1 December (2000, 2006, 2012, 2018);
//   - VIII 25 December (Navidad);
//   - IX   the days the federal and local electoral laws set for ordinary
//     elections. Ordinary federal elections are held on the first Sunday of
//     June (LGIPE art. 22) and ordinary local ones on the same Sunday
//     (Constitution art. 116-IV-a), so the day is already a non-business
//     day and is not listed. An authority that works on Sundays, or an
//     extraordinary election on a weekday, puts the day in Config.Declared.
//
// The Monday rule of II, III and VI dates from the reform published in the
// DOF on 17 January 2006; earlier years get the fixed dates.
func MexicoHolidays(year int) []Holiday {
	h := mexicoHolidays(year)
	sortHolidays(h)
	return h
}

// mexicoHolidays is MexicoHolidays in no particular order.
func mexicoHolidays(year int) []Holiday {
	h := []Holiday{
		{Date{year, 1, 1}, "Año Nuevo"},
		{Date{year, 5, 1}, "Día del Trabajo"},
		{Date{year, 9, 16}, "Día de la Independencia"},
		{Date{year, 12, 25}, "Navidad"},
	}
	if year >= 2006 {
		h = append(h,
			Holiday{nthWeekday(year, time.February, time.Monday, 1), "Día de la Constitución (5 de febrero)"},
			Holiday{nthWeekday(year, time.March, time.Monday, 3), "Natalicio de Benito Juárez (21 de marzo)"},
			Holiday{nthWeekday(year, time.November, time.Monday, 3), "Día de la Revolución (20 de noviembre)"})
	} else {
		h = append(h,
			Holiday{Date{year, 2, 5}, "Día de la Constitución"},
			Holiday{Date{year, 3, 21}, "Natalicio de Benito Juárez"},
			Holiday{Date{year, 11, 20}, "Día de la Revolución"})
	}
	if (year-2000)%6 == 0 {
		d := Date{year, 10, 1}
		if year < 2024 {
			d = Date{year, 12, 1}
		}
		h = append(h, Holiday{d, "Transmisión del Poder Ejecutivo Federal"})
	}
	return h
}

// PeruHolidays returns Peru's national public holidays (Decreto Legislativo
// 713, art. 6, as amended) for year, in date order. Four were added by
// recent laws and count from the first year they could be observed:
// 9 December, Batalla de Ayacucho (Ley 31381, published 31 December 2021:
// from 2022); 6 August, Batalla de Junín (Ley 31530, July 2022: from 2022);
// 23 July, Día de la Fuerza Aérea (Ley 31822, July 2023: from 2023); 7 June,
// Batalla de Arica y Día de la Bandera (Ley 31788, published 15 June 2023:
// from 2024). Days the executive declares non-working for the public sector
// each year ("días no laborables") are not holidays: put them in
// Config.Declared.
func PeruHolidays(year int) []Holiday {
	h := peruHolidays(year)
	sortHolidays(h)
	return h
}

// peruHolidays is PeruHolidays in no particular order.
func peruHolidays(year int) []Holiday {
	easter := Easter(year)
	h := []Holiday{
		{Date{year, 1, 1}, "Año Nuevo"},
		{easter.AddDays(-3), "Jueves Santo"},
		{easter.AddDays(-2), "Viernes Santo"},
		{Date{year, 5, 1}, "Día del Trabajo"},
		{Date{year, 6, 29}, "San Pedro y San Pablo"},
		{Date{year, 7, 28}, "Fiestas Patrias"},
		{Date{year, 7, 29}, "Fiestas Patrias"},
		{Date{year, 8, 30}, "Santa Rosa de Lima"},
		{Date{year, 10, 8}, "Combate de Angamos"},
		{Date{year, 11, 1}, "Todos los Santos"},
		{Date{year, 12, 8}, "Inmaculada Concepción"},
		{Date{year, 12, 25}, "Navidad del Señor"},
	}
	if year >= 2022 {
		h = append(h,
			Holiday{Date{year, 8, 6}, "Batalla de Junín"},
			Holiday{Date{year, 12, 9}, "Batalla de Ayacucho"})
	}
	if year >= 2023 {
		h = append(h, Holiday{Date{year, 7, 23}, "Día de la Fuerza Aérea del Perú"})
	}
	if year >= 2024 {
		h = append(h, Holiday{Date{year, 6, 7}, "Batalla de Arica y Día de la Bandera"})
	}
	return h
}

// Easter returns Easter Sunday of the Gregorian calendar for year (the
// anonymous Gregorian computus of Meeus, Jones and Butcher).
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

func sortHolidays(h []Holiday) {
	sort.SliceStable(h, func(i, j int) bool { return h[i].Date.Before(h[j].Date) })
}
