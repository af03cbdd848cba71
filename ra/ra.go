// Package ra is the registration authority: it decides who may hold a
// certificate and what it says, then has a ca.Backend sign it. It owns the
// enrollment and revocation workflows, folios, receipts and deadlines. It
// knows nothing of HTTP: the front ends are ra/api, ra/est, ra/acme, ra/web.
package ra

import (
	"crypto/x509"
	"log/slog"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/appointment"
)

// RA is the registration authority.
type RA struct {
	store     Store
	backend   ca.Backend
	issuerID  string
	issuerTag string // file name stem the CA certificate is served under (/ca/<tag>.crt)
	policies  policies.Set
	publicURL string
	clk       clock.Clock
	log       *slog.Logger

	appointments      map[string]appointment.Source // by policy id
	orgAppointments   map[string]appointment.Source // by organisation code
	ackSigner         AckSigner
	homologationRoots *x509.CertPool
}

// Config holds the RA's dependencies.
type Config struct {
	// Store is the storage: ra.Bind[*model.Tx](st) for a *model.Store.
	Store     Store
	Backend   ca.Backend
	IssuerID  string
	IssuerTag string
	Policies  policies.Set
	PublicURL string
	Clock     clock.Clock
	Logger    *slog.Logger
	// Appointments are the HR sources, by policy id (RULES R1).
	Appointments map[string]appointment.Source
	// OrgAppointments are organisations' own HR sources, by organisation
	// code; they take precedence over their policy's.
	OrgAppointments map[string]appointment.Source
	// AckSigner signs acknowledgements (RULES G3, G4).
	AckSigner AckSigner
	// HomologationRoots are the other authorities whose certificates may be
	// registered here (RULES O4); nil: none.
	HomologationRoots *x509.CertPool
}

// New returns an RA.
func New(c Config) *RA {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &RA{store: c.Store, backend: c.Backend, issuerID: c.IssuerID, issuerTag: c.IssuerTag, policies: c.Policies,
		publicURL: c.PublicURL, clk: c.Clock, log: c.Logger, appointments: c.Appointments, orgAppointments: c.OrgAppointments, ackSigner: c.AckSigner,
		homologationRoots: c.HomologationRoots}
}

// Policy returns a loaded policy.
func (r *RA) Policy(id string) (*policies.Policy, error) { return r.policies.Get(id) }

// IssuerID names the issuing CA certificates are recorded under.
func (r *RA) IssuerID() string { return r.issuerID }
