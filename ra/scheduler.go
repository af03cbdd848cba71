package ra

import (
	"context"
	"fmt"
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
		pol, err := r.policies.Get(c.PolicyID.String)
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		susp, _, _ := pol.StatusReason(c.StatusReasonID.String)
		target := susp.EscalatesTo
		if target == "" && len(pol.StatusCodes.Revocation) > 0 {
			target = pol.StatusCodes.Revocation[0].ID
		}
		if _, err := r.ChangeStatus(ctx, sys, StatusInput{CertificateID: c.ID, Kind: ChangeRevoke, ReasonID: target, Requester: BySystem,
			Statement: "La causa de la suspensión persiste al concluir la investigación (" + susp.ID + ")."}); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		rep.Escalated = append(rep.Escalated, c.Serial)
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
