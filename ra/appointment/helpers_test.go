package appointment

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// testNow is the fake clock's start: a Monday in Guadalajara's business hours.
var testNow = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

// testStatusMap is the status mapping every test source uses.
func testStatusMap() map[string]Status {
	return map[string]Status{
		"ACTIVO":     Active,
		"LICENCIA":   OnLeave,
		"SUSPENDIDO": Suspended,
		"BAJA":       Terminated,
	}
}

func testMapping() Mapping { return Mapping{StatusMap: testStatusMap()} }

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantType fails unless err is a typed error of type want.
func wantType(t *testing.T, err error, want errs.Type) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want %s", want)
	}
	if got := errs.TypeOf(err); got != want {
		t.Fatalf("error type = %s, want %s (%v)", got, want, err)
	}
}

// wantUnavailable checks the R1 guarantee for a failed lookup: the error is
// Unavailable and the appointment is the zero value, which is never current.
func wantUnavailable(t *testing.T, a Appointment, err error) {
	t.Helper()
	wantType(t, err, errs.Unavailable)
	if a != (Appointment{}) {
		t.Fatalf("an Unavailable lookup returned a non-zero appointment: %+v", a)
	}
	if a.CurrentAt(testNow) {
		t.Fatal("an Unavailable lookup returned a current appointment")
	}
}

// wantNotFound checks a lookup that must be NotFound.
func wantNotFound(t *testing.T, a Appointment, err error) {
	t.Helper()
	wantType(t, err, errs.NotFound)
	if a != (Appointment{}) {
		t.Fatalf("a NotFound lookup returned a non-zero appointment: %+v", a)
	}
}

// wantConfigError checks that a constructor refused a config naming key.
func wantConfigError(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("config accepted, want an error naming %q", key)
	}
	if !errs.Has(err, errs.BadConfig) {
		t.Fatalf("error type = %s, want badConfig (%v)", errs.TypeOf(err), err)
	}
	if !strings.Contains(err.Error(), key) {
		t.Fatalf("error %q does not name %q", err, key)
	}
}

// wantAppointment checks the fields a lookup returned.
func wantAppointment(t *testing.T, got Appointment, err error, want Appointment) {
	t.Helper()
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	if got.Person != want.Person || got.Organisation != want.Organisation || got.Position != want.Position ||
		got.Status != want.Status || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) ||
		got.Source != want.Source || !got.CheckedAt.Equal(want.CheckedAt) {
		t.Fatalf("appointment\n got %+v\nwant %+v", got, want)
	}
}

func newFakeClock() *clock.Fake { return clock.NewFake(testNow) }

// isNotErr is errors.Is for typed errors, spelt for readability.
func isType(err error, t errs.Type) bool { return errors.Is(err, errs.Sentinel(t)) }
