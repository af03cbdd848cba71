package ca_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
)

type nopBackend struct{ opts ca.Options }

func (nopBackend) Sign(context.Context, ca.SignRequest) (*ca.Issued, error) { return nil, nil }
func (nopBackend) Revoke(context.Context, ca.RevokeRequest) error           { return nil }
func (nopBackend) Chain(context.Context) ([]*x509.Certificate, error)       { return nil, nil }

// A registered backend is built by name with the options given; an unknown
// name is a configuration error naming the backends there are; a name
// registered twice is a programming error.
func TestRegistry(t *testing.T) {
	ca.Register("test-nop", func(_ context.Context, o ca.Options) (ca.Backend, error) { return nopBackend{o}, nil })
	b, err := ca.NewBackend(context.Background(), "test-nop", ca.Options{Issuer: "jalisco", Dir: "/x"})
	if err != nil || b.(nopBackend).opts.Issuer != "jalisco" || b.(nopBackend).opts.Dir != "/x" {
		t.Fatalf("NewBackend: %v %+v", err, b)
	}
	_, err = ca.NewBackend(context.Background(), "hsm", ca.Options{})
	if !errs.Has(err, errs.BadConfig) || !strings.Contains(err.Error(), `"hsm"`) || !strings.Contains(err.Error(), "test-nop") {
		t.Fatalf("unknown backend: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a second registration under the same name was accepted")
		}
	}()
	ca.Register("test-nop", func(context.Context, ca.Options) (ca.Backend, error) { return nil, nil })
}
