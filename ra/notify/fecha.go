package notify

import (
	"fmt"
	"time"
	_ "time/tzdata" // dates must render in the holder's zone even on hosts without a zoneinfo database

	"github.com/sello-pki/sello/internal/errs"
)

var (
	diasES  = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
	mesesES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
		"septiembre", "octubre", "noviembre", "diciembre"}
)

// zoneNames are the names people use for the zones of Mexico (the official
// Zona Centro, Pacífico, Noroeste and Sureste) and Peru; another zone is
// shown by its IANA name.
var zoneNames = map[string][2]string{ // zone: {es, en}
	"America/Mexico_City":    {"hora del centro", "Mexico central time"},
	"America/Monterrey":      {"hora del centro", "Mexico central time"},
	"America/Merida":         {"hora del centro", "Mexico central time"},
	"America/Matamoros":      {"hora del centro", "Mexico central time"},
	"America/Chihuahua":      {"hora del centro", "Mexico central time"},
	"America/Bahia_Banderas": {"hora del centro", "Mexico central time"},
	"America/Cancun":         {"hora del sureste", "Mexico southeast time"},
	"America/Mazatlan":       {"hora del Pacífico", "Mexico Pacific time"},
	"America/Hermosillo":     {"hora del Pacífico", "Mexico Pacific time"},
	"America/Tijuana":        {"hora del noroeste", "Mexico northwest time"},
	"America/Lima":           {"hora de Perú", "Peru time"},
}

// fechaES formats t the way Mexican official letters do:
// "lunes 23 de noviembre de 2026, 10:00 h (hora del centro)".
func fechaES(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	zone := loc.String()
	if n, ok := zoneNames[zone]; ok {
		zone = n[0]
	}
	return fmt.Sprintf("%s %d de %s de %d, %02d:%02d h (%s)",
		diasES[t.Weekday()], t.Day(), mesesES[t.Month()-1], t.Year(), t.Hour(), t.Minute(), zone)
}

// dateEN is the English counterpart:
// "Monday, 23 November 2026, 10:00 (Mexico central time)".
func dateEN(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	zone := loc.String()
	if n, ok := zoneNames[zone]; ok {
		zone = n[1]
	}
	return fmt.Sprintf("%s, %d %s %d, %02d:%02d (%s)",
		t.Weekday(), t.Day(), t.Month(), t.Year(), t.Hour(), t.Minute(), zone)
}

// formatTime accepts what a time becomes on its way through the outbox: a
// time.Time before, an RFC 3339 string after JSON. Its errors do not repeat
// the value (it might be personal data).
func formatTime(v any, loc *time.Location, format func(time.Time, *time.Location) string) (string, error) {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return "", errs.New(errs.Internal, "zero time")
		}
		return format(x, loc), nil
	case *time.Time:
		if x == nil || x.IsZero() {
			return "", errs.New(errs.Internal, "zero time")
		}
		return format(*x, loc), nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return "", errs.New(errs.Internal, "a date must be an RFC 3339 time")
		}
		if t.IsZero() {
			return "", errs.New(errs.Internal, "zero time")
		}
		return format(t, loc), nil
	default:
		return "", errs.New(errs.Internal, "a date must be a time, not %T", v)
	}
}
