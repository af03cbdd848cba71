package ra

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
)

// Jobs written with every status change, for the status services and the
// registry publishers (their workers live in ocsp/, crl/ and ldap/); the
// kinds are internal/jobs'.
const (
	JobCRLRegenerate = jobs.KindCRLRegenerate
	JobCARevoke      = jobs.KindCARevoke
)

// Status change kinds.
const (
	ChangeSuspend    = "suspend"
	ChangeLift       = "lift"
	ChangeRevoke     = "revoke"
	ChangeExtinguish = "extinguish"
)

// Requesters of a status change (RULES S4).
const (
	ByHolder         = "holder"
	BySuperior       = "superior"
	ByRepresentative = "representative"
	ByAgent          = "agent"
	BySystem         = "system"
)

// StatusInput asks to suspend, lift, revoke or extinguish a certificate.
type StatusInput struct {
	CertificateID int64
	Kind          string // ChangeSuspend, ChangeLift, ChangeRevoke, ChangeExtinguish
	ReasonID      string // from the policy's catalogue (lift: optional)
	// Identifier is the holder's CURP (or the policy's identifier), which must
	// match the certificate (RULES S4: agents revoke giving CURP and reason).
	Identifier string
	Requester  string
	Statement  string
	// Defer files the request for another agent to decide (RULES O3
	// "revocation requests") instead of applying it now.
	Defer bool
	// Address is the holder's address, which a revocation request of the
	// holder or their representative states (RULES S4, Zacatecas art. 68-I-c).
	Address string
	// PowerOfAttorney is the id of the POWER_OF_ATTORNEY document, uploaded
	// to a request of the certificate's holder, on which a representative's
	// request rests (RULES S4, Zacatecas art. 68-II).
	PowerOfAttorney int64
}

// StatusResult is what a status change produced.
type StatusResult struct {
	Request *model.StatusRequest
	Change  *model.StatusChange // nil when deferred
	Ack     *Acknowledgement
}

var changeFrom = map[string][]string{
	ChangeSuspend:    {model.CertValid},
	ChangeLift:       {model.CertSuspended},
	ChangeRevoke:     {model.CertValid, model.CertSuspended},
	ChangeExtinguish: {model.CertValid, model.CertSuspended},
}

var folioKind = map[string]string{ChangeSuspend: FolioSuspension, ChangeLift: FolioLift, ChangeRevoke: FolioRevocation, ChangeExtinguish: FolioExtinction}

