package ra

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// OperatorIssuance is a certificate an operator issues at the desk, with
// the holder present and the holder's CSR (RULES P3). It takes the road
// every request takes: filed in person, the appointment looked up in HR
// (R1), the in-person items confirmed, approved under the policy's
// evaluation and validity (P2), issued from the CSR. Nothing is issued on
// the operator's word alone.
type OperatorIssuance struct {
	OrgCode string
	// Reason is one of the policy's request reasons; empty: its first
	// (first issuance).
	Reason string
	Person model.PersonData
	// Title is the position as stated; HR's post replaces it (RULES P1).
	Title string
	Place string
	// Confirm holds the in-person items the operator checked (ID document,
	// documents, biometrics, appearance, agreement...).
	Confirm Confirm
	CSR     []byte
}

// OperatorIssued is an operator issuance's outcome: the certificate and the
// request that carries it (its folio, its approval).
type OperatorIssued struct {
	*Issued
	Request *Request
}

// IssueForPerson is operator issuance (`sello cert issue`). A request whose
// requirements are not all met is refused with every unmet requirement as
// a subproblem (rule id, Spanish and English); it stays in review under its
// folio, for the agent to complete, mark deficient or refuse.
func (r *RA) IssueForPerson(ctx context.Context, actor Actor, in OperatorIssuance) (*OperatorIssued, error) {
	if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
		return nil, r.refuse(ctx, actor, "cert.issue", "org:"+capText(in.OrgCode, 64),
			errs.New(errs.Forbidden, "only an agent issues a certificate in person"))
	}
	// A CSR that cannot be used is refused before a request is filed.
	if _, err := ca.ParseCSR(in.CSR); err != nil {
		return nil, r.refuse(ctx, actor, "cert.issue", "org:"+capText(in.OrgCode, 64), err)
	}
	reason := in.Reason
	if reason == "" {
		_, pol, err := r.orgPolicy(ctx, in.OrgCode)
		if err != nil {
			return nil, r.refuse(ctx, actor, "cert.issue", "org:"+capText(in.OrgCode, 64), err)
		}
		if len(pol.Reasons) > 0 {
			reason = pol.Reasons[0].ID
		}
	}
	filing, err := r.FileInPerson(ctx, actor, FileRequest{OrgCode: in.OrgCode, Reason: reason, Person: in.Person,
		Title: in.Title, Lang: "es", Place: in.Place})
	if err != nil {
		return nil, err
	}
	id, folio := filing.Request.ID, filing.Request.Folio
	if _, err := r.CheckAppointment(ctx, actor, id); err != nil {
		return nil, err
	}
	if _, err := r.Confirm(ctx, actor, id, in.Confirm); err != nil {
		return nil, err
	}
	approved, _, err := r.approve(ctx, actor, id, false)
	if err != nil {
		return nil, stillInReview(err, folio)
	}
	if approved.HoldUntil.Valid {
		// The policy sends requests in a weekly batch, or holds an early
		// renewal (RULES D5): the certificate is issued when the hold ends.
		return nil, errs.New(errs.WrongState, "request %s is approved and held until %s (RULES D5); issue it then with `sello enrollment issue %s --csr FILE`",
			folio, approved.HoldUntil.Time.UTC().Format(time.RFC3339), folio)
	}
	issued, err := r.IssueInPerson(ctx, actor, id, in.CSR)
	if err != nil {
		return nil, err
	}
	req, err := r.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return &OperatorIssued{Issued: issued, Request: req}, nil
}

// stillInReview tells the operator which request an unmet approval left in
// review, keeping the policy's findings as subproblems.
func stillInReview(err error, folio string) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Type != errs.PolicyRefused {
		return err
	}
	rules := make([]string, 0, len(e.Subproblems))
	seen := map[string]bool{}
	for _, s := range e.Subproblems {
		if !seen[s.Rule] {
			seen[s.Rule] = true
			rules = append(rules, s.Rule)
		}
	}
	out := errs.New(errs.PolicyRefused, "nothing issued: requirements not met (%s); request %s stays in review", strings.Join(rules, ", "), folio)
	return out.WithSubproblems(e.Subproblems...)
}
