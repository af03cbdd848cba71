package ca

import (
	"context"
	"log/slog"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// SerialStore records serials and lint certificates before an issuing key
// signs anything: the part of the RA's store a backend that signs itself
// needs.
type SerialStore interface {
	// ReserveSerial records that serial is about to be used by issuer; errs.Conflict if already reserved.
	ReserveSerial(ctx context.Context, issuerID string, serial *big.Int, notAfter time.Time) error
	// SaveLintCertificate stores the linted (throwaway-signed) certificate before the real signature.
	SaveLintCertificate(ctx context.Context, issuerID string, serial *big.Int, der []byte) error
}

// Options is what a backend constructor gets: the issuer it serves and the
// dependencies the RA shares with it. Fields a backend does not use are
// ignored by it (the way step-ca's apiv1.Options serves every CAS type).
type Options struct {
	// Issuer is the issuer's name in this deployment (e.g. "jalisco").
	Issuer string
	// Dir is the folder of a backend that keeps its key material on disk
	// (local: issuing.crt, issuing.key, chain.pem).
	Dir string
	// Passphrase decrypts key material kept on disk.
	Passphrase []byte
	Serials    SerialStore
	Clock      clock.Clock
	Logger     *slog.Logger
}

// NewFunc builds a backend for one issuer.
type NewFunc func(ctx context.Context, opts Options) (Backend, error)

// registry holds the backend constructors by name. Backend packages add
// themselves from init (like database/sql drivers and step-ca's CAS
// types), so the set of backends is whatever the binary links in.
var registry = struct {
	sync.RWMutex
	m map[string]NewFunc
}{m: map[string]NewFunc{}}

// Register makes a backend available under name. It panics on an empty
// name, a nil constructor or a name registered twice: those are programming
// errors found at start-up.
func Register(name string, fn NewFunc) {
	if name == "" || fn == nil {
		panic("ca: Register needs a name and a constructor")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[name]; dup {
		panic("ca: backend " + name + " registered twice")
	}
	registry.m[name] = fn
}

// Backends lists the registered backend names, sorted.
func Backends() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.m))
	for n := range registry.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// NewBackend builds the backend registered under name. An unknown name is
// errs.BadConfig naming the backends this binary has.
func NewBackend(ctx context.Context, name string, opts Options) (Backend, error) {
	registry.RLock()
	fn, ok := registry.m[name]
	registry.RUnlock()
	if !ok {
		return nil, errs.New(errs.BadConfig, "CA backend %q is not one this binary has (%s)", name, strings.Join(Backends(), ", "))
	}
	return fn(ctx, opts)
}
