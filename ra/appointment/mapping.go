package appointment

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// DefaultDateLayout is the layout of HR dates when a source sets none.
const DefaultDateLayout = "2006-01-02"

// Mapping is what every source shares: how HR's values become Sello's. It is
// inlined into each source's configuration.
type Mapping struct {
	// StatusMap maps each status value the source uses to a Status, e.g.
	// {"ACTIVO": active, "LICENCIA": on_leave, "SUSPENDIDO": suspended,
	// "BAJA": terminated}. A value missing from the map makes the lookup
	// Unavailable: Sello does not guess what an unknown status means.
	StatusMap map[string]Status `yaml:"status_map"`
	// DateLayout is a Go time layout for start and end (default
	// "2006-01-02"); RFC 3339 is accepted too. Dates without a zone are UTC.
	DateLayout string `yaml:"date_layout"`
}

// mapper is the checked form of Mapping plus the source's identity.
type mapper struct {
	source string
	status map[string]Status
	layout string
	clk    clock.Clock
}

// newMapper checks v; section names the configuration section in errors.
func newMapper(section, name string, v Mapping, clk clock.Clock) (*mapper, error) {
	if clk == nil {
		return nil, badConfig(section, "", "a clock is required")
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(v.StatusMap) == 0 {
		return nil, badConfig(section, "status_map", "required: map each HR status value to active, on_leave, suspended or terminated")
	}
	m := &mapper{source: name, status: make(map[string]Status, len(v.StatusMap)), layout: v.DateLayout, clk: clk}
	keys := make([]string, 0, len(v.StatusMap))
	for k := range v.StatusMap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	active := false
	for _, k := range keys {
		st := v.StatusMap[k]
		if strings.TrimSpace(k) == "" || strings.TrimSpace(k) != k {
			return nil, badConfig(section, "status_map", "key %q is empty or has surrounding blanks", k)
		}
		if !st.Valid() {
			return nil, badConfig(section, "status_map", "%q maps to %q; want active, on_leave, suspended or terminated", k, st)
		}
		active = active || st == Active
		m.status[k] = st
	}
	if !active {
		// Without an active value no one could ever be issued a certificate:
		// that is a configuration mistake, not a policy.
		return nil, badConfig(section, "status_map", "no value maps to active")
	}
	if m.layout == "" {
		m.layout = DefaultDateLayout
	}
	probe := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if back, err := time.Parse(m.layout, probe.Format(m.layout)); err != nil || !back.Equal(probe) {
		return nil, badConfig(section, "date_layout", "%q is not a usable Go date layout (e.g. 2006-01-02)", m.layout)
	}
	return m, nil
}

// raw is an answer as a source read it, before any interpretation. Start and
// End may be strings (parsed with the layout) or already times (SQL).
type raw struct {
	organisation, position, status string
	name                           string // the holder's full name; "" when the source gives none
	start, end                     any    // string, time.Time or nil
	force                          Status // when set, the status value is not read (a disabled account)
}

// build turns a raw answer into an Appointment, or Unavailable on any doubt.
func (m *mapper) build(id PersonID, r raw) (Appointment, error) {
	a := Appointment{
		Person:       id,
		Organisation: strings.TrimSpace(r.organisation),
		Position:     strings.TrimSpace(r.position),
		Name:         strings.TrimSpace(r.name),
		Source:       m.source,
		CheckedAt:    m.clk.Now(),
	}
	if a.Organisation == "" {
		return Appointment{}, m.unavailable("the answer has no organisation")
	}
	if a.Position == "" {
		return Appointment{}, m.unavailable("the answer has no position")
	}
	if r.force != "" {
		a.Status = r.force
	} else {
		st, err := m.mapStatus(r.status)
		if err != nil {
			return Appointment{}, err
		}
		a.Status = st
	}
	var err error
	if a.Start, err = m.date("start", r.start); err != nil {
		return Appointment{}, err
	}
	if a.Start.IsZero() {
		return Appointment{}, m.unavailable("the answer has no start date")
	}
	if a.End, err = m.date("end", r.end); err != nil {
		return Appointment{}, err
	}
	if !a.End.IsZero() && a.End.Before(a.Start) {
		return Appointment{}, m.unavailable("the answer's end date %s is before its start date %s",
			a.End.Format(time.RFC3339), a.Start.Format(time.RFC3339))
	}
	return a, nil
}

// mapStatus maps a source's status value through the status map.
func (m *mapper) mapStatus(v string) (Status, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", m.unavailable("the answer has no status")
	}
	st, ok := m.status[v]
	if !ok {
		return "", m.unavailable("status value %q is not in status_map", v)
	}
	return st, nil
}

// date reads a start or end value; an empty or nil value gives the zero time.
func (m *mapper) date(field string, v any) (time.Time, error) {
	switch d := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return d.UTC(), nil
	case []byte:
		return m.date(field, string(d))
	case string:
		s := strings.TrimSpace(d)
		if s == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse(m.layout, s); err == nil {
			return t.UTC(), nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), nil
		}
		return time.Time{}, m.unavailable("%s date %q matches neither %q nor RFC 3339", field, s, m.layout)
	default:
		return time.Time{}, m.unavailable("%s date has an unexpected type %T", field, v)
	}
}

// unavailable is the error for an answer that cannot be trusted.
func (m *mapper) unavailable(format string, args ...any) error {
	return errs.New(errs.Unavailable, "HR source %q: %s", m.source, fmt.Sprintf(format, args...))
}

// down is the error for a source that could not be asked; cause stays internal.
func (m *mapper) down(cause error, format string, args ...any) error {
	return errs.Wrap(errs.Unavailable, cause, "HR source %q: %s", m.source, fmt.Sprintf(format, args...))
}

// notFound is the error for a person the source does not know.
func (m *mapper) notFound(id PersonID) error {
	return errs.New(errs.NotFound, "HR source %q has no appointment for %s", m.source, id.Kind)
}

// badConfig names the section and key a configuration error is about.
func badConfig(section, key, format string, args ...any) error {
	where := section
	if key != "" {
		where += "." + key
	}
	return errs.New(errs.BadConfig, "appointment source %s: %s", where, fmt.Sprintf(format, args...))
}

// checkName refuses a source name that cannot identify an answer.
func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return badConfig("name", "", "required: the name recorded as the source of each appointment")
	}
	if strings.TrimSpace(name) != name || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return badConfig("name", "", "%q has surrounding blanks or control characters", name)
	}
	return nil
}

// checkPositive checks a duration key and applies its default.
func checkPositive(section, key string, d, def time.Duration) (time.Duration, error) {
	if d == 0 {
		return def, nil
	}
	if d < 0 {
		return 0, badConfig(section, key, "must be positive, got %s", d)
	}
	return d, nil
}
