package ra

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/appointment"
)

// transition runs fn on a locked enrollment in one of the states from, then
// writes it back with an audit entry, all in one transaction. A refusal
// (wrong state, wrong organisation, bad input) changes nothing and is
// audited.
func (r *RA) transition(ctx context.Context, actor Actor, id int64, action string, from []string,
	fn func(tx Tx, req *Request, pol *policies.Policy) error) (*Request, error) {
	var out *Request
	obj := fmt.Sprintf("enrollment:%d", id)
	err := r.store.InTx(ctx, func(tx Tx) error {
		e, err := tx.LockEnrollment(ctx, id)
		if err != nil {
			return err
		}
		if actor.Kind == ActorApplicant {
			if actor.EnrollmentID != e.ID {
				return errs.New(errs.Forbidden, "an applicant acts only on their own request")
			}
		} else if err := actor.MustActOn(e.OrgID, fmt.Sprintf("enrollment %d", id)); err != nil {
			return err
		}
		if !slices.Contains(from, e.State) {
			return errs.New(errs.WrongState, "request %s is %s; %s needs it to be %s", e.Folio, e.State, action, strings.Join(from, " or "))
		}
		pol, err := r.policies.Get(e.PolicyID)
		if err != nil {
			return errs.Wrap(errs.BadConfig, err, "policy %s", e.PolicyID)
		}
		data, err := decodeData(e)
		if err != nil {
			return err
		}
		req := &Request{Enrollment: e, Data: data}
		if e.PersonID.Valid {
			if req.Person, err = tx.Person(ctx, e.PersonID.Int64); err != nil {
				return err
			}
		}
		before := e.State
		if err := fn(tx, req, pol); err != nil {
			return err
		}
		if err := encodeData(e, req.Data); err != nil {
			return err
		}
		if err := tx.UpdateEnrollment(ctx, e); err != nil {
			return err
		}
		if _, err := tx.Audit(ctx, model.Event{Actor: actor.String(), Action: action, Object: obj, Outcome: model.OutcomeOK,
			Details: map[string]any{"folio": e.Folio, "from": before, "to": e.State}}); err != nil {
			return err
		}
		out = req
		return nil
	})
	if err != nil {
		return nil, r.refuse(ctx, actor, action, obj, err)
	}
	return out, nil
}

// Attend: an agent of the organisation takes an online request whose e-mail
// was verified (RULES O3 "online requests").
func (r *RA) Attend(ctx context.Context, actor Actor, id int64) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.attend", []string{StateEmailVerified},
		func(tx Tx, req *Request, _ *policies.Policy) error {
			if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
				return errs.New(errs.Forbidden, "only an agent attends a request")
			}
			req.State = StateInReview
			req.AssignedAgentID = model.NullInt(actor.AgentID)
			return nil
		})
}

// CheckAppointment looks the applicant's appointment up in HR and records
// what HR said (RULES R1). An unavailable source is recorded as such: it
// never lets the request through.
func (r *RA) CheckAppointment(ctx context.Context, actor Actor, id int64) (*Request, error) {
	// HR is asked before the write transaction opens: an external call must
	// not hold the database's write lock.
	facts, err := r.appointmentFor(ctx, actor, id)
	if err != nil {
		return nil, r.refuse(ctx, actor, "enrollment.check_appointment", fmt.Sprintf("enrollment:%d", id), err)
	}
	return r.transition(ctx, actor, id, "enrollment.check_appointment", []string{StateInReview, StateDeficient},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			req.Data.Appointment, req.Data.AppointmentAt = facts, r.clk.Now()
			if facts.State == policies.AppointmentFound && facts.Position != "" {
				req.Data.Title = facts.Position // HR's post, not a typed one (RULES P1)
			}
			d := r.evaluate(req, pol)
			req.Data.Decision = &d
			return nil
		})
}

// appointmentFor asks HR about the holder of request id, outside any
// transaction, for an actor allowed to see the request.
func (r *RA) appointmentFor(ctx context.Context, actor Actor, id int64) (*policies.AppointmentFacts, error) {
	req, err := r.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	pol, err := r.policies.Get(req.PolicyID)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "policy %s", req.PolicyID)
	}
	return r.lookupAppointment(ctx, pol, req.OrgID, req.Person), nil
}