// ChangeStatus files and (unless deferred) applies a status change with the
// exact time, its reason, an acknowledgement and the publication jobs, in
// one transaction (RULES S1-S6).
func (r *RA) ChangeStatus(ctx context.Context, actor Actor, in StatusInput) (*StatusResult, error) {
	out := &StatusResult{}
	obj := fmt.Sprintf("cert:%d", in.CertificateID)
	err := r.store.InTx(ctx, func(tx Tx) error {
		cert, pol, org, reason, err := r.checkStatusInput(ctx, tx, actor, in)
		if err == nil {
			err = checkStatusTexts(in)
		}
		if err != nil {
			return err
		}
		now := r.clk.Now()
		folio, err := r.nextFolio(ctx, tx, org, pol, folioKind[in.Kind], now)
		if err != nil {
			return err
		}
		sr := &model.StatusRequest{CertificateID: cert.ID, OrgID: org.ID, Kind: map[string]string{ChangeExtinguish: ChangeRevoke}[in.Kind],
			ReasonID: in.ReasonID, Requester: in.Requester, Statement: strings.TrimSpace(in.Statement), Folio: folio, State: "pending", ReceivedAt: now,
			FiledBy: actor.String(), Address: strings.TrimSpace(in.Address)}
		if in.PowerOfAttorney != 0 {
			sr.PowerOfAttorneyID = model.NullInt(in.PowerOfAttorney)
		}
		noticed := !in.Defer && in.Kind == ChangeRevoke && reason.PriorNoticeDays > 0
		if noticed {
			sr.EffectiveAt = model.NullTime(priorNoticeTerm(pol, reason, now))
		}
		if sr.Kind == "" {
			sr.Kind = in.Kind
		}
		if err := tx.CreateStatusRequest(ctx, sr); err != nil {
			return err
		}
		out.Request = sr
		if noticed {
			if err := r.sendRevocationNotice(ctx, tx, cert, pol, reason, sr); err != nil {
				return err
			}
		}
		if !in.Defer && !noticed {
			ch, err := r.applyStatus(ctx, tx, actor, cert, pol, in.Kind, reason, folio, now)
			if err != nil {
				return err
			}
			if err := tx.DecideStatusRequest(ctx, sr.ID, "done", actor.String()); err != nil {
				return err
			}
			sr.State = "done"
			out.Change = ch
		}
		details := map[string]any{"folio": folio, "reason": in.ReasonID, "requester": in.Requester,
			"serial": cert.Serial, "at": now.Format(time.RFC3339Nano)}
		if sr.PowerOfAttorneyID.Valid {
			details["powerOfAttorney"] = sr.PowerOfAttorneyID.Int64
		}
		action := "cert." + in.Kind + map[bool]string{true: ".request", false: ""}[in.Defer]
		if noticed {
			action, details["effectiveAt"] = "cert.revoke.noticed", sr.EffectiveAt.Time.Format(time.RFC3339Nano)
		}
		if _, err := tx.Audit(ctx, model.Event{Actor: actor.String(), Action: action, Object: obj, Outcome: model.OutcomeOK, Details: details}); err != nil {
			return err
		}
		var person *model.Person
		if cert.PersonID.Valid {
			if person, err = tx.Person(ctx, cert.PersonID.Int64); err != nil {
				return err
			}
		}
		ack, err := r.acknowledge(ctx, tx, ackInput{org: org, pol: pol, folio: folio, action: "status." + in.Kind,
			certificateID: cert.ID, filedAt: now, receivedAt: now, filer: person})
		if err != nil {
			return err
		}
		out.Ack = ack
		return nil
	})
	if err != nil {
		return nil, r.refuse(ctx, actor, "cert."+in.Kind, obj, err)
	}
	return out, nil
}

// DecideStatusRequest applies (approve) or refuses a deferred request.
func (r *RA) DecideStatusRequest(ctx context.Context, actor Actor, requestID int64, approve bool) (*model.StatusChange, error) {
	var out *model.StatusChange
	obj := fmt.Sprintf("status-request:%d", requestID)
	err := r.store.InTx(ctx, func(tx Tx) error {
		sr, err := tx.StatusRequest(ctx, requestID)
		if err != nil {
			return err
		}
		if err := actor.MustActOn(sr.OrgID, fmt.Sprintf("status request %d", requestID)); err != nil {
			return err
		}
		if sr.State != "pending" {
			return errs.New(errs.WrongState, "request %s is %s", sr.Folio, sr.State)
		}
		// A revocation after prior notice takes effect at its term (RULES S2);
		// before then it can only be cancelled, by any agent, its filer too.
		if sr.EffectiveAt.Valid && approve {
			return errs.New(errs.WrongState, "request %s is a revocation after prior notice: it takes effect on %s; it can only be cancelled before then",
				sr.Folio, sr.EffectiveAt.Time.Format(time.RFC3339))
		}
		if sr.FiledBy == actor.String() && !sr.EffectiveAt.Valid {
			return errs.New(errs.Forbidden, "request %s was filed for another agent to decide", sr.Folio)
		}
		if _, err := tx.Audit(ctx, model.Event{Actor: actor.String(), Action: "status-request.decide", Object: obj, Outcome: model.OutcomeOK,
			Details: map[string]any{"approve": approve, "folio": sr.Folio}}); err != nil {
			return err
		}
		if !approve {
			if err := tx.DecideStatusRequest(ctx, sr.ID, "refused", actor.String()); err != nil {
				return err
			}
			if sr.EffectiveAt.Valid {
				// The holder was told the certificate would be revoked: they
				// are told it will not (RULES S2).
				return r.withdrawRevocationNotice(ctx, tx, sr)
			}
			return nil
		}
		cert, err := tx.LockCertificate(ctx, sr.CertificateID)
		if err != nil {
			return err
		}
		if err := mustBeHolders(actor, cert); err != nil {
			return err
		}
		pol, err := r.policies.Get(cert.PolicyID.String)
		if err != nil {
			return errs.Wrap(errs.BadConfig, err, "policy")
		}
		kind := sr.Kind
		reason, group, ok := pol.StatusReason(sr.ReasonID)
		if ok && group == "extinction" {
			kind = ChangeExtinguish
		}
		if kind != ChangeLift && !ok {
			return errs.New(errs.Malformed, "reason %q is no longer in the catalogue", sr.ReasonID)
		}
		// The certificate may have changed since the request was filed: a
		// revoked certificate is never suspended or lifted back to valid.
		if !slices.Contains(changeFrom[kind], cert.Status) {
			return errs.New(errs.WrongState, "certificate %s is now %s; the %s requested in %s no longer applies", cert.Serial, cert.Status, kind, sr.Folio)
		}
		if kind == ChangeRevoke && reason.PriorNoticeDays > 0 {
			// Approved: the prior notice goes out now and the revocation
			// waits for its term (RULES S2); the request stays pending.
			at := priorNoticeTerm(pol, reason, r.clk.Now())
			if err := tx.ScheduleStatusRequest(ctx, sr.ID, at); err != nil {
				return err
			}
			sr.EffectiveAt = model.NullTime(at)
			return r.sendRevocationNotice(ctx, tx, cert, pol, reason, sr)
		}
		if out, err = r.applyStatus(ctx, tx, actor, cert, pol, kind, reason, sr.Folio, r.clk.Now()); err != nil {
			return err
		}
		return tx.DecideStatusRequest(ctx, sr.ID, "done", actor.String())
	})
	if err != nil {
		return nil, r.refuse(ctx, actor, "status-request.decide", obj, err)
	}
	return out, nil
}

