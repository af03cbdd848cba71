// Package errs is Sello's one typed error kind. An *Error carries a Type that
// survives every hop (store, CA backend, RA) so that exactly one function per
// front end maps it to a protocol answer (RFC 7807 problem, ACME problem, EST
// status). Detail is safe to show a client; the wrapped cause is not.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Type classifies an error for protocol mapping.
type Type string

// Error types. Keep in step with the problem mapping in internal/problem.
const (
	Malformed       Type = "malformed"        // syntactically bad input
	BadCSR          Type = "badCSR"           // CSR unparsable or its signature does not verify
	BadPublicKey    Type = "badPublicKey"     // weak or unsupported key
	DuplicateKey    Type = "duplicateKey"     // key already certified for someone else (RULES S2)
	BadConfig       Type = "badConfig"        // configuration or policy file invalid
	NotFound        Type = "notFound"         // object does not exist
	Unauthorized    Type = "unauthorized"     // caller not authenticated
	Forbidden       Type = "forbidden"        // authenticated, but role/organisation does not allow it
	Conflict        Type = "conflict"         // uniqueness or concurrent modification
	WrongState      Type = "wrongState"       // transition not allowed from the current state
	PolicyRefused   Type = "policyRefused"    // the jurisdiction's policy refuses it
	LintFailed      Type = "lintFailed"       // pre-issuance lint found an error-level problem
	Unavailable     Type = "unavailable"      // a dependency (HR source, CA backend, database) is down
	Internal        Type = "internal"         // a bug or invariant violation; never shown in detail
	TooLarge        Type = "tooLarge"         // upload or request body too large
	UnsupportedType Type = "unsupportedMedia" // content type refused
	RateLimited     Type = "rateLimited"      // too many requests from one client or for one address; retry later
)

// Error is a typed error. It keeps its format and arguments so that Message
// can render the detail in the client's language from the catalogue.
type Error struct {
	Type        Type
	Detail      string // safe for clients, in English
	Cause       error  // internal, for logs only
	Format      string // the English format Detail was made from; the catalogue key
	Args        []any  // the format's arguments
	Subproblems []Subproblem
	// RetryAfter is how long a rate-limited client should wait (RateLimited).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Type, e.Detail, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Type, e.Detail)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, errs.New(T, "")) match by type.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type && t.Detail == ""
}

// New returns an error of type t with a client-safe detail.
func New(t Type, format string, args ...any) *Error {
	return &Error{Type: t, Detail: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Wrap returns an error of type t with a client-safe detail and an internal cause.
func Wrap(t Type, cause error, format string, args ...any) *Error {
	return &Error{Type: t, Detail: fmt.Sprintf(format, args...), Cause: cause, Format: format, Args: args}
}

// Limited returns a RateLimited error that tells the client to retry after
// the given time.
func Limited(after time.Duration, format string, args ...any) *Error {
	e := New(RateLimited, format, args...)
	e.RetryAfter = after
	return e
}

// TypeOf returns the Type of err, or Internal if err is not typed.
func TypeOf(err error) Type {
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return Internal
}

// Has reports whether err is of type t.
func Has(err error, t Type) bool {
	var e *Error
	return errors.As(err, &e) && e.Type == t
}

// Sentinel returns a matcher for errors.Is.
func Sentinel(t Type) error { return &Error{Type: t} }
