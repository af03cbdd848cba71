package ra

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/policies/validate"
)

// Enrollment states (issue #4). Terminal: refused, not_presented, cancelled, accepted.
const (
	StateSubmitted         = "submitted"      // filed online, e-mail not yet verified
	StateEmailVerified     = "email_verified" // waiting for an agent
	StateInReview          = "in_review"      // an agent took it
	StateDeficient         = "deficient"      // missing items notified; D1 clock running
	StateApproved          = "approved"       // approved; credential pending (four-eyes or D5 hold)
	StateCredentialIssued  = "credential_issued"
	StateCertificateIssued = "certificate_issued"
	StateAccepted          = "accepted" // signed acceptance form recorded
	StateRefused           = "refused"
	StateNotPresented      = "not_presented"
	StateCancelled         = "cancelled"
)

// knownState reports whether s is a request state.
func knownState(s string) bool {
	switch s {
	case StateSubmitted, StateEmailVerified, StateInReview, StateDeficient, StateApproved, StateCredentialIssued,
		StateCertificateIssued, StateAccepted, StateRefused, StateNotPresented, StateCancelled:
		return true
	}
	return false
}

// Channels a request arrives by.
const (
	ChannelOnline   = "online"
	ChannelInPerson = "in_person"
)

// Folio kinds: each has its own gap-free series per organisation and year.
const (
	FolioRequest    = "SOL" // solicitud
	FolioRevocation = "REV"
	FolioSuspension = "SUS"
	FolioLift       = "LEV" // levantamiento de suspensión
	FolioExtinction = "EXT"
)

// EnrollmentData is the sealed part of an enrollment: what was presented and
// what the agents confirmed.
type EnrollmentData struct {
	Title           string                     `json:"title"`
	Lang            string                     `json:"lang"`
	DNIIssueDate    string                     `json:"dniIssueDate,omitempty"`
	IDDocument      *policies.IDDocument       `json:"idDocument,omitempty"`
	Documents       map[string]time.Time       `json:"documents,omitempty"` // kind -> issue date
	Biometrics      []string                   `json:"biometrics,omitempty"`
	InPerson        bool                       `json:"inPerson"`
	RequestForm     bool                       `json:"requestFormSigned"`
	Agreement       bool                       `json:"agreementSigned"`
	PaymentReceipt  string                     `json:"paymentReceipt,omitempty"`
	RENAPO          bool                       `json:"renapoConfirmed"`
	Appointment     *policies.AppointmentFacts `json:"appointment,omitempty"`
	AppointmentAt   time.Time                  `json:"appointmentCheckedAt,omitempty"`
	Decision        *policies.Decision         `json:"decision,omitempty"`
	Deficiencies    []policies.Finding         `json:"deficiencies,omitempty"`
	Refusal         []policies.Finding         `json:"refusal,omitempty"`
	RefusalNote     string                     `json:"refusalNote,omitempty"`
	CancelReason    string                     `json:"cancelReason,omitempty"`
	EmailTokenHash  string                     `json:"emailTokenHash,omitempty"`
	Confirmations   []Confirmation             `json:"confirmations,omitempty"`
	CertificateSent time.Time                  `json:"certificateSentAt,omitempty"`
}

