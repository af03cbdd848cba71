package ra

import (
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// OrganisationInput accredits a dependency or entity as a certification
// service provider (RULES O1).
type OrganisationInput struct {
	Code   string
	Name   string
	Policy string // jurisdiction policy id
	Unit   string // the responsible unit
}

// Organisations lists the accredited, suspended and revoked providers (the
// register of RULES O1, G2). Any authenticated actor may read it.
func (r *RA) Organisations(ctx context.Context, a Actor) ([]model.Organisation, error) {
	if a.Kind == ActorAnonymous || a.Kind == "" {
		return nil, errs.New(errs.Unauthorized, "log in with your agent certificate (TLS client authentication)")
	}
	list, err := r.store.ListOrganisations(ctx)
	if list == nil && err == nil {
		list = []model.Organisation{}
	}
	return list, err
}

// AddOrganisation accredits a provider under a loaded jurisdiction policy
// (administrators and the console only).
func (r *RA) AddOrganisation(ctx context.Context, a Actor, in OrganisationInput) (*model.Organisation, error) {
	o := &model.Organisation{Code: in.Code, Name: in.Name, PolicyID: in.Policy, ResponsibleUnit: in.Unit}
	err := a.mustAdmin()
	if err == nil {
		err = checkOrganisation(in)
	}
	if err == nil {
		if _, perr := r.policies.Get(in.Policy); perr != nil {
			err = errs.Wrap(errs.Malformed, perr, "policy %q is not loaded", in.Policy)
		} else {
			// An organisation whose certificates no issuer could sign is
			// refused now, not at its first issuance (RULES P1).
			_, err = r.IssuerFor(in.Policy)
		}
	}
	if err == nil {
		err = r.store.InTx(ctx, func(tx Tx) error {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			_, err := tx.Audit(ctx, model.Event{Actor: a.String(), Action: "org.add", Object: orgObject(o.ID),
				Outcome: model.OutcomeOK, Details: map[string]any{"code": o.Code, "policy": o.PolicyID}})
			return err
		})
	}
	if err != nil {
		return nil, r.refuse(ctx, a, "org.add", "org:"+in.Code, err)
	}
	return o, nil
}

// SetOrganisationStatus accredits, suspends or revokes a provider (RULES
// O1, G2). A suspension or revocation needs a written reason.
func (r *RA) SetOrganisationStatus(ctx context.Context, a Actor, code, status, reason string) (*model.Organisation, error) {
	var out *model.Organisation
	err := a.mustAdmin()
	if err == nil && status != model.OrgAccredited && status != model.OrgSuspended && status != model.OrgRevoked {
		err = errs.New(errs.Malformed, "status %q: want accredited, suspended or revoked", status)
	}
	if err == nil && status != model.OrgAccredited && reason == "" {
		err = errs.New(errs.Malformed, "a suspension or revocation needs a written reason")
	}
	if err == nil {
		err = checkTexts("reason", reason)
	}
	var o *model.Organisation
	if err == nil {
		o, err = r.orgByCode(ctx, code)
	}
	if err == nil {
		err = r.store.InTx(ctx, func(tx Tx) error {
			if err := tx.SetOrganisationStatus(ctx, o.ID, status, reason); err != nil {
				return err
			}
			_, err := tx.Audit(ctx, model.Event{Actor: a.String(), Action: "org.status", Object: orgObject(o.ID),
				Outcome: model.OutcomeOK, Details: map[string]any{"status": status, "reason": reason}})
			return err
		})
	}
	if err == nil {
		out, err = r.store.Organisation(ctx, o.ID)
	}
	if err != nil {
		return nil, r.refuse(ctx, a, "org.status", "org:"+code, err)
	}
	return out, nil
}
