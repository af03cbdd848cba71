package ra

import (
	"context"
	"crypto/x509"
	"slices"
	"sort"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
)

// Issuer is one of the deployment's issuing CAs: the certificates of every
// policy that names it are signed by its backend and recorded under its ID
// (serials are unique per issuer).
type Issuer struct {
	// ID names the issuing CA certificate in the store (ca.IssuerID).
	ID string
	// Name is what policies (their issuer key) and URLs call it:
	// /ca/<name>/chain.pem, /crl/<name>.crl.
	Name    string
	Backend ca.Backend
	// Chain is the backend's chain, issuing CA first, read once by
	// NewIssuer: a remote backend would otherwise be asked on every issuance.
	Chain []*x509.Certificate
}

// NewIssuer reads the backend's chain once and names the issuer by its
// issuing CA certificate.
func NewIssuer(ctx context.Context, name string, b ca.Backend) (*Issuer, error) {
	if name == "" || b == nil {
		return nil, errs.New(errs.BadConfig, "an issuer needs a name and a backend")
	}
	chain, err := b.Chain(ctx)
	if err != nil {
		return nil, errs.Wrap(errs.TypeOf(err), err, "issuer %s: cannot read its chain", name)
	}
	if len(chain) == 0 {
		return nil, errs.New(errs.BadConfig, "issuer %s: its backend gives no issuing CA certificate", name)
	}
	return &Issuer{ID: ca.IssuerID(chain[0]), Name: name, Backend: b, Chain: slices.Clone(chain)}, nil
}

// Certificate is the issuing CA certificate.
func (i *Issuer) Certificate() *x509.Certificate { return i.Chain[0] }

func issuerMap(list []*Issuer) map[string]*Issuer {
	m := make(map[string]*Issuer, len(list))
	for _, is := range list {
		m[is.Name] = is
	}
	return m
}

// IssuerFor returns the issuer that signs the certificates of policyID. A
// policy that is not loaded, or whose issuer this deployment does not have,
// is errs.PolicyRefused naming both, so that filing an organisation under
// it fails at once rather than at its first issuance.
func (r *RA) IssuerFor(policyID string) (*Issuer, error) {
	pol, err := r.policies.Get(policyID)
	if err != nil {
		return nil, errs.Wrap(errs.PolicyRefused, err, "policy %q is not loaded", policyID)
	}
	return r.issuerOf(pol)
}

func (r *RA) issuerOf(pol *policies.Policy) (*Issuer, error) {
	is, ok := r.issuers[pol.IssuerName()]
	if !ok {
		return nil, errs.New(errs.PolicyRefused, "policy %s is issued by issuer %q, which this deployment does not have (sello issuer add --policy %s)",
			pol.ID, pol.IssuerName(), pol.ID)
	}
	return is, nil
}

// Issuers lists the deployment's issuers by name.
func (r *RA) Issuers() []*Issuer {
	out := make([]*Issuer, 0, len(r.issuers))
	for _, is := range r.issuers {
		out = append(out, is)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// IssuerAdded describes an issuing CA an operator created or imported.
type IssuerAdded struct {
	Name, Policy, ID, Subject string
	Imported                  bool
}

// RecordIssuerAdded enters a new issuer in the audit log (administrators
// and the console only). The CA key ceremony itself happens in the CA
// backend; the RA records who did it and what came of it.
func (r *RA) RecordIssuerAdded(ctx context.Context, a Actor, in IssuerAdded) error {
	if err := a.mustAdmin(); err != nil {
		return r.refuse(ctx, a, "issuer.add", "issuer:"+in.Name, err)
	}
	return r.store.Audit(ctx, model.Event{Actor: a.String(), Action: "issuer.add", Object: "issuer:" + in.Name,
		Outcome: model.OutcomeOK, Details: map[string]any{"policy": in.Policy, "issuerId": in.ID, "subject": in.Subject, "imported": in.Imported}})
}
