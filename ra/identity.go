package ra

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Identity is who an authenticated actor is, as the whoami screen shows it.
type Identity struct {
	AgentID      int64
	Role         string
	Title        string
	Name         string
	Organisation model.Organisation
	// CertificateNotAfter is when the login certificate expires.
	CertificateNotAfter time.Time
}

// Authenticate turns a client certificate that the TLS layer verified into
// an Actor (RULES O2): the certificate must be the valid login certificate of
// an active agent. A missing certificate or one that belongs to nobody is
// refused (and audited) here, so every front end authenticates the same way.
// The organisation's accreditation is carried in the Actor and checked by
// every authorisation (an agent of a suspended provider acts no more, G2).
// from is where the call came from: refusals are counted by it.
func (r *RA) Authenticate(ctx context.Context, leaf *x509.Certificate, from Origin) (Actor, error) {
	if leaf == nil {
		return Actor{}, r.refuseAnonymous(ctx, from, errs.New(errs.Unauthorized, "log in with your agent certificate (TLS client authentication)"))
	}
	sum := sha256.Sum256(leaf.Raw)
	agent, err := r.store.AgentByCertificate(ctx, hex.EncodeToString(sum[:]))
	if err != nil {
		if errs.Has(err, errs.Unauthorized) {
			return Actor{}, r.refuseAnonymous(ctx, from, err)
		}
		return Actor{}, err
	}
	org, err := r.store.Organisation(ctx, agent.OrgID)
	if err != nil {
		return Actor{}, err
	}
	return Actor{Kind: ActorAgent, AgentID: agent.ID, Role: agent.Role, OrgID: agent.OrgID, OrgCode: org.Code,
		orgStatus: org.Status, CertNotAfter: leaf.NotAfter}, nil
}

func (r *RA) refuseAnonymous(ctx context.Context, from Origin, err error) error {
	return r.refuse(ctx, Actor{Kind: ActorAnonymous, From: from}, "auth.login", "login", err)
}

// Whoami describes the actor: any authenticated agent, administrator,
// auditor or HR client may ask who it is, even when it may do nothing else.
func (r *RA) Whoami(ctx context.Context, a Actor) (*Identity, error) {
	if a.Kind != ActorAgent {
		return nil, errs.New(errs.Unauthorized, "log in with your agent certificate (TLS client authentication)")
	}
	agent, err := r.store.Agent(ctx, a.AgentID)
	if err != nil {
		return nil, err
	}
	org, err := r.store.Organisation(ctx, agent.OrgID)
	if err != nil {
		return nil, err
	}
	id := &Identity{AgentID: agent.ID, Role: agent.Role, Title: agent.Title, Organisation: *org, CertificateNotAfter: a.CertNotAfter}
	if p, err := r.store.Person(ctx, agent.PersonID); err == nil {
		id.Name = p.Data.FullName()
	}
	return id, nil
}

// mustAdmin refuses anyone but an administrator of the certification
// authority, the console and the system.
func (a Actor) mustAdmin() error {
	if !a.privileged() {
		return errs.New(errs.Forbidden, "only an administrator of the certification authority may do this")
	}
	return nil
}

// scope is the organisation an actor's listings are limited to: 0 (all) for
// those who read every organisation, the agent's own otherwise. Actors who
// may read nothing get an error.
func (a Actor) scope() (int64, error) {
	if err := a.mustBeAccredited(); err != nil {
		return 0, err
	}
	if a.CanRead(0) {
		return 0, nil
	}
	if a.CanRead(a.OrgID) && a.OrgID != 0 {
		return a.OrgID, nil
	}
	return 0, errs.New(errs.Forbidden, "%s may not see these records", a)
}

func orgObject(id int64) string { return fmt.Sprintf("org:%d", id) }