func (r *RA) checkStatusInput(ctx context.Context, tx Tx, actor Actor, in StatusInput) (*model.Certificate, *policies.Policy, *model.Organisation, policies.StatusReason, error) {
	var none policies.StatusReason
	cert, err := tx.LockCertificate(ctx, in.CertificateID)
	if err != nil {
		return nil, nil, nil, none, err
	}
	// Authorised first: whatever else is wrong with another organisation's
	// certificate is not the actor's to learn.
	if err := actor.MustActOn(cert.OrgID.Int64, fmt.Sprintf("certificate %d", in.CertificateID)); err != nil {
		return nil, nil, nil, none, err
	}
	if !cert.OrgID.Valid {
		return nil, nil, nil, none, errs.New(errs.Malformed, "certificate %s belongs to no organisation", cert.Serial)
	}
	if err := mustBeHolders(actor, cert); err != nil {
		return nil, nil, nil, none, err
	}
	org, err := tx.Organisation(ctx, cert.OrgID.Int64)
	if err != nil {
		return nil, nil, nil, none, err
	}
	pol, err := r.policies.Get(cert.PolicyID.String)
	if err != nil {
		return nil, nil, nil, none, errs.Wrap(errs.BadConfig, err, "certificate %s has no loaded policy", cert.Serial)
	}
	from, ok := changeFrom[in.Kind]
	if !ok {
		return nil, nil, nil, none, errs.New(errs.Malformed, "unknown status change %q (suspend, lift, revoke, extinguish)", in.Kind)
	}
	switch in.Requester {
	case ByHolder, BySuperior, ByRepresentative, ByAgent, BySystem:
	default:
		return nil, nil, nil, none, errs.New(errs.Malformed, "unknown requester %q (holder, superior, representative, agent)", in.Requester)
	}
	reason, group, found := pol.StatusReason(in.ReasonID)
	want := map[string]string{ChangeSuspend: "suspension", ChangeRevoke: "revocation", ChangeExtinguish: "extinction"}[in.Kind]
	switch {
	case in.Kind == ChangeLift:
	case !found:
		return nil, nil, nil, none, errs.New(errs.Malformed, "reason %q is not in the %s catalogue of policy %s", in.ReasonID, want, pol.ID)
	case group != want:
		return nil, nil, nil, none, errs.New(errs.Malformed, "reason %q is a %s reason, not a %s reason", in.ReasonID, group, want)
	}
	if in.Requester == ByHolder && !reason.HolderMay && in.Kind != ChangeLift && found {
		return nil, nil, nil, none, errs.New(errs.Forbidden, "the holder cannot ask for %q", in.ReasonID)
	}
	if !slices.Contains(from, cert.Status) {
		return nil, nil, nil, none, errs.New(errs.WrongState, "certificate %s is %s; %s needs it %s", cert.Serial, cert.Status, in.Kind, strings.Join(from, " or "))
	}
	if actor.Kind != ActorSystem {
		if err := r.matchHolder(ctx, tx, cert, pol, in.Identifier); err != nil {
			return nil, nil, nil, none, err
		}
	}
	if err := checkRequesterPapers(ctx, tx, cert, in); err != nil {
		return nil, nil, nil, none, err
	}
	return cert, pol, org, reason, nil
}

