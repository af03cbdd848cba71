package jobs

import (
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// Email is one e-mail to send. Unlike the other kinds it carries its
// message (address and template data, which may hold a one-time password)
// rather than ids, so it is sensitive: stored sealed, cleared when done.
// Package notify validates and renders it.
type Email struct {
	V        int            `json:"v"`
	Template string         `json:"template"`
	Lang     string         `json:"lang"`
	To       string         `json:"to"`
	Data     map[string]any `json:"data"`
	// Key is the caller's idempotency key; it is stored as the job's dedup
	// key, not in the payload, so a decoded Email has none.
	Key string `json:"-"`
}

// Kind implements Job.
func (j *Email) Kind() string { return KindEmail }

// DedupKey implements Job: the caller's key, namespaced by the kind.
func (j *Email) DedupKey() string { return KindEmail + ":" + j.Key }

func (j *Email) check() error {
	if strings.TrimSpace(j.Key) == "" {
		return errs.New(errs.Internal, "jobs: e-mail job has an empty dedup key")
	}
	if j.Template == "" || j.To == "" {
		return errs.New(errs.Internal, "jobs: e-mail job needs a template and a recipient")
	}
	return nil
}

func (j *Email) setVersion()     { j.V = versions[j.Kind()] }
func (j *Email) version() int    { return versionOf(j.V) }
func (j *Email) sensitive() bool { return true }
