// Package ra is the registration authority: it decides who may hold a
// certificate and what it says, then has a ca.Backend sign it. It owns the
// enrollment and revocation workflows, folios, receipts and deadlines. It
// knows nothing of HTTP: the front ends are ra/api, ra/est, ra/acme, ra/web.
package ra

import (
	"cmp"
	"crypto/x509"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/documents"
)

// RA is the registration authority.
type RA struct {
	store     Store
	issuers   map[string]*Issuer // by name
	policies  policies.Set
	publicURL string
	portalURL string
	clk       clock.Clock
	log       *slog.Logger

	appointments      map[string]appointment.Source // by policy id
	orgAppointments   map[string]appointment.Source // by organisation code
	ackSigner         AckSigner
	homologationRoots *x509.CertPool
	docs              *documents.Service

	anon               *refusalTally
	limits             Limits
	byAddress, byEmail *limiter
}

// Config holds the RA's dependencies.
type Config struct {
	// Store is the storage: ra.Bind[*store.Tx](st) for a *store.Store.
	Store Store
	// Issuers are the deployment's issuing CAs; each policy's certificates
	// are issued by the one its issuer key names (RULES P1).
	Issuers   []*Issuer
	Policies  policies.Set
	PublicURL string
	// PortalURL is the HTTPS base of the links handed to people (online
	// check, e-mail verification, status page; RULES G4); "" means
	// PublicURL. Certificates' AIA, CRL and OCSP URLs keep PublicURL.
	PortalURL string
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
	// Documents stores uploads and biometric captures, sealed (RULES R7, G6).
	Documents *documents.Service
	// Limits bound anonymous online filing; the zero value limits nothing
	// (internal/config supplies the deployment's defaults).
	Limits Limits
	// AnonymousRefused counts refused calls of anonymous callers by error
	// type (label "type"); nil: not counted. Metrics are injected, never
	// registered globally.
	AnonymousRefused *prometheus.CounterVec
}

// New returns an RA.
func New(c Config) *RA {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &RA{store: c.Store, issuers: issuerMap(c.Issuers), policies: c.Policies,
		publicURL: c.PublicURL, portalURL: cmp.Or(c.PortalURL, c.PublicURL), clk: c.Clock, log: c.Logger, appointments: c.Appointments, orgAppointments: c.OrgAppointments, ackSigner: c.AckSigner,
		homologationRoots: c.HomologationRoots, docs: c.Documents,
		anon:   &refusalTally{clients: map[string]*tallied{}, counter: c.AnonymousRefused},
		limits: c.Limits, byAddress: newLimiter(c.Limits.FilingsPerAddress, c.Limits.Window),
		byEmail: newLimiter(c.Limits.FilingsPerEmail, c.Limits.Window)}
}

// Policy returns a loaded policy.
func (r *RA) Policy(id string) (*policies.Policy, error) { return r.policies.Get(id) }
