package ra

import (
	"context"
	"fmt"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Bounds on what one listing or search may ask for, so that a query string
// cannot become a database-sized statement.
const (
	maxListing     = 500
	maxSearchTerms = 8
	maxStates      = 16
)

// RequestQuery selects requests for the screens "online requests" (View
// "online": e-mail not verified or waiting), "my requests" (View "mine") and
// all of the organisation's (View "" or "all"), optionally by state.
type RequestQuery struct {
	View   string
	States []string
	// OrgCode narrows an administrator's or auditor's listing to one
	// organisation; agents always see their own.
	OrgCode string
	Limit   int
}

// CertificateQuery selects certificates for the screens "valid and revoked
// certificates", "my issued certificates" (View "issued-by-me") and "my
// revoked certificates" (View "revoked-by-me") (RULES O3).
type CertificateQuery struct {
	View  string
	Limit int
}

// SearchQuery is the advanced search by name, CURP, RFC or DNI over
// requests, valid certificates or revoked certificates (RULES O3).
type SearchQuery struct {
	Term string
	By   string // name (default), curp, rfc, dni
	In   string // requests (default), valid, revoked
}

// SearchResult holds the requests or the certificates found.
type SearchResult struct {
	Requests     []*Request
	Certificates []model.Certificate
}

// CertificateDetail is a certificate with its status history (RULES S6).
type CertificateDetail struct {
	Certificate *model.Certificate
	History     []model.StatusChange
}

// refuseRead audits a read refused for authorisation (someone probing
// another organisation's records, answered "not found") and returns err; a
// plain "not found" or a bad query is not worth an audit entry.
func (r *RA) refuseRead(ctx context.Context, a Actor, action, object string, err error) error {
	if errs.Has(err, errs.Forbidden) || errs.Has(err, errs.Unauthorized) || isForeign(err) {
		return r.refuse(ctx, a, action, object, err)
	}
	return err
}

func limit(n int) int {
	if n <= 0 || n > maxListing {
		return maxListing
	}
	return n
}

// Requests lists the requests an actor may see.
func (r *RA) Requests(ctx context.Context, a Actor, q RequestQuery) ([]*Request, error) {
	f, err := r.requestFilter(ctx, a, q)
	if err != nil {
		return nil, r.refuseRead(ctx, a, "enrollment.list", "enrollments", err)
	}
	return r.requests(ctx, a, f)
}

func (r *RA) requestFilter(ctx context.Context, a Actor, q RequestQuery) (model.EnrollmentFilter, error) {
	scope, err := a.scope()
	if err != nil {
		return model.EnrollmentFilter{}, err
	}
	f := model.EnrollmentFilter{OrgID: scope, Limit: limit(q.Limit)}
	if q.OrgCode != "" {
		o, err := r.orgByCode(ctx, q.OrgCode)
		if errs.Has(err, errs.Malformed) {
			return f, err
		}
		if err != nil || (scope != 0 && o.ID != scope) {
			return f, errs.New(errs.NotFound, "no organisation %s", q.OrgCode)
		}
		f.OrgID = o.ID
	}
	switch q.View {
	case "", "all":
	case "online":
		f.States = []string{StateSubmitted, StateEmailVerified}
	case "mine":
		if a.Kind != ActorAgent {
			return f, errs.New(errs.Malformed, "view mine is an agent's own list")
		}
		f.AgentID = a.AgentID
	default:
		return f, errs.New(errs.Malformed, "view %q: want online, mine or all", q.View)
	}
	if len(q.States) > maxStates {
		return f, errs.New(errs.Malformed, "at most %d states", maxStates)
	}
	for _, st := range q.States {
		if !knownState(st) {
			return f, errs.New(errs.Malformed, "unknown state %q", st)
		}
	}
	if len(q.States) > 0 {
		f.States = q.States
	}
	return f, nil
}

func (r *RA) requests(ctx context.Context, a Actor, f model.EnrollmentFilter) ([]*Request, error) {
	list, err := r.store.ListEnrollments(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*Request, 0, len(list))
	for i := range list {
		req, err := r.request(ctx, &list[i])
		if err != nil {
			return nil, err
		}
		out = append(out, req)
	}
	return out, nil
}

// Search is the advanced search of RULES O3 over what the actor may see.
func (r *RA) Search(ctx context.Context, a Actor, q SearchQuery) (*SearchResult, error) {
	res, err := r.search(ctx, a, q)
	if err != nil {
		return nil, r.refuseRead(ctx, a, "search", "search", err)
	}
	return res, nil
}

func (r *RA) search(ctx context.Context, a Actor, q SearchQuery) (*SearchResult, error) {
	scope, err := a.scope()
	if err != nil {
		return nil, err
	}
	term := strings.TrimSpace(q.Term)
	if term == "" {
		return nil, errs.New(errs.Malformed, "give q, the name or identifier to search for")
	}
	if len(strings.Fields(term)) > maxSearchTerms || len(term) > 200 {
		return nil, errs.New(errs.Malformed, "search for at most %d words and 200 characters", maxSearchTerms)
	}
	if err := checkNames("q", term); err != nil {
		return nil, err
	}
	var ids []int64
	switch q.By {
	case "", "name":
		ids, err = r.store.PeopleByName(ctx, term, 200)
	case "curp", "rfc", "dni":
		var people []*model.Person
		people, err = r.store.PeopleByIdentifier(ctx, q.By, term)
		for _, p := range people {
			ids = append(ids, p.ID)
		}
	default:
		err = errs.New(errs.Malformed, "by %q: want name, curp, rfc or dni", q.By)
	}
	if err != nil {
		return nil, err
	}
	res := &SearchResult{Requests: []*Request{}, Certificates: []model.Certificate{}}
	if len(ids) == 0 {
		if q.In != "" && q.In != "requests" && q.In != "valid" && q.In != "revoked" {
			return nil, errs.New(errs.Malformed, "in %q: want requests, valid or revoked", q.In)
		}
		return res, nil
	}
	switch q.In {
	case "", "requests":
		res.Requests, err = r.requests(ctx, a, model.EnrollmentFilter{OrgID: scope, PersonIDs: ids, Limit: maxListing})
	case "valid", "revoked":
		f := model.CertificateFilter{OrgID: scope, PersonIDs: ids, Statuses: certStatuses(q.In), OnlyHolders: true, Limit: maxListing}
		res.Certificates, err = r.store.ListCertificates(ctx, f)
	default:
		err = errs.New(errs.Malformed, "in %q: want requests, valid or revoked", q.In)
	}
	if res.Certificates == nil {
		res.Certificates = []model.Certificate{}
	}
	return res, err
}

func certStatuses(view string) []string {
	if view == "revoked" {
		return []string{model.CertRevoked, model.CertExpired}
	}
	return []string{model.CertValid, model.CertSuspended}
}

// Certificates lists holders' certificates the actor may see.
func (r *RA) Certificates(ctx context.Context, a Actor, q CertificateQuery) ([]model.Certificate, error) {
	scope, err := a.scope()
	f := model.CertificateFilter{OrgID: scope, OnlyHolders: true, Limit: limit(q.Limit)}
	if err == nil {
		switch q.View {
		case "", "all":
		case "valid", "revoked":
			f.Statuses = certStatuses(q.View)
		case "issued-by-me":
			f.AgentIssuer = a.AgentID
		case "revoked-by-me":
			f.RevokedBy = a.String()
		default:
			err = errs.New(errs.Malformed, "view %q: want valid, revoked, issued-by-me or revoked-by-me", q.View)
		}
	}
	if err != nil {
		return nil, r.refuseRead(ctx, a, "certificate.list", "certificates", err)
	}
	list, err := r.store.ListCertificates(ctx, f)
	if list == nil && err == nil {
		list = []model.Certificate{}
	}
	return list, err
}

// Certificate returns a certificate the actor may see, with its history.
func (r *RA) Certificate(ctx context.Context, a Actor, id int64) (*CertificateDetail, error) {
	c, err := r.certificate(ctx, a, id)
	if err != nil {
		return nil, err
	}
	hist, err := r.store.StatusChanges(ctx, id)
	if err != nil {
		return nil, err
	}
	if hist == nil {
		hist = []model.StatusChange{}
	}
	return &CertificateDetail{Certificate: c, History: hist}, nil
}

// certificate loads a certificate for a, answering "not found" alike for
// one that does not exist and one of another organisation.
func (r *RA) certificate(ctx context.Context, a Actor, id int64) (*model.Certificate, error) {
	c, err := r.store.Certificate(ctx, id)
	if err == nil {
		err = a.MustReadOn(c.OrgID.Int64, fmt.Sprintf("certificate %d", id))
	}
	if err == nil && c.AgentID.Valid && a.activeAgent() {
		// Agents see holders' certificates only (as in Certificates): a
		// colleague's login certificate is none of their screens.
		err = errs.Wrap(errs.NotFound, errs.New(errs.Forbidden, "%s may not see login certificates", a), "%s not found", fmt.Sprintf("certificate %d", id))
	}
	if err != nil {
		return nil, r.refuseRead(ctx, a, "certificate.read", fmt.Sprintf("certificate:%d", id), err)
	}
	return c, nil
}

// StatusRequests lists revocation and suspension requests (RULES O3
// "revocation requests"): state pending, done or refused; "" for all.
func (r *RA) StatusRequests(ctx context.Context, a Actor, state string) ([]model.StatusRequest, error) {
	scope, err := a.scope()
	if err == nil {
		switch state {
		case "", "pending", "done", "refused":
		default:
			err = errs.New(errs.Malformed, "state %q: want pending, done or refused", state)
		}
	}
	if err != nil {
		return nil, r.refuseRead(ctx, a, "status.list", "status-requests", err)
	}
	list, err := r.store.ListStatusRequests(ctx, scope, state)
	if list == nil && err == nil {
		list = []model.StatusRequest{}
	}
	return list, err
}

// CertificateBySerial finds a certificate by its serial (hex) for a, under
// the named issuer or, when issuer is "", under whichever issuer has it.
func (r *RA) CertificateBySerial(ctx context.Context, a Actor, issuer, serial string) (*model.Certificate, error) {
	serial = strings.ToLower(strings.TrimSpace(serial))
	var found []*model.Certificate
	for _, is := range r.Issuers() {
		if issuer != "" && is.Name != issuer {
			continue
		}
		c, err := r.store.CertificateBySerial(ctx, is.ID, serial)
		if errs.Has(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = append(found, c)
	}
	switch len(found) {
	case 0:
		return nil, errs.New(errs.NotFound, "no certificate with serial %s", serial)
	case 1:
		return r.certificate(ctx, a, found[0].ID)
	}
	return nil, errs.New(errs.Conflict, "serial %s exists under several issuers: give --issuer", serial)
}
