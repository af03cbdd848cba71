// Package problem maps Sello's typed errors to RFC 7807 problem documents.
// It is the one place where an error type becomes an HTTP status; internal
// details (the wrapped cause) never reach the client.
package problem

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sello-pki/sello/internal/errs"
)

// TypeBase prefixes problem type URIs.
const TypeBase = "urn:sello:problem:"

// Document is an RFC 7807 problem.
type Document struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
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
}

var titleOf = map[errs.Type]string{
	errs.Malformed:       "Malformed request",
	errs.BadCSR:          "Bad certificate signing request",
	errs.BadPublicKey:    "Unacceptable public key",
	errs.DuplicateKey:    "Key already certified for another person",
	errs.NotFound:        "Not found",
	errs.Unauthorized:    "Authentication required",
	errs.Forbidden:       "Not allowed",
	errs.Conflict:        "Conflict",
	errs.WrongState:      "Not allowed in the current state",
	errs.PolicyRefused:   "Refused by the jurisdiction's policy",
	errs.Unavailable:     "Service temporarily unavailable",
	errs.TooLarge:        "Too large",
	errs.UnsupportedType: "Unsupported media type",
}

// From builds the problem document for err.
func From(err error) Document {
	t := errs.TypeOf(err)
	status, ok := statusOf[t]
	if !ok {
		status = http.StatusInternalServerError
	}
	d := Document{Type: TypeBase + string(t), Status: status, Title: titleOf[t]}
	var e *errs.Error
	if errors.As(err, &e) && status < 500 {
		d.Detail = e.Detail
	}
	if d.Title == "" {
		d.Title = "Internal error"
		d.Type = TypeBase + string(errs.Internal)
	}
	if t == errs.Unavailable && e != nil {
		d.Detail = e.Detail
	}
	return d
}

// Write sends err as application/problem+json.
func Write(w http.ResponseWriter, err error) {
	d := From(err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d)
}
