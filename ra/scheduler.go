package ra

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
)

// DeadlineReport says what one scheduler pass did.
type DeadlineReport struct {
	NotPresented  []string // folios closed as not presented (RULES D1)
	RefusalsDue   []string // folios flagged: a refusal is due (RULES D2)
	HoldsReleased []string // early renewals whose window opened (RULES D5)
	Escalated     []string // suspensions that became revocations (RULES S1)
	DecisionsDue  []string // suspensions that do not escalate by themselves, flagged for an agent (RULES S1)
	Revoked       []string // revocations applied at the term of their prior notice (RULES S2)
	Expired       []string // certificates extinguished by expiry (RULES S3)
	Unverified    []string // online filings cancelled: e-mail never verified (RULES R9)
	Skipped       bool     // another node holds the scheduler lock
	Errors        []string
}

// RunDeadlines runs the business-day deadlines once. Only one node runs it
// at a time (advisory lock); running it twice does nothing more.
func (r *RA) RunDeadlines(ctx context.Context, a Actor) (*DeadlineReport, error) {
	if err := a.mustAdmin(); err != nil {
		return nil, r.refuse(ctx, a, "scheduler.run", "scheduler", err)
	}
	rep := &DeadlineReport{}
	unlock, ok, err := r.store.TryLock(ctx, "scheduler")
	if err != nil {
		return nil, err
	}
	if !ok {
		rep.Skipped = true
		return rep, nil
	}
	defer unlock()
	now := r.clk.Now()
	sys := System("scheduler")

	ids, err := r.store.DueEnrollments(ctx, StateDeficient, "deficiency_deadline", now)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		req, err := r.transition(ctx, sys, id, "enrollment.not_presented", []string{StateDeficient},
			func(tx Tx, req *Request, pol *policies.Policy) error {
				if now.Before(req.DeficiencyDeadline.Time) {
					return errs.New(errs.WrongState, "deadline not reached")
				}
				req.State = StateNotPresented
				req.ClosedAt = model.NullTime(now)
				return r.notify(ctx, tx, req, nil, mail{template: "not_presented", key: fmt.Sprintf("not_presented:%d", req.ID),
					data: map[string]any{"Items": findingsData(req.Data.Deficiencies, req.Data.Lang), "Deadline": req.DeficiencyDeadline.Time}})
			})
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		rep.NotPresented = append(rep.NotPresented, req.Folio)
	}

	for _, st := range []string{StateEmailVerified, StateInReview, StateDeficient} {
		ids, err := r.store.DueEnrollments(ctx, st, "refusal_due_at", now)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			dueReq, err := r.transition(ctx, sys, id, "enrollment.refusal_due", []string{st},
				func(tx Tx, req *Request, pol *policies.Policy) error {
					req.RefusalFlaggedAt = model.NullTime(now)
					return nil
				})
			if err != nil {
				rep.Errors = append(rep.Errors, err.Error())
				continue
			}
			rep.RefusalsDue = append(rep.RefusalsDue, dueReq.Folio)
		}
	}

	if err := r.expireUnverified(ctx, sys, now, rep); err != nil {
		return nil, err
	}

	ids, err = r.store.DueEnrollments(ctx, StateApproved, "hold_until", now)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		req, err := r.transition(ctx, sys, id, "enrollment.hold_released", []string{StateApproved},
			func(tx Tx, req *Request, pol *policies.Policy) error {
				_, err := r.issueCredential(ctx, tx, req, pol)
				return err
			})
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		rep.HoldsReleased = append(rep.HoldsReleased, req.Folio)
	}

	// RULES S1: a suspension lasts while investigated; if its cause
	// persists it becomes a revocation.
	suspended, err := r.store.SuspendedPastInvestigation(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, c := range suspended {
		if err := r.endSuspension(ctx, sys, c, now, rep); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
		}
	}

	// RULES S2: revocations announced by prior notice take effect at the
	// date and hour the notice stated.
	if err := r.applyNoticedRevocations(ctx, sys, now, rep); err != nil {
		return nil, err
	}

	// RULES S3: expiry extinguishes; the registry shows it with its time.
	expired, err := r.store.ExpiredUnmarked(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, c := range expired {
		pol, err := r.policies.Get(c.PolicyID.String)
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		reasonID := ""
		for _, x := range pol.StatusCodes.Extinction {
			if x.Automatic {
				reasonID = x.ID
				break
			}
		}
		if reasonID == "" {
			rep.Errors = append(rep.Errors, "policy "+pol.ID+" has no automatic extinction reason for expiry")
			continue
		}
		if _, err := r.ChangeStatus(ctx, sys, StatusInput{CertificateID: c.ID, Kind: ChangeExtinguish, ReasonID: reasonID, Requester: BySystem}); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		rep.Expired = append(rep.Expired, c.Serial)
	}
	return rep, nil
}

