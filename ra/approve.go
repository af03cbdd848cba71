package ra

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/notify"
)

// Credential kinds.
const (
	CredentialEST  = "est"
	CredentialEAB  = "acme_eab"
	estKeyPrefix   = "est-"
	eabKeyPrefix   = "eab-"
	eabIndexDomain = "sello/acme-eab-hmac/v1"
)

// CredentialSecrets is a one-time enrolment credential as sent to the
// institutional e-mail. Only hashes are stored; the EAB HMAC key is derived
// from the data key and its key id, so it is never stored at all.
type CredentialSecrets struct {
	ESTUser     string    `json:"estUser"`
	ESTPassword string    `json:"estPassword"`
	EABKeyID    string    `json:"eabKeyId"`
	EABHMACKey  string    `json:"eabHmacKey"` // base64url, as ACME clients take it
	ExpiresAt   time.Time `json:"expiresAt"`
}

// EABKey returns the HMAC key of an ACME external account binding key id.
func (r *RA) EABKey(keyID string) ([]byte, error) {
	box := r.store.Box()
	if box == nil {
		return nil, errs.New(errs.BadConfig, "no data key configured")
	}
	return hex.DecodeString(box.Index(eabIndexDomain, keyID))
}

// Approve fixes the certificate's subject and validity from verified data
// and, unless the policy asks for a second agent (four-eyes) or an early
// renewal must wait for its window (RULES D5), issues the one-time
// enrolment credential (RULES D6).
func (r *RA) Approve(ctx context.Context, actor Actor, id int64) (*Request, *CredentialSecrets, error) {
	return r.approve(ctx, actor, id, true)
}

// approve is Approve; without credential the request stays approved for a
// certificate issued at once from the holder's CSR (operator issuance).
func (r *RA) approve(ctx context.Context, actor Actor, id int64, credential bool) (*Request, *CredentialSecrets, error) {
	var secrets *CredentialSecrets
	// HR is asked again at approval, before the write transaction opens: the
	// appointment must be current now (RULES R1, P4).
	facts, err := r.appointmentFor(ctx, actor, id)
	if err != nil {
		return nil, nil, r.refuse(ctx, actor, "enrollment.approve", fmt.Sprintf("enrollment:%d", id), err)
	}
	req, err := r.transition(ctx, actor, id, "enrollment.approve", []string{StateInReview},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
				return errs.New(errs.Forbidden, "only an agent approves a request")
			}
			req.Data.Appointment, req.Data.AppointmentAt = facts, r.clk.Now()
			dec := r.evaluate(req, pol)
			req.Data.Decision = &dec
			if !dec.Approvable() {
				refusal := errs.New(errs.PolicyRefused, "requirements not met: %s", strings.Join(dec.Rules(), ", "))
				for _, f := range dec.Unmet {
					refusal.WithSubproblems(errs.Subproblem{Rule: f.Rule, ES: f.ES, EN: f.EN})
				}
				return refusal
			}
			// The certificate states the post HR gives, never a typed one
			// (RULES P1).
			if facts.Position != "" {
				req.Data.Title = facts.Position
			}
			notAfter, err := pol.Validity(r.clk.Now(), facts)
			if err != nil {
				return err
			}
			now := r.clk.Now()
			if fourEyes(req, pol) {
				if actor.Kind != ActorAgent {
					return errs.New(errs.Forbidden, "under four-eyes, two agents approve (not the console)")
				}
				switch {
				case !req.ApprovedBy.Valid:
					req.ApprovedBy, req.ApprovedAt = model.NullInt(actor.AgentID), model.NullTime(now)
					req.NotAfter = model.NullTime(notAfter)
					return nil // stays in review until a second agent confirms
				case req.ApprovedBy.Int64 == actor.AgentID && !pol.FourEyes:
					return errs.New(errs.Forbidden, "HR gives no position: the title entered needs a second agent to confirm the approval (RULES P1)")
				case req.ApprovedBy.Int64 == actor.AgentID:
					return errs.New(errs.Forbidden, "the policy requires a second agent to confirm the approval")
				default:
					req.SecondApprovedBy = model.NullInt(actor.AgentID)
				}
			} else {
				req.ApprovedBy, req.ApprovedAt = model.NullInt(actor.AgentID), model.NullTime(now)
			}
			req.NotAfter = model.NullTime(notAfter)
			req.State = StateApproved
			hold := r.renewalHold(ctx, tx, req, pol)
			if sendAt, ok := batchDispatch(pol, now, hold); ok {
				// RULES D5: the request waits for its weekly batch; the
				// scheduler releases it then, and the applicant learns the date
				// now ("Se enviará una notificación con la fecha en la que se
				// enviará su solicitud").
				req.HoldUntil = model.NullTime(sendAt)
				return r.notify(ctx, tx, req, nil, mail{template: notify.TemplateBatchScheduled,
					key: fmt.Sprintf("batch:%d:%d", req.ID, sendAt.Unix()), data: map[string]any{"SendAt": sendAt}})
			}
			if hold.After(now) {
				req.HoldUntil = model.NullTime(hold) // the scheduler issues the credential then
				return nil
			}
			if !credential {
				return nil
			}
			secrets, err = r.issueCredential(ctx, tx, req, pol)
			return err
		})
	return req, secrets, err
}

