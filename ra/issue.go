package ra

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/policies/validate"
)

// Outbox job kinds written when a certificate's status changes. Their
// workers belong to the OCSP and LDAP packages.
const (
	JobOCSPRefresh = jobs.KindOCSPRefresh
	JobLDAPPublish = jobs.KindLDAPPublish
)

// IssueRequest is an approved issuance: who (verified), for which
// organisation, under which policy, with which CSR.
type IssueRequest struct {
	Actor        string // who approved, for the audit log
	CSR          []byte // PEM or DER, made by the holder (RULES P3)
	Policy       *policies.Policy
	Org          *model.Organisation
	Person       *model.Person
	Title        string // position (RULES P1)
	Unit         string // the holder's unit as HR reports it (subject OU), optional
	AgentID      int64  // set when the certificate is an agent's login certificate
	EnrollmentID int64
	NotAfter     time.Time // upper bound decided by the caller (appointment end); zero for none
	// OnRecorded, when set, runs inside the transaction that records the
	// certificate (the enrollment moves on atomically with it).
	OnRecorded func(tx Tx, rec *model.Certificate) error
	// ServiceName, with ServiceEmail, issues a certificate to a service of
	// the authority (the RA's acknowledgement signer) instead of a person.
	ServiceName, ServiceEmail string
	// Bootstrap marks the first administrator's certificate, made by `sello
	// init` before any identity can be verified: its subject carries no
	// national identifier.
	Bootstrap bool
}

// Issued is the result of an issuance.
type Issued struct {
	Record *model.Certificate
	Cert   *x509.Certificate
	Chain  []*x509.Certificate
}

// issueCertificate checks the CSR, fixes the certificate's content from verified data
// only, has the backend sign it and records the certificate, its audit entry
// and its outbox jobs in one transaction. Every refusal is audited and
// returned as a typed error; nothing is signed.
func (r *RA) issueCertificate(ctx context.Context, req IssueRequest) (*Issued, error) {
	issued, err := r.issue(ctx, req)
	if err != nil {
		outcome := model.OutcomeRefused
		if t := errs.TypeOf(err); t == errs.Unavailable || t == errs.Internal {
			outcome = model.OutcomeFailed
		}
		details := auditDetails(err)
		if aerr := r.store.Audit(ctx, model.Event{Actor: req.Actor, Action: "cert.issue", Object: personObject(req.Person),
			Outcome: outcome, Details: details}); aerr != nil {
			r.log.Error("audit of a refused issuance failed", "err", aerr)
		}
		return nil, err
	}
	return issued, nil
}

// auditDetails describes a refusal for the audit log, which is kept forever
// and must not hold personal data: errors about bad input quote the input (a
// CURP, a certificate's serialNumber), so for those only the error type and
// the validator's code are kept.
func auditDetails(err error) map[string]any {
	d := map[string]any{"error": string(errs.TypeOf(err))}
	if isForeign(err) {
		// Answered "not found", recorded as what it was: a look at
		// another organisation's record.
		var e *errs.Error
		errors.As(err, &e)
		var reason *errs.Error
		errors.As(e.Cause, &reason)
		return map[string]any{"error": string(errs.Forbidden), "detail": reason.Detail, "answered": string(errs.NotFound)}
	}
	var ve *validate.Error
	if errors.As(err, &ve) {
		d["code"] = ve.Code
	}
	switch errs.TypeOf(err) {
	case errs.Malformed, errs.BadCSR, errs.BadPublicKey, errs.DuplicateKey:
	default:
		var e *errs.Error
		if errors.As(err, &e) {
			d["detail"] = e.Detail
		}
	}
	return d
}

func personObject(p *model.Person) string {
	if p == nil {
		return "person:?"
	}
	return fmt.Sprintf("person:%d", p.ID)
}