// lookupAppointment asks the organisation's HR source. Without a source, or
// when it fails, the answer is "unavailable".
func (r *RA) lookupAppointment(ctx context.Context, pol *policies.Policy, orgID int64, person *model.Person) *policies.AppointmentFacts {
	src := r.appointments[pol.ID]
	org, err := r.store.Organisation(ctx, orgID)
	if err != nil {
		r.log.Warn("organisation of an appointment lookup", "org", orgID, "err", err)
		return &policies.AppointmentFacts{State: policies.AppointmentUnavailable}
	}
	// An organisation may name its own HR body (RULES R1: "each branch or
	// municipality names its own"); the policy's source serves the rest.
	if r.orgAppointments[org.Code] != nil {
		src = r.orgAppointments[org.Code]
	}
	if src == nil || person == nil {
		return &policies.AppointmentFacts{State: policies.AppointmentUnavailable}
	}
	kind := pol.IdentifierKind()
	value := map[string]string{"CURP": person.Data.CURP, "RFC": person.Data.RFC, "DNI": person.Data.DNI}[kind]
	a, err := src.Lookup(ctx, appointment.PersonID{Kind: kind, Value: value})
	switch {
	case errs.Has(err, errs.NotFound):
		return &policies.AppointmentFacts{State: policies.AppointmentNotFound}
	case err != nil:
		r.log.Warn("appointment source unavailable", "policy", pol.ID, "err", err)
		return &policies.AppointmentFacts{State: policies.AppointmentUnavailable}
	}
	return &policies.AppointmentFacts{State: policies.AppointmentFound, Status: string(a.Status), Organisation: a.Organisation,
		Position: a.Position, Start: a.Start, End: a.End, Elsewhere: !sameOrganisation(a.Organisation, org), Name: strings.TrimSpace(a.Name)}
}

// Confirmation items an agent records in person.
type Confirm struct {
	IDDocument     *policies.IDDocument // RULES R2
	Documents      map[string]time.Time // kind -> issue date (uploaded through ra/documents)
	Biometrics     []string             // RULES R7 (captured and uploaded)
	InPerson       *bool                // RULES R6
	RequestForm    *bool                // RULES R8
	Agreement      *bool                // RULES R8
	PaymentReceipt string               // RULES R10
	RENAPO         *bool                // RULES R3 (Zacatecas)
	DNIIssueDate   string
}

// Confirm records what the agent checked in person and re-evaluates.
func (r *RA) Confirm(ctx context.Context, actor Actor, id int64, c Confirm) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.confirm", confirmStates,
		func(tx Tx, req *Request, pol *policies.Policy) error { return r.confirm(actor, req, pol, c) })
}

// confirmStates are the states in which in-person items are confirmed.
var confirmStates = []string{StateInReview, StateDeficient}

// confirm records what the agent checked in person on a request being
// reviewed, and re-evaluates it.
func (r *RA) confirm(actor Actor, req *Request, pol *policies.Policy, c Confirm) error {
	if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
		return errs.New(errs.Forbidden, "only an agent confirms in-person items")
	}
	now := r.clk.Now()
	d := &req.Data
	note := func(item string) {
		d.Confirmations = append(d.Confirmations, Confirmation{Item: item, By: actor.String(), At: now})
	}
	if c.IDDocument != nil {
		if strings.TrimSpace(c.IDDocument.Number) == "" || c.IDDocument.Kind == "" {
			return errs.New(errs.Malformed, "the ID document needs its kind and number")
		}
		d.IDDocument = c.IDDocument
		note("id_document")
	}
	for kind, issued := range c.Documents {
		if issued.After(now) {
			return errs.New(errs.Malformed, "document %s is dated in the future", kind)
		}
		if d.Documents == nil {
			d.Documents = map[string]time.Time{}
		}
		d.Documents[kind] = issued
		note("document:" + kind)
	}
	for _, b := range c.Biometrics {
		if !slices.Contains(d.Biometrics, b) {
			d.Biometrics = append(d.Biometrics, b)
		}
		note("biometric:" + b)
	}
	set := func(dst *bool, v *bool, item string) {
		if v != nil {
			*dst = *v
			note(item)
		}
	}
	set(&d.InPerson, c.InPerson, "in_person")
	set(&d.RequestForm, c.RequestForm, "request_form")
	set(&d.Agreement, c.Agreement, "agreement")
	set(&d.RENAPO, c.RENAPO, "renapo")
	if c.PaymentReceipt != "" {
		d.PaymentReceipt = strings.TrimSpace(c.PaymentReceipt)
		note("payment_receipt")
	}
	if c.DNIIssueDate != "" {
		d.DNIIssueDate = c.DNIIssueDate
		note("dni_issue_date")
	}
	dec := r.evaluate(req, pol)
	d.Decision = &dec
	forgetApproval(req, pol)
	return nil
}

