package ra

import (
	"errors"
	"fmt"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Actor is whoever asks the RA to do something. Every action is authorised
// by role and organisation (RULES O2) and written to the audit log under
// Actor.String().
type Actor struct {
	Kind    string // "agent" (agents, admins, auditors, HR clients), "applicant", "system", "cli"
	AgentID int64
	Role    string // model.RoleAdmin, RoleAgent, RoleAuditor, RoleHR (Kind "agent")
	OrgID   int64  // the agent's organisation
	Name    string // for system and cli actors: "appointment-monitor", "scheduler", an operator's login
	// EnrollmentID is set for an applicant acting on their own request.
	EnrollmentID int64
	// OrgCode is the agent's organisation's code, for display.
	OrgCode string
	// CertNotAfter is when the agent's login certificate expires.
	CertNotAfter time.Time
	// From is where an anonymous caller's request came from; the RA counts
	// and rate-limits anonymous callers by it.
	From Origin
	// orgStatus is the agent's organisation's accreditation when the actor
	// was authenticated: agents of a suspended or revoked provider act and
	// read no more (RULES O1, G2). Set only by Authenticate.
	orgStatus string
}

// Actor kinds.
const (
	ActorAgent     = "agent"
	ActorApplicant = "applicant"
	ActorSystem    = "system"
	ActorCLI       = "cli"
	ActorAnonymous = "anonymous"
)

// System returns the actor for an automatic job.
func System(name string) Actor { return Actor{Kind: ActorSystem, Name: name} }

// CLI returns the actor for an operator at the console (trusted like an admin).
func CLI(user string) Actor { return Actor{Kind: ActorCLI, Name: user} }

func (a Actor) String() string {
	switch a.Kind {
	case ActorAgent:
		return fmt.Sprintf("%s:%d", a.Role, a.AgentID)
	case ActorApplicant:
		return fmt.Sprintf("applicant:enrollment:%d", a.EnrollmentID)
	case ActorSystem:
		return "system:" + a.Name
	case ActorCLI:
		return "cli:" + a.Name
	case ActorAnonymous:
		return "anonymous"
	}
	return "unknown"
}

// privileged reports whether a is trusted across organisations to act.
func (a Actor) privileged() bool {
	return a.Kind == ActorSystem || a.Kind == ActorCLI || (a.Kind == ActorAgent && a.Role == model.RoleAdmin)
}

// CanRead reports whether a may see an organisation's records: auditors and
// admins see everything, agents their own organisation's.
func (a Actor) CanRead(orgID int64) bool {
	if a.privileged() || (a.Kind == ActorAgent && a.Role == model.RoleAuditor) {
		return true
	}
	return a.activeAgent() && a.OrgID == orgID
}

// activeAgent reports whether a is a registration agent whose organisation
// is accredited. An Actor built by hand (tests, the console) carries no
// status and counts as accredited; Authenticate always sets it.
func (a Actor) activeAgent() bool {
	return a.Kind == ActorAgent && a.Role == model.RoleAgent && (a.orgStatus == "" || a.orgStatus == model.OrgAccredited)
}

// CanAct reports whether a may change an organisation's records: agents of
// that organisation, admins, the system and the console. Auditors never act.
func (a Actor) CanAct(orgID int64) bool {
	if a.privileged() {
		return true
	}
	return a.activeAgent() && a.OrgID == orgID
}

// MustAct returns a Forbidden error unless a may act on orgID.
func (a Actor) MustAct(orgID int64) error {
	if err := a.mustBeAccredited(); err != nil {
		return err
	}
	if !a.CanAct(orgID) {
		return errs.New(errs.Forbidden, "%s may not act for organisation %d", a, orgID)
	}
	return nil
}

// MustRead returns a Forbidden error unless a may read orgID's records.
func (a Actor) MustRead(orgID int64) error {
	if err := a.mustBeAccredited(); err != nil {
		return err
	}
	if !a.CanRead(orgID) {
		return errs.New(errs.Forbidden, "%s may not see the records of organisation %d", a, orgID)
	}
	return nil
}

// MustActOn is MustAct for one record, named what as the store names it
// when it does not exist ("enrollment 7"). An agent asking about another
// organisation's record is answered word for word as for a missing one: a
// 403 would tell which ids exist elsewhere. Auditors, HR clients and agents
// of a suspended provider keep their precise Forbidden. (Organisations
// themselves are public: MustAct keeps answering Forbidden for them.)
func (a Actor) MustActOn(orgID int64, what string) error { return a.hide(a.MustAct(orgID), what) }

// MustReadOn is MustRead for one record (see MustActOn).
func (a Actor) MustReadOn(orgID int64, what string) error { return a.hide(a.MustRead(orgID), what) }

// hide turns the Forbidden an accredited agent gets for another
// organisation's record into the store's "not found" for a record named
// what. The Forbidden stays as the cause, so that the refusal is audited as
// what it was (isForeign).
func (a Actor) hide(err error, what string) error {
	if err == nil || !a.activeAgent() || !errs.Has(err, errs.Forbidden) {
		return err
	}
	return errs.Wrap(errs.NotFound, err, "%s not found", what)
}

// isForeign reports whether err is the "not found" that hides a refusal for
// another organisation's record.
func isForeign(err error) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.Type == errs.NotFound && errs.Has(e.Cause, errs.Forbidden)
}

// mustBeAccredited names the reason an agent of a suspended or revoked
// provider is refused, rather than a bare "may not".
func (a Actor) mustBeAccredited() error {
	if a.Kind == ActorAgent && a.Role == model.RoleAgent && a.orgStatus != "" && a.orgStatus != model.OrgAccredited {
		return errs.New(errs.Forbidden, "organisation %s is %s as a certification service provider", a.OrgCode, a.orgStatus)
	}
	if a.Kind == ActorAgent && a.Role == model.RoleHR {
		return errs.New(errs.Forbidden, "an HR client has no access to the agents' screens")
	}
	return nil
}
