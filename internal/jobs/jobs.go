// Package jobs defines the outbox's job kinds: each kind is a Go type with a
// version, encoded and decoded here and nowhere else, so the writer (package
// ra) and the workers (OCSP, CRL, LDAP, CA revoke, mail) cannot disagree on
// a payload. Payloads carry ids (certificate id, issuer and serial): a
// worker loads what it needs when it runs. The e-mail job must carry its
// message (an address, a name, a one-time password or verification token),
// so it is sealed: Enqueue writes it with EnqueueSealed, and the outbox
// clears it once the job is done or dead.
package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sello-pki/sello/internal/errs"
)

// Job kinds, as stored in the outbox's kind column.
const (
	KindOCSPRefresh   = "ocsp.refresh"
	KindLDAPPublish   = "ldap.publish"
	KindCRLRegenerate = "crl.regenerate"
	KindCARevoke      = "ca.revoke" // tell a remote CA backend (step-ca, cfssl)
	KindEmail         = "notify.email"
)

// Job is one unit of outbox work. Only this package's types implement it.
type Job interface {
	// Kind is the outbox kind the job is stored under.
	Kind() string
	// DedupKey makes enqueueing idempotent: a retried request writes the
	// same key, and the outbox keeps one job per key.
	DedupKey() string
	// check reports what a job lacks before it is written.
	check() error
	// setVersion stamps the version this package writes.
	setVersion()
	// version is the version the payload carried.
	version() int
	// sensitive reports whether the payload holds a secret or personal
	// data, and so must be sealed at rest.
	sensitive() bool
}

// Errors of Decode; they wrap errs.Internal, so callers that only look at
// the typed error see a programming or data error, and callers that care
// (a worker deciding a job is dead) can tell them apart with errors.Is.
var (
	ErrUnknownKind    = errors.New("unknown job kind")
	ErrUnknownVersion = errors.New("unknown job version")
	ErrMalformed      = errors.New("malformed job payload")
)

// Current versions of each kind's payload. Bump one when its type changes
// incompatibly, and keep decoding the old one until no job of it is left.
var versions = map[string]int{
	KindOCSPRefresh:   1,
	KindLDAPPublish:   1,
	KindCRLRegenerate: 1,
	KindCARevoke:      1,
	KindEmail:         1,
}

// MaxPayload bounds an encoded job: a job names things, it does not carry
// documents.
const MaxPayload = 64 << 10

// Encode returns what the outbox stores for j.
func Encode(j Job) (kind, dedupKey string, payload []byte, err error) {
	if j == nil {
		return "", "", nil, errs.New(errs.Internal, "jobs: nil job")
	}
	if err := j.check(); err != nil {
		return "", "", nil, err
	}
	j.setVersion()
	payload, err = json.Marshal(j)
	if err != nil {
		return "", "", nil, errs.Wrap(errs.Internal, err, "jobs: %s payload is not JSON-encodable", j.Kind())
	}
	if len(payload) > MaxPayload {
		return "", "", nil, errs.New(errs.Internal, "jobs: %s payload is %d bytes, over the %d-byte limit", j.Kind(), len(payload), MaxPayload)
	}
	return j.Kind(), j.DedupKey(), payload, nil
}

// Decode reads a stored payload of kind. It refuses an unknown kind, a
// version this code does not know, fields the type does not have and
// anything that is not one JSON object. A payload without a version is
// version 1: it was written before payloads carried one.
func Decode(kind string, payload []byte) (Job, error) {
	j := newJob(kind)
	if j == nil {
		return nil, errs.Wrap(errs.Internal, ErrUnknownKind, "jobs: unknown kind %q", kind)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(j); err != nil {
		return nil, errs.Wrap(errs.Internal, fmt.Errorf("%w: %v", ErrMalformed, err), "jobs: %s payload is malformed: %v", kind, err)
	}
	if dec.More() {
		return nil, errs.Wrap(errs.Internal, ErrMalformed, "jobs: %s payload has data after its object", kind)
	}
	if v := j.version(); v != versions[kind] {
		return nil, errs.Wrap(errs.Internal, ErrUnknownVersion, "jobs: %s payload version %d is not known (want %d)", kind, v, versions[kind])
	}
	return j, nil
}

func newJob(kind string) Job {
	switch kind {
	case KindOCSPRefresh:
		return &OCSPRefresh{V: absent}
	case KindLDAPPublish:
		return &LDAPPublish{V: absent}
	case KindCRLRegenerate:
		return &CRLRegenerate{V: absent}
	case KindCARevoke:
		return &CARevoke{V: absent}
	case KindEmail:
		return &Email{V: absent}
	}
	return nil
}

// absent marks a payload that did not say its version; see Decode.
const absent = -1

func versionOf(v int) int {
	if v == absent {
		return 1
	}
	return v
}

// Enqueuer is the transaction a job is written in (store.Tx satisfies it),
// so the job commits with the change that caused it. EnqueueSealed stores
// the payload sealed (AES-256-GCM, bound to the kind and dedup key).
type Enqueuer interface {
	Enqueue(ctx context.Context, kind, dedupKey string, payload []byte) (bool, error)
	EnqueueSealed(ctx context.Context, kind, dedupKey string, payload []byte) (bool, error)
}

// Sensitive reports whether jobs of kind are stored sealed.
func Sensitive(kind string) bool {
	j := newJob(kind)
	return j != nil && j.sensitive()
}

// Enqueue encodes each job and writes it in tx, sealed if it holds a secret
// or personal data; a job whose dedup key is already in the outbox is not
// written again.
func Enqueue(ctx context.Context, tx Enqueuer, js ...Job) error {
	if tx == nil {
		return errs.New(errs.Internal, "jobs: no transaction")
	}
	for _, j := range js {
		kind, key, payload, err := Encode(j)
		if err != nil {
			return err
		}
		write := tx.Enqueue
		if j.sensitive() {
			write = tx.EnqueueSealed
		}
		if _, err := write(ctx, kind, key, payload); err != nil {
			return err
		}
	}
	return nil
}