// fourEyes reports whether approving req takes two agents: the policy asks
// for it, or HR gave no position and the certificate would state a title
// someone typed (RULES P1: what a certificate says about a person's post
// comes from HR; without HR, a second agent vouches for it).
func fourEyes(req *Request, pol *policies.Policy) bool {
	if pol.FourEyes {
		return true
	}
	a := req.Data.Appointment
	return a != nil && a.State == policies.AppointmentFound && a.Position == "" && strings.TrimSpace(req.Data.Title) != ""
}

// forgetApproval drops a four-eyes first approval when the request's data
// change: the second agent must confirm what the first one approved.
func forgetApproval(req *Request, pol *policies.Policy) {
	if fourEyes(req, pol) && req.State != StateApproved {
		req.ApprovedBy, req.ApprovedAt = sql.NullInt64{}, sql.NullTime{}
	}
}

// Evaluation returns the policy's decision for a request as it stands.
func (r *RA) Evaluation(ctx context.Context, actor Actor, id int64) (*Request, policies.Decision, error) {
	req, err := r.Load(ctx, actor, id)
	if err != nil {
		return nil, policies.Decision{}, err
	}
	pol, err := r.policies.Get(req.PolicyID)
	if err != nil {
		return nil, policies.Decision{}, errs.Wrap(errs.BadConfig, err, "policy")
	}
	return req, r.evaluate(req, pol), nil
}

func (r *RA) evaluate(req *Request, pol *policies.Policy) policies.Decision {
	d := req.Data
	e := policies.Enrollment{
		Reason: req.Reason, Online: req.Channel == ChannelOnline, EmailVerified: req.EmailVerifiedAt.Valid,
		Appointment: d.Appointment, IDDocument: d.IDDocument, Documents: d.Documents, Biometrics: d.Biometrics,
		InPerson: d.InPerson, RequestFormSigned: d.RequestForm, AgreementSigned: d.Agreement, PaymentReceipt: d.PaymentReceipt,
		FiledAt: req.ReceivedAt.Time, RENAPOConfirmed: d.RENAPO, DNIIssueDate: d.DNIIssueDate,
	}
	if req.Person != nil {
		e.CURP, e.RFC, e.DNI, e.Email = req.Person.Data.CURP, req.Person.Data.RFC, req.Person.Data.DNI, req.Person.Data.Email
	}
	dec := pol.Evaluate(e, r.clk.Now())
	if f := hrNameFinding(d.Appointment, req.Person, pol.IdentifierKind()); f != nil {
		dec.Unmet = append(dec.Unmet, *f)
	}
	return dec
}

// MarkDeficient notifies the applicant of every missing requirement and
// opens the deficiency term (RULES D1, D3).
func (r *RA) MarkDeficient(ctx context.Context, actor Actor, id int64) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.deficient", []string{StateInReview},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			dec := r.evaluate(req, pol)
			if dec.Approvable() {
				return errs.New(errs.WrongState, "nothing is missing: approve the request instead")
			}
			req.Data.Decision, req.Data.Deficiencies = &dec, dec.Unmet
			forgetApproval(req, pol)
			deadline := pol.Calendar().DeadlineFromNotification(r.clk.Now(), pol.Deadlines.DeficiencyDays)
			req.DeficiencyDeadline = model.NullTime(deadline)
			req.State = StateDeficient
			return r.notify(ctx, tx, req, nil, mail{template: "deficiency_notice", key: fmt.Sprintf("deficiency:%d:%d", req.ID, req.Version),
				data: map[string]any{"Items": findingsData(dec.Unmet, req.Data.Lang), "Deadline": deadline}})
		})
}