// renewalHold returns when an early renewal may proceed: a renewal filed
// more than the window before the current certificate expires waits until
// the window opens (RULES D5).
func (r *RA) renewalHold(ctx context.Context, read CertificateTx, req *Request, pol *policies.Policy) time.Time {
	if req.Reason != "renewal" || pol.Renewal.WindowDays == 0 || req.Person == nil {
		return time.Time{}
	}
	certs, err := read.ListCertificates(ctx, model.CertificateFilter{OrgID: req.OrgID, PersonIDs: []int64{req.Person.ID},
		Statuses: []string{model.CertValid}, OnlyHolders: true})
	if err != nil || len(certs) == 0 {
		return time.Time{}
	}
	latest := certs[0].NotAfter
	for _, c := range certs {
		if c.NotAfter.After(latest) {
			latest = c.NotAfter
		}
	}
	return latest.AddDate(0, 0, -pol.Renewal.WindowDays)
}

// batchDispatch returns when an approved request goes to the upstream CA
// under a batch policy (RULES D5): the next batch, or for an early renewal
// (hold, the start of the renewal window, still ahead) the last batch at or
// before the window opens, so the new certificate is ready the stated days
// before expiry. When that batch has passed already, the next one.
func batchDispatch(pol *policies.Policy, now, hold time.Time) (time.Time, bool) {
	if hold.After(now) {
		if at, ok := pol.BatchAtOrBefore(hold); ok && !at.Before(now) {
			return at, true
		}
	}
	return pol.NextBatch(now)
}

// issueCredential creates the EST and ACME EAB credentials, moves the
// request to credential_issued and e-mails them.
func (r *RA) issueCredential(ctx context.Context, tx Tx, req *Request, pol *policies.Policy) (*CredentialSecrets, error) {
	if err := tx.RevokeCredentials(ctx, req.ID); err != nil {
		return nil, err
	}
	expires := r.clk.Now().AddDate(0, 0, pol.Credential.LifetimeDays)
	s := &CredentialSecrets{ESTUser: estKeyPrefix + randomToken(9), ESTPassword: randomToken(18), EABKeyID: eabKeyPrefix + randomToken(12), ExpiresAt: expires}
	key, err := r.EABKey(s.EABKeyID)
	if err != nil {
		return nil, err
	}
	s.EABHMACKey = base64.RawURLEncoding.EncodeToString(key)
	for _, c := range []model.Credential{
		{EnrollmentID: req.ID, Kind: CredentialEST, KeyID: s.ESTUser, SecretHash: hashSecret(s.ESTPassword), ExpiresAt: expires},
		{EnrollmentID: req.ID, Kind: CredentialEAB, KeyID: s.EABKeyID, SecretHash: hashSecret(s.EABHMACKey), ExpiresAt: expires},
	} {
		if err := tx.CreateCredential(ctx, &c); err != nil {
			return nil, err
		}
	}
	req.State = StateCredentialIssued
	req.HoldUntil = model.NullTime(time.Time{})
	return s, r.notify(ctx, tx, req, nil, mail{template: "approval_credential", key: "credential:" + s.ESTUser,
		data: map[string]any{"ESTUser": s.ESTUser, "ESTPassword": s.ESTPassword, "EABKeyID": s.EABKeyID,
			"EABHMACKey": s.EABHMACKey, "ExpiresAt": expires, "ESTURL": r.publicURL + "/.well-known/est", "ACMEURL": r.publicURL + "/acme/directory"}})
}