// mustBeHolders refuses a status change of an agent's, auditor's or HR
// client's login certificate: its subject (and so the CURP that
// matchHolder asks for) is visible to colleagues, and access is withdrawn
// only by an administrator disabling the agent (DisableAgent), which also
// disables the account. Automatic jobs (expiry, the appointment monitor)
// still record what happened to it.
func mustBeHolders(actor Actor, cert *model.Certificate) error {
	if cert.AgentID.Valid && actor.Kind != ActorSystem {
		return errs.New(errs.Forbidden, "certificate %s is a login certificate: it changes status only when an administrator disables its agent", cert.Serial)
	}
	return nil
}

// matchHolder checks the identifier given against the certificate's holder.
func (r *RA) matchHolder(ctx context.Context, read PersonReads, cert *model.Certificate, pol *policies.Policy, given string) error {
	if !cert.PersonID.Valid {
		return errs.New(errs.Malformed, "certificate %s has no holder on record", cert.Serial)
	}
	p, err := read.Person(ctx, cert.PersonID.Int64)
	if err != nil {
		return err
	}
	kind := pol.IdentifierKind()
	want := map[string]string{"CURP": p.Data.CURP, "RFC": p.Data.RFC, "DNI": p.Data.DNI}[kind]
	if given = strings.ToUpper(strings.TrimSpace(given)); given == "" {
		return errs.New(errs.Malformed, "identifier is required: the holder's %s, to confirm whose certificate %s is", kind, cert.Serial)
	}
	if given != strings.ToUpper(want) {
		return errs.New(errs.Malformed, "the %s given does not match the holder of certificate %s", kind, cert.Serial)
	}
	return nil
}

// applyStatus changes the status, records it with the exact time and writes
// the publication and notification jobs.
func (r *RA) applyStatus(ctx context.Context, tx Tx, actor Actor, cert *model.Certificate, pol *policies.Policy,
	kind string, reason policies.StatusReason, folio string, now time.Time) (*model.StatusChange, error) {
	code := policies.CRLReasons[reason.RFC5280]
	text := reason.ES
	if kind == ChangeLift {
		code, text = 8, "Levantamiento de la suspensión" // removeFromCRL
	}
	var until time.Time
	if kind == ChangeSuspend {
		until = pol.Calendar().AddBusinessDays(now, reason.InvestDays)
	}
	ch := model.StatusChange{Kind: kind, ReasonCode: code, ReasonID: reason.ID, Reason: text, Actor: actor.String(),
		Folio: sql.NullString{String: folio, Valid: folio != ""}, At: now}
	if err := tx.SetCertificateStatus(ctx, cert.ID, ch, until); err != nil {
		return nil, err
	}
	if err := jobs.Enqueue(ctx, tx, statusJobs(cert, jobs.Change{Event: kind, ReasonCode: code, At: now})...); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("cert:%s/%s:%s:%d", cert.IssuerID, cert.Serial, kind, now.UnixNano())
	if cert.PersonID.Valid {
		req, err := holderMailRequest(ctx, tx, cert, pol, folio)
		if err != nil {
			return nil, err
		}
		tmpl := map[string]string{ChangeSuspend: "suspension", ChangeLift: "lift", ChangeRevoke: "revocation", ChangeExtinguish: "revocation"}[kind]
		if err := r.notify(ctx, tx, req, nil, mail{template: tmpl, key: "status:" + key,
			data: map[string]any{"Serial": cert.Serial, "Reason": text, "At": now, "Until": until}}); err != nil {
			return nil, err
		}
	}
	ch.CertificateID = cert.ID
	return &ch, nil
}