// expireUnverified cancels online filings whose e-mail was not verified
// within Limits.UnverifiedExpiry (RULES R9: an agent sees a request only
// once its address is verified), so that filings nobody verifies do not
// pile up in the agents' "unverified e-mail" list. The address was never
// shown to belong to the filer, so nothing is mailed; the cancellation is
// audited and the folio stays in its series.
func (r *RA) expireUnverified(ctx context.Context, sys Actor, now time.Time, rep *DeadlineReport) error {
	ttl := r.limits.UnverifiedExpiry
	if ttl <= 0 {
		return nil
	}
	ids, err := r.store.DueEnrollments(ctx, StateSubmitted, "filed_at", now.Add(-ttl))
	if err != nil {
		return err
	}
	for _, id := range ids {
		req, err := r.transition(ctx, sys, id, "enrollment.unverified_expired", []string{StateSubmitted},
			func(tx Tx, req *Request, pol *policies.Policy) error {
				req.State = StateCancelled
				req.ClosedAt = model.NullTime(now)
				req.Data.EmailTokenHash = ""
				req.Data.CancelReason = fmt.Sprintf("El correo electrónico no se validó en %s.", ttl)
				return nil
			})
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		rep.Unverified = append(rep.Unverified, req.Folio)
	}
	return nil
}

// RunEvery runs fn every interval until ctx ends.
func RunEvery(ctx context.Context, every time.Duration, fn func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// endSuspension ends a suspension whose investigation period is over (RULES
// S1). One that escalates by itself becomes the revocation its reason
// names; any other stays suspended and is flagged for an agent to decide
// (lift it, or revoke it with the cause the agent finds): the end of the
// period alone is no cause of revocation, and guessing one would put a
// false reason in the registry.
func (r *RA) endSuspension(ctx context.Context, sys Actor, c model.Certificate, now time.Time, rep *DeadlineReport) error {
	pol, err := r.policies.Get(c.PolicyID.String)
	if err != nil {
		return err
	}
	susp, _, ok := pol.StatusReason(c.StatusReasonID.String)
	if ok && susp.EscalatesTo != "" {
		if _, err := r.ChangeStatus(ctx, sys, StatusInput{CertificateID: c.ID, Kind: ChangeRevoke, ReasonID: susp.EscalatesTo, Requester: BySystem,
			Statement: "La causa de la suspensión persiste al concluir la investigación (" + susp.ID + ")."}); err != nil {
			return err
		}
		rep.Escalated = append(rep.Escalated, c.Serial)
		return nil
	}
	err = r.store.InTx(ctx, func(tx Tx) error {
		if err := tx.FlagDecisionDue(ctx, c.ID, now); err != nil {
			return err
		}
		_, err := tx.Audit(ctx, model.Event{Actor: sys.String(), Action: "cert.suspension.decision_due", Object: fmt.Sprintf("cert:%d", c.ID),
			Outcome: model.OutcomeOK, Details: map[string]any{"serial": c.Serial, "reason": c.StatusReasonID.String,
				"suspendedUntil": c.SuspendedUntil.Time.Format(time.RFC3339Nano)}})
		return err
	})
	if err != nil {
		return err
	}
	rep.DecisionsDue = append(rep.DecisionsDue, c.Serial)
	return nil
}

// applyNoticedRevocations applies the revocations whose prior notice's term
// came (RULES S2, Zacatecas art. 66-IV), oldest first. A request an agent
// cancelled is no longer pending and is not returned; one whose certificate
// ended meanwhile by another way lapses.
func (r *RA) applyNoticedRevocations(ctx context.Context, sys Actor, now time.Time, rep *DeadlineReport) error {
	due, err := r.store.DueStatusRequests(ctx, now)
	if err != nil {
		return err
	}
	for _, sr := range due {
		var serial string
		applied := false
		err := r.store.InTx(ctx, func(tx Tx) error {
			cur, err := tx.StatusRequest(ctx, sr.ID)
			if err != nil {
				return err
			}
			if cur.State != "pending" {
				return errs.New(errs.WrongState, "request %s is %s", cur.Folio, cur.State)
			}
			cert, err := tx.LockCertificate(ctx, cur.CertificateID)
			if err != nil {
				return err
			}
			serial = cert.Serial
			pol, err := r.policies.Get(cert.PolicyID.String)
			if err != nil {
				return errs.Wrap(errs.BadConfig, err, "policy")
			}
			reason, group, ok := pol.StatusReason(cur.ReasonID)
			if !ok || group != "revocation" {
				return errs.New(errs.Malformed, "reason %q is no longer in the catalogue", cur.ReasonID)
			}
			obj := fmt.Sprintf("cert:%d", cert.ID)
			if !slices.Contains(changeFrom[ChangeRevoke], cert.Status) {
				if _, err := tx.Audit(ctx, model.Event{Actor: sys.String(), Action: "cert.revoke.lapsed", Object: obj, Outcome: model.OutcomeOK,
					Details: map[string]any{"folio": cur.Folio, "status": cert.Status}}); err != nil {
					return err
				}
				return tx.DecideStatusRequest(ctx, cur.ID, "lapsed", sys.String())
			}
			if _, err := r.applyStatus(ctx, tx, sys, cert, pol, ChangeRevoke, reason, cur.Folio, now); err != nil {
				return err
			}
			if _, err := tx.Audit(ctx, model.Event{Actor: sys.String(), Action: "cert.revoke", Object: obj, Outcome: model.OutcomeOK,
				Details: map[string]any{"folio": cur.Folio, "reason": cur.ReasonID, "requester": cur.Requester, "serial": cert.Serial,
					"noticedAt": cur.ReceivedAt.Format(time.RFC3339Nano), "at": now.Format(time.RFC3339Nano)}}); err != nil {
				return err
			}
			applied = true
			return tx.DecideStatusRequest(ctx, cur.ID, "done", sys.String())
		})
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		if applied {
			rep.Revoked = append(rep.Revoked, serial)
		}
	}
	return nil
}