// ResendCredential replaces a request's credential with a new one (the old
// one stops working) while it is still valid (RULES D6).
func (r *RA) ResendCredential(ctx context.Context, actor Actor, id int64) (*CredentialSecrets, error) {
	var secrets *CredentialSecrets
	_, err := r.transition(ctx, actor, id, "enrollment.resend_credential", []string{StateCredentialIssued},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			creds, err := tx.CredentialsOf(ctx, req.ID)
			if err != nil {
				return err
			}
			live := false
			for _, c := range creds {
				if c.RevokedAt == nil && c.UsedAt == nil && r.clk.Now().Before(c.ExpiresAt) {
					live = true
				}
			}
			if !live {
				return errs.New(errs.WrongState, "the credential expired: the request must be approved again")
			}
			secrets, err = r.issueCredential(ctx, tx, req, pol)
			return err
		})
	return secrets, err
}

// RedeemCredential checks a one-time credential (an EST password or an ACME
// EAB key's proof) and issues the certificate for csr. It is what the EST and
// ACME front ends call. A wrong, expired, revoked or reused credential is
// Unauthorized and changes nothing.
func (r *RA) RedeemCredential(ctx context.Context, kind, keyID, secret string, csr []byte) (*Issued, error) {
	var enrollmentID int64
	check := func(tx Tx) (*model.Credential, error) {
		c, err := tx.LockCredential(ctx, keyID)
		if err != nil {
			return nil, err
		}
		switch {
		case c.Kind != kind:
			return nil, errs.New(errs.Unauthorized, "unknown or invalid enrolment credential")
		case subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(c.SecretHash)) != 1:
			return nil, errs.New(errs.Unauthorized, "unknown or invalid enrolment credential")
		case c.UsedAt != nil:
			return nil, errs.New(errs.Unauthorized, "the enrolment credential was already used")
		case c.RevokedAt != nil:
			return nil, errs.New(errs.Unauthorized, "the enrolment credential was withdrawn")
		case !r.clk.Now().Before(c.ExpiresAt):
			return nil, errs.New(errs.Unauthorized, "the enrolment credential expired on %s", c.ExpiresAt.Format("2006-01-02"))
		}
		return c, nil
	}
	// The credential is claimed (marked used) before anything is signed, so
	// two clients racing with the same credential cannot both have a
	// certificate signed; if the issuance then fails, it is released.
	var claimed int64
	if err := r.store.InTx(ctx, func(tx Tx) error {
		c, err := check(tx)
		if err != nil {
			return err
		}
		enrollmentID, claimed = c.EnrollmentID, c.ID
		return tx.UseCredential(ctx, c.ID)
	}); err != nil {
		return nil, r.refuse(ctx, Actor{Kind: ActorApplicant}, "credential.redeem", "credential:"+keyID, err)
	}
	actor := Actor{Kind: ActorApplicant, EnrollmentID: enrollmentID}
	issued, err := r.issueForEnrollment(ctx, actor, enrollmentID, csr, func(tx Tx) error {
		return tx.RevokeCredentials(ctx, enrollmentID) // the sibling credential dies with the issuance
	})
	if err != nil {
		if rerr := r.store.InTx(ctx, func(tx Tx) error { return tx.ReleaseCredential(ctx, claimed) }); rerr != nil {
			r.log.Error("a claimed credential could not be released", "err", rerr)
		}
		return nil, err
	}
	return issued, nil
}

// IssueInPerson issues the certificate for a CSR the holder made on their
// own device while at the agent's desk (RULES P3, O3 "generate in person").
func (r *RA) IssueInPerson(ctx context.Context, actor Actor, id int64, csr []byte) (*Issued, error) {
	if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
		return nil, errs.New(errs.Forbidden, "only an agent generates a certificate in person")
	}
	return r.issueForEnrollment(ctx, actor, id, csr, func(tx Tx) error { return tx.RevokeCredentials(ctx, id) })
}