// Confirmation records who confirmed an in-person item and when.
type Confirmation struct {
	Item string    `json:"item"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Request is an enrollment with its data decoded.
type Request struct {
	*model.Enrollment
	Data   EnrollmentData
	Person *model.Person
}

func decodeData(e *model.Enrollment) (EnrollmentData, error) {
	var d EnrollmentData
	if len(e.Data) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return d, errs.Wrap(errs.Internal, err, "enrollment %d data", e.ID)
	}
	return d, nil
}

func encodeData(e *model.Enrollment, d EnrollmentData) error {
	b, err := json.Marshal(d)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "enrollment data")
	}
	e.Data = b
	return nil
}

// FileRequest is a new request for a certificate.
type FileRequest struct {
	OrgCode string
	Reason  string // a request reason of the organisation's policy
	Person  model.PersonData
	Title   string // the position as the applicant states it
	Lang    string // "es" (default) or "en"
	Place   string // where it was filed (for the acknowledgement)
	// From is where an online filing came from (rate limits per address).
	From Origin
}

// Filing is what a filer gets back: the folio and the signed acknowledgement.
type Filing struct {
	Request *Request
	Ack     *Acknowledgement
	// EmailToken is the one-time e-mail verification token of an online
	// filing. It is only ever sent to the institutional address; callers
	// must not show it to the filer.
	EmailToken string
}

// FileOnline registers a request made online by an applicant (RULES R9: the
// e-mail is verified before an agent sees it).
//
// Anyone may file online, so the filing is checked before anything is
// stored or mailed: the client address's rate limit, the institutional
// domain (R9) and the identifiers, then the e-mail address's rate limit.
// A filing that passes takes its official folio at once: RULES G3 wants an
// immediate acknowledgement with its folio for every filing, and the folio
// is what the applicant quotes to verify the address. The series stays
// gap-free; a flood is bounded by the limits and the domain rule, and a
// filing never verified is cancelled by the scheduler with its folio kept
// (Limits.UnverifiedExpiry).
func (r *RA) FileOnline(ctx context.Context, req FileRequest) (*Filing, error) {
	return r.file(ctx, Actor{Kind: ActorApplicant, From: req.From}, req, ChannelOnline)
}

// admitOnline applies the address's rate limit to an online filing.
func (r *RA) admitOnline(actor Actor) error {
	if ok, wait := r.byAddress.take(actor.From.client(), r.clk.Now()); !ok {
		return errs.Limited(wait, "too many online filings from your address; try again in %s", wait.Round(time.Second))
	}
	return nil
}

// checkFiler validates who a filing is for before anything is stored or
// mailed, on every channel (RULES R9: only the institutional e-mail; R3:
// the identifiers the policy names, format and check digit).
func checkFiler(pol *policies.Policy, d *model.PersonData) error {
	if err := validate.InstitutionalEmail(d.Email, pol.Email.Domains); err != nil {
		return errs.Wrap(errs.Malformed, err, "%s", err.Error())
	}
	return checkIdentifiers(d, pol.IdentifierKind(), false)
}

// checkOnline applies the e-mail address's rate limit to an online filing
// whose filer passed checkFiler.
func (r *RA) checkOnline(d *model.PersonData) error {
	if ok, wait := r.byEmail.take(d.Email, r.clk.Now()); !ok {
		return errs.Limited(wait, "too many online filings for this e-mail address; try again in %s", wait.Round(time.Second))
	}
	return nil
}

// FileInPerson registers a request an agent opens with the applicant present.
func (r *RA) FileInPerson(ctx context.Context, actor Actor, req FileRequest) (*Filing, error) {
	if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
		return nil, errs.New(errs.Forbidden, "only an agent opens a request in person")
	}
	return r.file(ctx, actor, req, ChannelInPerson)
}

func (r *RA) file(ctx context.Context, actor Actor, req FileRequest, channel string) (*Filing, error) {
	if channel == ChannelOnline {
		if err := r.admitOnline(actor); err != nil {
			return nil, r.refuse(ctx, actor, "enrollment.file", "online", err)
		}
	}
	org, pol, err := r.orgPolicy(ctx, req.OrgCode)
	if err != nil {
		return nil, r.refuse(ctx, actor, "enrollment.file", "org:"+capText(req.OrgCode, 64), err)
	}
	if org.Status != model.OrgAccredited {
		return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID),
			errs.New(errs.Forbidden, "organisation %s is %s and takes no requests", org.Code, org.Status))
	}
	if channel == ChannelInPerson {
		if err := actor.MustAct(org.ID); err != nil {
			return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID), err)
		}
	}
	if _, ok := pol.Reason(req.Reason); !ok {
		return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID),
			errs.New(errs.Malformed, "request reason %q is not offered by policy %s", req.Reason, pol.ID))
	}
	d := req.Person
	if strings.TrimSpace(d.GivenNames) == "" || strings.TrimSpace(d.FirstSurname) == "" || strings.TrimSpace(d.Email) == "" {
		return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID),
			errs.New(errs.Malformed, "given names, first surname and institutional e-mail are required"))
	}
	if err := checkFiling(d, req); err != nil {
		return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID), err)
	}
	// Identifiers are normalised and validated (a DNI is kept as its 8
	// digits), and the e-mail must be institutional, on every channel.
	d.Email = strings.ToLower(strings.TrimSpace(d.Email))
	if err := checkFiler(pol, &d); err != nil {
		return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID), err)
	}
	if channel == ChannelOnline {
		if err := r.checkOnline(&d); err != nil {
			return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID), err)
		}
	}
	lang := req.Lang
	if lang != "en" {
		lang = "es"
	}
	filedAt := r.clk.Now()
	received := pol.Calendar().ReceptionTime(filedAt) // RULES D4
	data := EnrollmentData{Title: strings.TrimSpace(req.Title), Lang: lang}
	var token string
	if channel == ChannelOnline {
		token = randomToken(24)
		data.EmailTokenHash = hashSecret(token)
	}
	state := StateSubmitted
	if channel == ChannelInPerson {
		state = StateInReview
	}
	out := &Filing{EmailToken: token}
	err = r.store.InTx(ctx, func(tx Tx) error {
		person, err := r.findOrCreatePerson(ctx, tx, pol, d)
		if err != nil {
			return err
		}
		folio, err := r.nextFolio(ctx, tx, org, pol, FolioRequest, received)
		if err != nil {
			return err
		}
		e := &model.Enrollment{OrgID: org.ID, PersonID: model.NullInt(person.ID), Folio: folio, State: state,
			Reason: req.Reason, PolicyID: pol.ID, Channel: channel, FiledAt: model.NullTime(filedAt), ReceivedAt: model.NullTime(received)}
		if channel == ChannelInPerson && actor.Kind == ActorAgent {
			e.AssignedAgentID = model.NullInt(actor.AgentID)
		}
		// RULES D2: a refusal is due within its term from the request.
		e.RefusalDueAt = model.NullTime(pol.Calendar().Deadline(received, pol.Deadlines.RefusalNoticeDays))
		if err := encodeData(e, data); err != nil {
			return err
		}
		if err := tx.CreateEnrollment(ctx, e); err != nil {
			return err
		}
		if _, err := tx.Audit(ctx, model.Event{Actor: actor.String(), Action: "enrollment.file", Object: enrollmentObject(e),
			Outcome: model.OutcomeOK, Details: map[string]any{"folio": folio, "channel": channel, "reason": req.Reason,
				"org": org.Code, "receivedAt": received.Format(time.RFC3339)}}); err != nil {
			return err
		}
		ack, err := r.acknowledge(ctx, tx, ackInput{org: org, pol: pol, folio: folio, action: "enrollment.request", channel: channel,
			enrollmentID: e.ID, filedAt: filedAt, receivedAt: received, filer: person, place: req.Place})
		if err != nil {
			return err
		}
		out.Ack = ack
		out.Request = &Request{Enrollment: e, Data: data, Person: person}
		msgs := []mail{{template: "acknowledgement", key: "ack:" + folio}}
		if channel == ChannelOnline {
			msgs = append(msgs, mail{template: "email_verification", key: "verify:" + folio,
				data: map[string]any{"Token": token, "VerifyURL": r.portalURL + "/solicitud/verificar?folio=" + folio + "&token=" + token}})
		}
		return r.notify(ctx, tx, out.Request, ack, msgs...)
	})
	if err != nil {
		return nil, r.refuse(ctx, actor, "enrollment.file", fmt.Sprintf("org:%d", org.ID), err)
	}
	return out, nil
}

// VerifyEmail confirms an online request's e-mail address with the token
// sent to it (RULES R9).
func (r *RA) VerifyEmail(ctx context.Context, folio, token string) (*Request, error) {
	e, err := r.store.EnrollmentByFolio(ctx, folio)
	if err != nil {
		return nil, err
	}
	return r.transition(ctx, Actor{Kind: ActorApplicant, EnrollmentID: e.ID}, e.ID, "enrollment.verify_email",
		[]string{StateSubmitted}, func(tx Tx, req *Request, pol *policies.Policy) error {
			if req.Data.EmailTokenHash == "" || subtle.ConstantTimeCompare([]byte(hashSecret(token)), []byte(req.Data.EmailTokenHash)) != 1 {
				return errs.New(errs.Unauthorized, "the e-mail verification code is not valid")
			}
			req.Data.EmailTokenHash = ""
			req.EmailVerifiedAt = model.NullTime(r.clk.Now())
			req.State = StateEmailVerified
			return nil
		})
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret hashes a high-entropy secret (tokens, EST passwords). They are
// random and long, so a fast hash is enough; only the hash is stored.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte("sello/secret/v1\x00" + s))
	return hex.EncodeToString(sum[:])
}

func enrollmentObject(e *model.Enrollment) string { return fmt.Sprintf("enrollment:%d", e.ID) }

func (r *RA) orgPolicy(ctx context.Context, code string) (*model.Organisation, *policies.Policy, error) {
	org, err := r.orgByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	pol, err := r.policies.Get(org.PolicyID)
	if err != nil {
		return nil, nil, errs.Wrap(errs.BadConfig, err, "organisation %s names policy %q, which is not loaded", org.Code, org.PolicyID)
	}
	return org, pol, nil
}

// refuse audits a refused action and returns err.
func (r *RA) refuse(ctx context.Context, actor Actor, action, object string, err error) error {
	outcome := model.OutcomeRefused
	if t := errs.TypeOf(err); t == errs.Unavailable || t == errs.Internal {
		outcome = model.OutcomeFailed
	}
	if outcome == model.OutcomeRefused && actor.anonymous() {
		r.countRefusal(ctx, actor, action, err)
		return err
	}
	if aerr := r.store.Audit(ctx, model.Event{Actor: actor.String(), Action: action, Object: capText(object, maxAuditObject), Outcome: outcome,
		Details: capDetails(auditDetails(err))}); aerr != nil {
		r.log.Error("audit of a refusal failed", "action", action, "err", aerr)
	}
	return err
}

// nextFolio numbers a filing; the year is the year in the jurisdiction's
// time zone (a filing on 31 December at 20:00 in Mexico City is not next
// year's, whatever UTC says).
func (r *RA) nextFolio(ctx context.Context, tx EnrollmentTx, org *model.Organisation, pol *policies.Policy, kind string, at time.Time) (string, error) {
	if c := pol.Calendar(); c != nil {
		at = at.In(c.Location())
	}
	year := at.Year()
	n, err := tx.NextFolio(ctx, org.ID, year, kind)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%s-%d-%06d", org.Code, kind, year, n), nil
}

// findOrCreatePerson reuses the person known by the policy's identifier when
// the name and e-mail given match the record, or records a new one. An
// identifier on record under another name is refused (checkOnRecord).
// Reusing a record on the identifier and name alone would let anyone who
// knows them file in that person's name and read back their data, so a new
// e-mail makes a new record, for the agent to resolve (searching by CURP
// shows both).
func (r *RA) findOrCreatePerson(ctx context.Context, tx PersonTx, pol *policies.Policy, d model.PersonData) (*model.Person, error) {
	same, err := checkOnRecord(ctx, tx, pol.IdentifierKind(), d)
	if err != nil {
		return nil, err
	}
	for _, p := range same {
		if strings.EqualFold(p.Data.Email, d.Email) {
			return p, nil
		}
	}
	p := &model.Person{Data: d}
	if err := tx.CreatePerson(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// RecordRefusal audits a request that a front end refused before it could
// ask the RA anything (a body it could not decode, an id it could not
// parse), so that every refused request leaves one trace.
func (r *RA) RecordRefusal(ctx context.Context, a Actor, action, object string, err error) {
	_ = r.refuse(ctx, a, action, object, err)
}
