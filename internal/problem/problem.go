// Package problem maps Sello's typed errors to RFC 7807 problem documents.
// It is the one place where an error type becomes an HTTP status; internal
// details (the wrapped cause) never reach the client. Title and detail are
// written in the client's language (Spanish unless it prefers English); the
// type URI, the machine-readable part, is the same in both.
package problem

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// TypeBase prefixes problem type URIs.
const TypeBase = "urn:sello:problem:"

// RuleTypeBase prefixes the type URI of a subproblem that names a rule of
// RULES.md (e.g. urn:sello:rule:R1).
const RuleTypeBase = "urn:sello:rule:"

// Document is an RFC 7807 problem.
type Document struct {
	Type        string       `json:"type" doc:"machine-readable problem type; the same in every language"`
	Title       string       `json:"title" doc:"short summary of the problem type, in the negotiated language"`
	Status      int          `json:"status" doc:"HTTP status code"`
	Detail      string       `json:"detail,omitempty" doc:"explanation of this occurrence, in the negotiated language"`
	Subproblems []Subproblem `json:"subproblems,omitempty" doc:"the individual reasons, e.g. each failed rule of a refused approval"`
}

// SchemaName names the problem document in an OpenAPI document.
func (Document) SchemaName() string { return "Problem" }

// Subproblem is one reason behind a problem, as in Boulder's subproblems.
type Subproblem struct {
	Type   string `json:"type" doc:"machine-readable type, urn:sello:rule:<rule id> for a rule"`
	Rule   string `json:"rule,omitempty" doc:"rule id of RULES.md, e.g. R1"`
	Detail string `json:"detail" doc:"explanation, in the negotiated language"`
}

var statusOf = map[errs.Type]int{
	errs.Malformed:       http.StatusBadRequest,
	errs.BadCSR:          http.StatusBadRequest,
	errs.BadPublicKey:    http.StatusBadRequest,
	errs.DuplicateKey:    http.StatusConflict,
	errs.BadConfig:       http.StatusInternalServerError,
	errs.NotFound:        http.StatusNotFound,
	errs.Unauthorized:    http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.Conflict:        http.StatusConflict,
	errs.WrongState:      http.StatusConflict,
	errs.PolicyRefused:   http.StatusUnprocessableEntity,
	errs.LintFailed:      http.StatusInternalServerError,
	errs.Unavailable:     http.StatusServiceUnavailable,
	errs.Internal:        http.StatusInternalServerError,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.UnsupportedType: http.StatusUnsupportedMediaType,
	errs.RateLimited:     http.StatusTooManyRequests,
}

// hidden types are server-side failures a client cannot act on: they are
// shown as an internal error, with no detail.
var hidden = map[errs.Type]bool{errs.BadConfig: true, errs.LintFailed: true, errs.Internal: true}

// From builds the problem document for err in Spanish, the default language.
func From(err error) Document { return Localized(err, errs.Spanish) }

// Localized builds the problem document for err in lang ("en" or "es").
func Localized(err error, lang string) Document {
	lang = errs.Normalize(lang)
	t := errs.TypeOf(err)
	status, ok := statusOf[t]
	if !ok || hidden[t] {
		t, status = errs.Internal, http.StatusInternalServerError
	}
	d := Document{Type: TypeBase + string(t), Status: status, Title: Title(t, lang)}
	var e *errs.Error
	if errors.As(err, &e) && (status < 500 || t == errs.Unavailable) {
		d.Detail = e.Message(lang)
		for _, s := range e.Subproblems {
			sp := Subproblem{Type: TypeBase + string(t), Rule: s.Rule, Detail: s.Message(lang)}
			if s.Rule != "" {
				sp.Type = RuleTypeBase + s.Rule
			}
			d.Subproblems = append(d.Subproblems, sp)
		}
	}
	return d
}

// Write sends err as application/problem+json in lang, with the
// Content-Language header saying which.
func Write(w http.ResponseWriter, lang string, err error) {
	lang = errs.Normalize(lang)
	d := Localized(err, lang)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", lang)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept-Language")
	var e *errs.Error
	if errors.As(err, &e) && e.Type == errs.RateLimited && e.RetryAfter > 0 {
		// Whole seconds, rounded up: RFC 9110 section 10.2.3.
		w.Header().Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d)
}

// StatusOf returns the HTTP status an error type maps to.
func StatusOf(t errs.Type) int {
	if s, ok := statusOf[t]; ok && !hidden[t] {
		return s
	}
	return http.StatusInternalServerError
}