func (r *RA) issue(ctx context.Context, req IssueRequest) (*Issued, error) {
	if req.Policy == nil || req.Org == nil || (req.Person == nil && req.ServiceName == "") {
		return nil, errs.New(errs.Internal, "issuance needs a policy, an organisation and a person")
	}
	if req.Org.Status != model.OrgAccredited {
		return nil, errs.New(errs.Forbidden, "organisation %s is %s as a certification service provider", req.Org.Code, req.Org.Status)
	}
	issuer, err := r.issuerOf(req.Policy)
	if err != nil {
		return nil, err
	}
	csr, err := ca.ParseCSR(req.CSR)
	if err != nil {
		return nil, err
	}
	keyFP, err := ca.KeyFingerprint(csr.PublicKey)
	if err != nil {
		return nil, errs.Wrap(errs.BadPublicKey, err, "public key cannot be encoded")
	}
	now := r.clk.Now()
	// RULES S2: a private key already certified for someone else is a
	// duplicate key; it is never certified again for another person.
	others, err := r.store.UnexpiredCertificatesWithKey(ctx, keyFP, now)
	if err != nil {
		return nil, err
	}
	for _, c := range others {
		if req.Person == nil || !c.PersonID.Valid || c.PersonID.Int64 != req.Person.ID {
			return nil, errs.New(errs.DuplicateKey, "this public key is already in a valid certificate of another person; generate a new key pair")
		}
	}
	var (
		subject ca.Subject
		emails  []string
	)
	if req.ServiceName != "" {
		subject = ca.Subject{CommonName: req.ServiceName, Organization: req.Org.Name, OrganizationIdentifier: req.Policy.Jurisdiction.OrganizationIdentifier,
			Locality: req.Policy.Jurisdiction.Locality, Province: req.Policy.Jurisdiction.State, Country: req.Policy.Jurisdiction.Country}
		emails = []string{req.ServiceEmail}
	} else if subject, emails, err = Subject(req.Policy, req.Org, req.Person, req.Title, !req.Bootstrap); err != nil {
		return nil, err
	}
	if u := strings.TrimSpace(req.Unit); u != "" && u != req.Org.Name && utf8.RuneCountInString(u) <= 64 {
		subject.OrganizationalUnit = []string{u}
	}
	notBefore := now.Add(-time.Minute).Truncate(time.Second) // tolerate relying parties' clock skew
	// ...but never before the issuing CA's own validity (a CA imported or
	// created a moment ago).
	if nb := issuer.Certificate().NotBefore; notBefore.Before(nb) {
		notBefore = nb
	}
	notAfter := Validity(req.Policy, now, req.NotAfter)
	if !notAfter.After(now) {
		return nil, errs.New(errs.PolicyRefused, "no validity left: the term or appointment ends before now")
	}
	signed, err := issuer.Backend.Sign(ctx, ca.SignRequest{
		CSR: csr, Subject: subject, Emails: emails, NotBefore: notBefore, NotAfter: notAfter,
		Profile: req.Policy.Profile(r.publicURL, issuer.Name),
	})
	if err != nil {
		return nil, err
	}
	cert := signed.Certificate
	sum := sha256.Sum256(signed.DER)
	rec := &model.Certificate{
		IssuerID: issuer.ID, Serial: model.SerialHex(cert.SerialNumber),
		OrgID:           sql.NullInt64{Int64: req.Org.ID, Valid: true},
		PersonID:        sql.NullInt64{Int64: personID(req.Person), Valid: req.Person != nil},
		AgentID:         sql.NullInt64{Int64: req.AgentID, Valid: req.AgentID != 0},
		EnrollmentID:    sql.NullInt64{Int64: req.EnrollmentID, Valid: req.EnrollmentID != 0},
		Subject:         cert.Subject.String(),
		KeyFingerprint:  keyFP,
		CertFingerprint: hex.EncodeToString(sum[:]),
		NotBefore:       cert.NotBefore, NotAfter: cert.NotAfter, DER: signed.DER,
		PolicyID: sql.NullString{String: req.Policy.ID, Valid: true},
	}
	err = r.store.InTx(ctx, func(tx Tx) error {
		if err := tx.InsertCertificate(ctx, rec); err != nil {
			return err
		}
		if req.OnRecorded != nil {
			if err := req.OnRecorded(tx, rec); err != nil {
				return err
			}
		}
		obj := "cert:" + rec.IssuerID + "/" + rec.Serial
		if _, err := tx.Audit(ctx, model.Event{Actor: req.Actor, Action: "cert.issue", Object: obj, Outcome: model.OutcomeOK,
			Details: map[string]any{"person": personID(req.Person), "service": req.ServiceName, "org": req.Org.Code, "policy": req.Policy.ID,
				"notAfter": rec.NotAfter.Format(time.RFC3339), "certSHA256": rec.CertFingerprint}}); err != nil {
			return err
		}
		issued := jobs.Change{Event: "issued"}
		return jobs.Enqueue(ctx, tx, jobs.NewOCSPRefresh(certRef(rec), issued), jobs.NewLDAPPublish(certRef(rec), issued))
	})
	if err != nil {
		// The serial and the lint certificate are recorded (ca/local stores
		// them before signing), so the intent survives; the caller may retry.
		r.log.Error("certificate signed but not recorded", "serial", rec.Serial, "err", err)
		return nil, err
	}
	return &Issued{Record: rec, Cert: cert, Chain: signed.Chain}, nil
}

