package receipt

import (
	"fmt"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// language is the printing language; Spanish unless "en" is asked for.
type language int

const (
	spanish language = iota
	english
)

func parseLang(lang string) (language, error) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	switch base {
	case "", "es":
		return spanish, nil
	case "en":
		return english, nil
	}
	return spanish, errs.New(errs.Malformed, "language %q: use \"es\" or \"en\"", lang)
}

// pick returns the text in the document's language.
func (l language) pick(es, en string) string {
	if l == english {
		return en
	}
	return es
}

func (l language) code() string { return l.pick("es-MX", "en") }

var (
	weekdaysES = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
	monthsES   = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
		"septiembre", "octubre", "noviembre", "diciembre"}
)

// when prints an instant in full, with the weekday, the hour to the second and
// the zone, because a legal time must not be ambiguous:
// "lunes 23 de noviembre de 2026, 09:00:00 h (America/Mexico_City, UTC-06:00)".
func (l language) when(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	zone := fmt.Sprintf("%s, UTC%s%02d:%02d", loc.String(), sign, off/3600, off%3600/60)
	if l == english {
		return fmt.Sprintf("%s %d %s %d, %s (%s)", t.Weekday(), t.Day(), t.Month(), t.Year(), t.Format("15:04:05"), zone)
	}
	return fmt.Sprintf("%s %d de %s de %d, %s h (%s)", weekdaysES[t.Weekday()], t.Day(), monthsES[t.Month()-1],
		t.Year(), t.Format("15:04:05"), zone)
}

// location loads the zone documents are printed in. It is required: a
// reception time printed in the wrong zone can move a filing to another day.
func location(tz string) (*time.Location, error) {
	if strings.TrimSpace(tz) == "" {
		return nil, errs.New(errs.Malformed, "time zone: required (IANA name, e.g. America/Mexico_City)")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "time zone %q unknown", tz)
	}
	return loc, nil
}
