// Package api is the agents' JSON API over HTTPS (RULES O2, O3). Every
// caller is an agent, administrator, auditor or HR client authenticated by
// its TLS client certificate; every action is authorised by role and
// organisation in package ra and audited there; every error is an RFC 7807
// problem document. A few public endpoints (online filing, e-mail
// verification, the online check of printed documents) need no certificate.
package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/store"
)

// Principal is an authenticated caller.
type Principal struct {
	Agent *store.Agent
	Org   *store.Organisation
}

// Actor is the principal as the RA sees it.
func (p *Principal) Actor() ra.Actor {
	return ra.Actor{Kind: ra.ActorAgent, AgentID: p.Agent.ID, Role: p.Agent.Role, OrgID: p.Agent.OrgID}
}

// Config holds the API's dependencies.
type Config struct {
	Store     *store.Store
	RA        *ra.RA
	Documents *documents.Service
	Logger    *slog.Logger
	// Clock dates what the API prints (the RA's clock; default the system
	// clock).
	Clock clock.Clock
}

// Handler serves /api/ and /verificar/.
type Handler struct {
	store *store.Store
	ra    *ra.RA
	docs  *documents.Service
	log   *slog.Logger
	clk   clock.Clock
	mux   *http.ServeMux
}

// New returns the API handler.
func New(c Config) *Handler {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	h := &Handler{store: c.Store, ra: c.RA, docs: c.Documents, log: c.Logger, clk: c.Clock, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// route is one endpoint: the mux and the OpenAPI document are both built
// from the table, so the document cannot drift from what is served.
type route struct {
	method, path, summary string
	public                bool
	handle                http.HandlerFunc
}

func (h *Handler) table() []route {
	a := h.authed
	return []route{
		{"GET", "/api/v1/whoami", "The authenticated agent and organisation", false, a(h.whoami)},
		{"GET", "/api/v1/requests", "List requests: view=online|mine|all, state=… (O3 online requests, my requests)", false, a(h.listRequests)},
		{"POST", "/api/v1/requests", "Open a request in person (O3 generate certificate in person)", false, a(h.fileInPerson)},
		{"GET", "/api/v1/requests/{id}", "A request", false, a(h.byID(h.getRequest))},
		{"GET", "/api/v1/requests/{id}/evaluation", "Every unmet requirement with its rule id, and the in-person checklist", false, a(h.byID(h.evaluation))},
		{"POST", "/api/v1/requests/{id}/attend", "Attend an online request whose e-mail is verified", false, a(h.byID(h.simple(h.ra.Attend)))},
		{"POST", "/api/v1/requests/{id}/check-appointment", "Look the appointment up in HR (R1)", false, a(h.byID(h.simple(h.ra.CheckAppointment)))},
		{"POST", "/api/v1/requests/{id}/confirm", "Record what was checked in person (R2, R5-R8, R10)", false, a(h.byID(h.confirm))},
		{"POST", "/api/v1/requests/{id}/documents", "Upload a document or biometric capture (multipart: kind, issuedOn, file)", false, a(h.byID(h.upload))},
		{"GET", "/api/v1/requests/{id}/documents", "The request's documents (metadata)", false, a(h.byID(h.listDocuments))},
		{"POST", "/api/v1/requests/{id}/deficient", "Notify the missing requirements; opens the D1 term", false, a(h.byID(h.simple(h.ra.MarkDeficient)))},
		{"POST", "/api/v1/requests/{id}/resume", "Back to review once the missing items arrived in time", false, a(h.byID(h.simple(h.ra.Resume)))},
		{"POST", "/api/v1/requests/{id}/approve", "Approve; the one-time credential goes to the institutional e-mail", false, a(h.byID(h.approve))},
		{"POST", "/api/v1/requests/{id}/refuse", "Refuse in writing with grounds (D2): {note}", false, a(h.byID(h.withText("note", h.ra.Refuse)))},
		{"POST", "/api/v1/requests/{id}/cancel", "Cancel with a written reason (R11): {reason}", false, a(h.byID(h.withText("reason", h.ra.Cancel)))},
		{"POST", "/api/v1/requests/{id}/issue", "Issue the certificate for the holder's CSR (P3): {csr}", false, a(h.byID(h.issue))},
		{"POST", "/api/v1/requests/{id}/accept", "Record the signed acceptance form (R8)", false, a(h.byID(h.simple(h.ra.Accept)))},
		{"POST", "/api/v1/requests/{id}/resend-credential", "Replace and resend the enrolment credential (D6)", false, a(h.byID(h.resendCredential))},
		{"POST", "/api/v1/requests/{id}/resend-certificate", "Resend the certificate within the resend window (D6)", false, a(h.byID(h.resendCertificate))},
		{"GET", "/api/v1/requests/{id}/acknowledgement.pdf", "Print the acknowledgement of receipt (G3, G4)", false, a(h.acknowledgementPDF)},
		{"GET", "/api/v1/requests/{id}/acceptance-form.pdf", "Print the acceptance form (R8)", false, a(h.acceptancePDF)},
		{"GET", "/api/v1/requests/{id}/refusal.pdf", "Print the refusal or not-presented determination (D1, D2)", false, a(h.refusalPDF)},
		{"GET", "/api/v1/documents/{id}", "Download a document (auditors; agents of its organisation)", false, a(h.byID(h.getDocument))},
		{"GET", "/api/v1/search", "Search by name, CURP, RFC or DNI: q, by=name|curp|rfc|dni, in=requests|valid|revoked", false, a(h.search)},
		{"GET", "/api/v1/certificates", "List certificates: view=valid|revoked|issued-by-me|revoked-by-me", false, a(h.listCertificates)},
		{"GET", "/api/v1/certificates/{id}", "A certificate and its status history (S6)", false, a(h.byID(h.getCertificate))},
		{"POST", "/api/v1/certificates/{id}/status", "Suspend, lift, revoke or extinguish: {kind, reason, identifier, requester, statement, defer}", false, a(h.byID(h.changeStatus))},
		{"GET", "/api/v1/certificates/{id}/revocation-receipt.pdf", "Print the revocation receipt (S4)", false, a(h.byID(h.revocationPDF))},
		{"GET", "/api/v1/status-requests", "Revocation and suspension requests: state=pending|done|refused", false, a(h.listStatusRequests)},
		{"POST", "/api/v1/status-requests/{id}/decide", "Decide a deferred request: {approve}", false, a(h.byID(h.decideStatusRequest))},
		{"POST", "/api/v1/homologations", "Register another authority's certificate after validating it (O4): {organisation, givenNames, firstSurname, curp, email, title, certificate}", false, a(h.homologate)},
		{"GET", "/api/v1/agents", "Agents, administrators, auditors and HR clients (admins and auditors: all; agents: their organisation)", false, a(h.listAgents)},
		{"POST", "/api/v1/agents", "Register an agent from the CSR they made on their own device (admins): {organisation, role, givenNames, firstSurname, curp, email, title, csr}", false, a(h.addAgent)},
		{"POST", "/api/v1/agents/{id}/disable", "Disable an agent and revoke their login certificates (admins): {reason}", false, a(h.byID(h.disableAgent))},
		{"GET", "/api/v1/organisations", "Accredited organisations (O1, G2)", false, a(h.listOrganisations)},
		{"POST", "/api/v1/organisations", "Accredit an organisation (admins): {code, name, policy, unit}", false, a(h.addOrganisation)},
		{"POST", "/api/v1/organisations/{code}/status", "Accredit, suspend or revoke an organisation (admins): {status, reason}", false, a(h.setOrganisationStatus)},
		{"POST", "/api/v1/scheduler/run", "Run the deadline scheduler now (admins)", false, a(h.runScheduler)},
		{"POST", "/api/v1/public/requests", "File a request online (no certificate; R9)", true, h.fileOnline},
		{"POST", "/api/v1/public/requests/{folio}/verify-email", "Verify the e-mail with the code sent to it: {token}", true, h.verifyEmail},
		{"GET", "/verificar/{folio}", "Online check of a printed document: ?codigo=XXXX-XXXX-XXXX-XXXX (G4)", true, h.verifyDocument},
	}
}

func (h *Handler) routes() {
	for _, rt := range h.table() {
		h.mux.HandleFunc(rt.method+" "+rt.path, rt.handle)
	}
	h.mux.HandleFunc("GET /api/openapi.json", h.openapi)
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, problem.Lang(r), errs.New(errs.NotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// byID parses the {id} of the path before the handler runs.
func (h *Handler) byID(next func(http.ResponseWriter, *http.Request, *Principal, int64)) func(http.ResponseWriter, *http.Request, *Principal) {
	return func(w http.ResponseWriter, r *http.Request, p *Principal) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		next(w, r, p, id)
	}
}

type principalKey struct{}

// authed requires a verified client certificate that belongs to an active
// agent of an organisation.
func (h *Handler) authed(next func(http.ResponseWriter, *http.Request, *Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
			h.fail(w, r, nil, errs.New(errs.Unauthorized, "log in with your agent certificate (TLS client authentication)"))
			return
		}
		sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
		agent, err := h.store.AgentByCertificate(r.Context(), hex.EncodeToString(sum[:]))
		if err != nil {
			h.fail(w, r, nil, err)
			return
		}
		org, err := h.store.Organisation(r.Context(), agent.OrgID)
		if err != nil {
			h.fail(w, r, nil, err)
			return
		}
		p := &Principal{Agent: agent, Org: org}
		whoami := r.URL.Path == "/api/v1/whoami"
		// HR clients feed appointments; none of these screens is theirs.
		if agent.Role == store.RoleHR && !whoami {
			h.fail(w, r, p, errs.New(errs.Forbidden, "an HR client has no access to the agents' screens"))
			return
		}
		// The agents of a provider whose accreditation is suspended or
		// revoked act no more (RULES O1, G2).
		if agent.Role == store.RoleAgent && org.Status != store.OrgAccredited && !whoami {
			h.fail(w, r, p, errs.New(errs.Forbidden, "organisation %s is %s as a certification service provider", org.Code, org.Status))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p)
	}
}

// fail writes err as a problem document. Errors the RA returns are already
// audited; errors raised here (bad JSON, bad ids, missing authentication)
// are audited here, so every refused request leaves a trace.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, p *Principal, err error) {
	var e *errs.Error
	if !errors.As(err, &e) || e.Cause == nil || errs.TypeOf(err) == errs.Unauthorized {
		actor := "anonymous"
		if p != nil {
			actor = p.Actor().String()
		}
		if aerr := h.store.Audit(r.Context(), store.Event{Actor: actor, Action: "api.refused", Object: r.Method + " " + r.URL.Path,
			Outcome: store.OutcomeRefused, Details: map[string]any{"error": string(errs.TypeOf(err))}}); aerr != nil {
			h.log.Error("audit", "err", aerr)
		}
	}
	if errs.TypeOf(err) == errs.Internal || errs.TypeOf(err) == errs.Unavailable {
		h.log.Error("api error", "path", r.URL.Path, "err", err)
	}
	problem.Write(w, problem.Lang(r), err)
}

func (h *Handler) whoami(w http.ResponseWriter, r *http.Request, p *Principal) {
	writeJSON(w, http.StatusOK, map[string]any{
		"agent": p.Agent.ID, "role": p.Agent.Role, "title": p.Agent.Title,
		"organisation": map[string]any{"code": p.Org.Code, "name": p.Org.Name, "status": p.Org.Status},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// maxJSON bounds JSON request bodies.
const maxJSON = 64 << 10

// decode reads a JSON body strictly: unknown fields, trailing data, a wrong
// content type or an oversized body are a precise 4xx.
func decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.New(errs.UnsupportedType, "send application/json, not %s", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "cannot read the request body")
	}
	if len(body) > maxJSON {
		return errs.New(errs.TooLarge, "the JSON body is larger than %d bytes", maxJSON)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errs.New(errs.Malformed, "invalid JSON: %s", jsonMessage(err))
	}
	if dec.More() {
		return errs.New(errs.Malformed, "invalid JSON: data after the object")
	}
	return nil
}

func jsonMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "field " + te.Field + " must be " + te.Type.String()
	}
	return err.Error()
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.Malformed, "%q is not an id", r.PathValue("id"))
	}
	return id, nil
}