// Validity returns the certificate's end: the earliest of the policy's
// maximum validity, the end of the government's constitutional term (RULES
// P2) and the caller's bound (the appointment's end), when set.
func Validity(p *policies.Policy, now, bound time.Time) time.Time {
	end := now.Add(time.Duration(p.Certificate.MaxValidityDays) * 24 * time.Hour)
	if t := p.TermEnd(); t.Before(end) {
		end = t
	}
	if !bound.IsZero() && bound.Before(end) {
		end = bound
	}
	return end.Truncate(time.Second)
}

// Subject fixes the certificate subject and e-mail addresses from verified
// data only: the person's sealed record, the organisation and the policy.
// Nothing comes from the CSR.
// requireID is false only for the bootstrap administrator.
func Subject(p *policies.Policy, org *model.Organisation, person *model.Person, title string, requireID bool) (ca.Subject, []string, error) {
	d := person.Data
	var id string
	switch p.IdentifierKind() {
	case "CURP":
		id = d.CURP
	case "RFC":
		id = d.RFC
	case "DNI":
		id = d.DNI
	}
	serial := ""
	if id != "" {
		serial = p.SerialNumber(id)
	} else if requireID {
		return ca.Subject{}, nil, errs.New(errs.PolicyRefused, "the policy %s puts the %s in the certificate and the person has none recorded", p.ID, p.IdentifierKind())
	}
	if d.Email == "" {
		return ca.Subject{}, nil, errs.New(errs.PolicyRefused, "the person has no institutional e-mail recorded")
	}
	surname := d.FirstSurname
	if d.SecondSurname != "" {
		surname += " " + d.SecondSurname
	}
	return ca.Subject{
		CommonName:             commonName(d.FullName()),
		GivenName:              d.GivenNames,
		Surname:                surname,
		SerialNumber:           serial,
		Title:                  title,
		Organization:           org.Name,
		OrganizationIdentifier: p.Jurisdiction.OrganizationIdentifier,
		Locality:               p.Jurisdiction.Locality,
		Province:               p.Jurisdiction.State,
		Country:                p.Jurisdiction.Country,
	}, []string{d.Email}, nil
}

// commonName fits a full name into the 64 characters RFC 5280 allows a
// commonName, cutting at a word boundary; givenName and surname carry the
// whole name.
func commonName(full string) string {
	r := []rune(full)
	if len(r) <= 64 {
		return full
	}
	cut := string(r[:64])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return cut
}

func personID(p *model.Person) int64 {
	if p == nil {
		return 0
	}
	return p.ID
}

// IssueServiceCertificate issues a certificate for one of the authority's
// own services (the acknowledgement signer) under the policy of orgCode,
// recorded and audited like every certificate.
func (r *RA) IssueServiceCertificate(ctx context.Context, actor Actor, orgCode, name, email string, csr []byte) (*Issued, error) {
	if err := actor.mustAdmin(); err != nil {
		return nil, r.refuse(ctx, actor, "cert.issue", "org:"+orgCode, err)
	}
	org, pol, err := r.orgPolicy(ctx, orgCode)
	if err != nil {
		return nil, err
	}
	return r.issueCertificate(ctx, IssueRequest{Actor: actor.String(), CSR: csr, Policy: pol, Org: org, ServiceName: name, ServiceEmail: email})
}
