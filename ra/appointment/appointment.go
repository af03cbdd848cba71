// Package appointment owns the question RULES R1 asks of Human Resources: does
// this person hold a current appointment, where, as what, and until when. It
// defines the Source boundary and four ways to ask it: an HTTP JSON API, a SQL
// query, a CSV roster and an LDAP / Active Directory search.
//
// A Source distinguishes four outcomes, and callers must keep them apart:
//
//   - an Appointment with Status active, on_leave or suspended: the person is
//     known and this is their state;
//   - an Appointment with Status terminated: the person is known and no longer
//     appointed (not an error);
//   - errs.NotFound: HR does not know the person;
//   - errs.Unavailable: the source could not give a trustworthy answer (down,
//     slow, ambiguous, malformed, an unknown status value...).
//
// A source never answers a doubt with a usable-looking Appointment: whatever
// is missing, unparsable or unexpected becomes errs.Unavailable, so a broken
// HR system can delay an issuance or a monitor run but never approve one.
package appointment

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/sello-pki/sello/internal/errs"
)

// Status is the state of an appointment as Sello understands it. Each source
// maps its own values onto these through its status_map.
type Status string

// The statuses an appointment can have.
const (
	Active     Status = "active"
	OnLeave    Status = "on_leave"
	Suspended  Status = "suspended"
	Terminated Status = "terminated"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case Active, OnLeave, Suspended, Terminated:
		return true
	}
	return false
}

// Identifier kinds a PersonID can carry.
const (
	KindCURP     = "CURP"     // Mexican population key
	KindRFC      = "RFC"      // Mexican tax id
	KindDNI      = "DNI"      // Peruvian national identity document
	KindEmployee = "EMPLOYEE" // the HR body's own employee number
)

// validKind reports whether k is a known identifier kind.
func validKind(k string) bool {
	switch k {
	case KindCURP, KindRFC, KindDNI, KindEmployee:
		return true
	}
	return false
}

// PersonID names a person the way an HR source is keyed.
type PersonID struct {
	Kind  string // KindCURP, KindRFC, KindDNI or KindEmployee
	Value string
}

// String returns "KIND:value".
func (id PersonID) String() string { return id.Kind + ":" + id.Value }

// check refuses identifiers no source should be asked about: an unknown kind,
// an empty value, or one with control characters or surrounding blanks
// (which would match nothing or, in a template, something else).
func (id PersonID) check() error {
	if !validKind(id.Kind) {
		return errs.New(errs.Malformed, "unknown identifier kind %q (want CURP, RFC, DNI or EMPLOYEE)", id.Kind)
	}
	if id.Value == "" {
		return errs.New(errs.Malformed, "empty %s", id.Kind)
	}
	if strings.TrimSpace(id.Value) != id.Value {
		return errs.New(errs.Malformed, "%s has leading or trailing blanks", id.Kind)
	}
	for _, r := range id.Value {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return errs.New(errs.Malformed, "%s contains a control or invalid character", id.Kind)
		}
	}
	return nil
}

// Appointment is what an HR source says about one person.
type Appointment struct {
	Person       PersonID
	Organisation string // as HR names it, e.g. an organisation code
	Position     string
	Name         string // the holder's full name as HR records it; optional
	Status       Status
	Start        time.Time
	End          time.Time // zero: open-ended
	Source       string    // the Name of the source that answered
	CheckedAt    time.Time // when the source answered (injected clock)
}

// CurrentAt reports whether the appointment is current at t (RULES R1): its
// status is active, it has started (Start <= t) and has not ended (End is
// zero or t is before End). An appointment on leave, suspended or terminated
// is never current.
func (a Appointment) CurrentAt(t time.Time) bool {
	if a.Status != Active || a.Start.IsZero() || t.Before(a.Start) {
		return false
	}
	return a.End.IsZero() || t.Before(a.End)
}

// Source answers who holds which appointment. Lookup returns an Appointment
// (whatever its Status), an errs.NotFound error when the source does not know
// the person, an errs.Malformed error when id itself is unusable, or an
// errs.Unavailable error when no trustworthy answer could be had.
type Source interface {
	Lookup(ctx context.Context, id PersonID) (Appointment, error)
}