// Resume brings a deficient request back to review once the missing items
// arrived within the term (RULES D1).
func (r *RA) Resume(ctx context.Context, actor Actor, id int64) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.resume", []string{StateDeficient},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			if !r.clk.Now().Before(req.DeficiencyDeadline.Time) {
				return errs.New(errs.WrongState, "the deficiency term ended on %s: the request is to be deemed not presented", req.DeficiencyDeadline.Time.Format(time.RFC3339))
			}
			req.State = StateInReview
			req.DeficiencyDeadline = model.NullTime(time.Time{})
			return nil
		})
}

// Refuse closes a request with its grounds and reasons in writing (RULES D2):
// every unmet requirement with its rule id, plus the agent's note.
func (r *RA) Refuse(ctx context.Context, actor Actor, id int64, note string) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.refuse", []string{StateInReview, StateDeficient, StateEmailVerified},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			dec := r.evaluate(req, pol)
			if dec.Approvable() {
				return errs.New(errs.WrongState, "every requirement is met: a refusal needs grounds (RULES D2)")
			}
			if strings.TrimSpace(note) == "" {
				return errs.New(errs.Malformed, "a refusal needs a written reason")
			}
			if err := checkTexts("note", note); err != nil {
				return err
			}
			req.Data.Refusal, req.Data.RefusalNote, req.Data.Decision = dec.Unmet, strings.TrimSpace(note), &dec
			req.State = StateRefused
			req.ClosedAt = model.NullTime(r.clk.Now())
			return r.notify(ctx, tx, req, nil, mail{template: "refusal", key: fmt.Sprintf("refusal:%d", req.ID),
				data: map[string]any{"Items": findingsData(dec.Unmet, req.Data.Lang), "Note": req.Data.RefusalNote}})
		})
}

// Cancel closes a request with a written reason (RULES R11).
func (r *RA) Cancel(ctx context.Context, actor Actor, id int64, reason string) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.cancel",
		[]string{StateSubmitted, StateEmailVerified, StateInReview, StateDeficient, StateApproved, StateCredentialIssued},
		func(tx Tx, req *Request, _ *policies.Policy) error {
			if actor.Kind == ActorApplicant || actor.Kind == ActorSystem {
				return errs.New(errs.Forbidden, "only an agent cancels a request")
			}
			if strings.TrimSpace(reason) == "" {
				return errs.New(errs.Malformed, "a cancellation needs a written reason (RULES R11)")
			}
			if err := checkTexts("reason", reason); err != nil {
				return err
			}
			req.Data.CancelReason = strings.TrimSpace(reason)
			req.State = StateCancelled
			req.ClosedAt = model.NullTime(r.clk.Now())
			return tx.RevokeCredentials(ctx, req.ID)
		})
}

// Load returns a request the actor may see.
func (r *RA) Load(ctx context.Context, actor Actor, id int64) (*Request, error) {
	e, err := r.store.Enrollment(ctx, id)
	if err == nil {
		if actor.Kind == ActorApplicant {
			if actor.EnrollmentID != e.ID {
				err = errs.New(errs.Forbidden, "an applicant sees only their own request")
			}
		} else {
			err = actor.MustReadOn(e.OrgID, fmt.Sprintf("enrollment %d", id))
		}
	}
	if err != nil {
		return nil, r.refuseRead(ctx, actor, "enrollment.read", fmt.Sprintf("enrollment:%d", id), err)
	}
	return r.request(ctx, e)
}

// request completes an enrollment record with its data and person.
func (r *RA) request(ctx context.Context, e *model.Enrollment) (*Request, error) {
	data, err := decodeData(e)
	if err != nil {
		return nil, err
	}
	req := &Request{Enrollment: e, Data: data}
	if e.PersonID.Valid {
		if req.Person, err = r.store.Person(ctx, e.PersonID.Int64); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// LoadByFolio returns a request by folio.
func (r *RA) LoadByFolio(ctx context.Context, actor Actor, folio string) (*Request, error) {
	e, err := r.store.EnrollmentByFolio(ctx, folio)
	if err != nil {
		return nil, err
	}
	return r.Load(ctx, actor, e.ID)
}

func findingsData(fs []policies.Finding, lang string) []map[string]string {
	out := make([]map[string]string, 0, len(fs))
	for _, f := range fs {
		// Notices go to the applicant: the agent's checklist is restated
		// as the requirement the applicant did not meet.
		out = append(out, map[string]string{"Rule": f.Rule, "Text": f.ForApplicant(lang)})
	}
	return out
}