func (r *RA) issueForEnrollment(ctx context.Context, actor Actor, id int64, csr []byte, inTx func(tx Tx) error) (*Issued, error) {
	req, err := r.Load(ctx, actor, id)
	if err != nil {
		return nil, r.refuse(ctx, actor, "enrollment.issue", fmt.Sprintf("enrollment:%d", id), err)
	}
	if req.State != StateCredentialIssued && !(req.State == StateApproved && !req.HoldUntil.Valid) {
		return nil, r.refuse(ctx, actor, "enrollment.issue", fmt.Sprintf("enrollment:%d", id),
			errs.New(errs.WrongState, "request %s is %s; a certificate is issued once it is approved", req.Folio, req.State))
	}
	if actor.Kind != ActorApplicant {
		if err := actor.MustActOn(req.OrgID, fmt.Sprintf("enrollment %d", id)); err != nil {
			return nil, r.refuse(ctx, actor, "enrollment.issue", fmt.Sprintf("enrollment:%d", id), err)
		}
	}
	org, err := r.store.Organisation(ctx, req.OrgID)
	if err != nil {
		return nil, err
	}
	pol, err := r.policies.Get(req.PolicyID)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "policy")
	}
	unit, title := "", req.Data.Title
	if a := req.Data.Appointment; a != nil && a.State == policies.AppointmentFound {
		unit = a.Organisation // verified with HR, like the position
		if a.Position != "" {
			title = a.Position // RULES P1: HR's post, whatever was typed
		}
	}
	issued, err := r.issueCertificate(ctx, IssueRequest{Actor: actor.String(), CSR: csr, Policy: pol, Org: org, Person: req.Person,
		Title: title, Unit: unit, EnrollmentID: req.ID, NotAfter: req.NotAfter.Time,
		OnRecorded: func(tx Tx, rec *model.Certificate) error {
			if inTx != nil {
				if err := inTx(tx); err != nil {
					return err
				}
			}
			e, err := tx.LockEnrollment(ctx, id)
			if err != nil {
				return err
			}
			if e.State != req.State || e.Version != req.Version {
				return errs.New(errs.Conflict, "request %s changed while the certificate was being issued", e.Folio)
			}
			e.State, e.CertificateID = StateCertificateIssued, model.NullInt(rec.ID)
			if err := tx.UpdateEnrollment(ctx, e); err != nil {
				return err
			}
			req.Enrollment = e
			return r.notify(ctx, tx, req, nil, mail{template: "certificate_issued", key: "issued:" + rec.Serial,
				data: map[string]any{"Serial": rec.Serial, "NotBefore": rec.NotBefore, "NotAfter": rec.NotAfter,
					"CertificatePEM": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rec.DER})),
					"ResendUntil":    r.clk.Now().AddDate(0, 0, pol.Credential.ResendWindowDays)}})
		}})
	if err != nil {
		return nil, err
	}
	return issued, nil
}

// Accept records the holder's signed acceptance of responsibility (RULES R8).
func (r *RA) Accept(ctx context.Context, actor Actor, id int64) (*Request, error) {
	return r.transition(ctx, actor, id, "enrollment.accept", []string{StateCertificateIssued},
		func(tx Tx, req *Request, _ *policies.Policy) error {
			if actor.Kind != ActorAgent && actor.Kind != ActorCLI {
				return errs.New(errs.Forbidden, "only an agent records the signed acceptance form")
			}
			req.Data.Agreement = true
			req.Data.Confirmations = append(req.Data.Confirmations, Confirmation{Item: "acceptance_form", By: actor.String(), At: r.clk.Now()})
			req.State = StateAccepted
			req.ClosedAt = model.NullTime(r.clk.Now())
			return nil
		})
}

// ResendCertificate e-mails the issued certificate again, only within the
// policy's resend window from its generation (RULES D6).
func (r *RA) ResendCertificate(ctx context.Context, actor Actor, id int64) error {
	_, err := r.transition(ctx, actor, id, "enrollment.resend_certificate", []string{StateCertificateIssued, StateAccepted},
		func(tx Tx, req *Request, pol *policies.Policy) error {
			cert, err := tx.Certificate(ctx, req.CertificateID.Int64)
			if err != nil {
				return err
			}
			limit := cert.IssuedAt.AddDate(0, 0, pol.Credential.ResendWindowDays)
			if !r.clk.Now().Before(limit) {
				return errs.New(errs.WrongState, "a certificate is resent only within %d days of its generation (until %s)",
					pol.Credential.ResendWindowDays, limit.Format("2006-01-02 15:04"))
			}
			req.Data.CertificateSent = r.clk.Now()
			return r.notify(ctx, tx, req, nil, mail{template: "certificate_issued", key: fmt.Sprintf("resend:%s:%d", cert.Serial, r.clk.Now().UnixNano()),
				data: map[string]any{"Serial": cert.Serial, "NotBefore": cert.NotBefore, "NotAfter": cert.NotAfter,
					"CertificatePEM": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.DER})), "ResendUntil": limit}})
		})
	return err
}
