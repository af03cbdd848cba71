package local

import (
	"context"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
)

// BackendName is the name the embedded signer is registered under
// (configuration: ca.backend, ca.issuers[].backend).
const BackendName = "local"

func init() { ca.Register(BackendName, Open) }

// Open is the registered constructor: it loads the issuer's folder
// (opts.Dir: issuing.crt, issuing.key, chain.pem) with opts.Passphrase and
// returns a Signer over it. The keys stay inside this package.
func Open(_ context.Context, opts ca.Options) (ca.Backend, error) {
	if opts.Dir == "" {
		return nil, errs.New(errs.BadConfig, "local CA: issuer %q has no folder", opts.Issuer)
	}
	h, err := LoadDir(opts.Dir, opts.Passphrase)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "local CA: issuer %q", opts.Issuer)
	}
	return New(Config{Issuer: h.Issuing, Key: h.IssuingKey, Chain: h.Chain, Store: opts.Serials, Clock: opts.Clock, Logger: opts.Logger})
}
