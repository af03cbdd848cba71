package api

import (
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
)

// What the RA returns, as the API shows it.

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return timePtr(t.Time)
}

func pemOf(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func chainOf(chain []*x509.Certificate) []string {
	out := make([]string, 0, len(chain))
	for _, c := range chain {
		out = append(out, pemOf(c.Raw))
	}
	return out
}

func organisationOf(o *model.Organisation) Organisation {
	return Organisation{ID: o.ID, Code: o.Code, Name: o.Name, Policy: o.PolicyID, ResponsibleUnit: o.ResponsibleUnit,
		Status: o.Status, StatusReason: o.StatusReason, StatusChangedAt: o.StatusChangedAt.UTC(), CreatedAt: o.CreatedAt.UTC()}
}

func findingsOf(fs []policies.Finding) []Finding {
	if fs == nil {
		return nil
	}
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, Finding{Rule: f.Rule, Code: f.Code, Field: f.Field, InPerson: f.InPerson, ES: f.ES, EN: f.EN})
	}
	return out
}

func decisionOf(d policies.Decision) Decision {
	nonNil := func(fs []policies.Finding) []Finding {
		if out := findingsOf(fs); out != nil {
			return out
		}
		return []Finding{}
	}
	return Decision{Unmet: nonNil(d.Unmet), Checklist: nonNil(d.Checklist), Warnings: nonNil(d.Warnings)}
}

func requestOf(q *ra.Request) Request {
	v := Request{ID: q.ID, Folio: q.Folio, State: q.State, Channel: q.Channel, Reason: q.Reason, Policy: q.PolicyID,
		Organisation: q.OrgID, Title: q.Data.Title, EmailVerified: q.EmailVerifiedAt.Valid, RefusalDue: q.RefusalFlaggedAt.Valid,
		Deficiencies: findingsOf(q.Data.Deficiencies), Refusal: findingsOf(q.Data.Refusal), RefusalNote: q.Data.RefusalNote,
		CancelReason: q.Data.CancelReason, CertificateID: q.CertificateID.Int64, ApprovedBy: q.ApprovedBy.Int64,
		FiledAt: nullTime(q.FiledAt), ReceivedAt: nullTime(q.ReceivedAt), DeficiencyDeadline: nullTime(q.DeficiencyDeadline),
		HoldUntil: nullTime(q.HoldUntil), NotAfter: nullTime(q.NotAfter)}
	if q.Person != nil {
		v.Applicant, v.CURP, v.RFC, v.DNI, v.Email = q.Person.Data.FullName(), q.Person.Data.CURP, q.Person.Data.RFC, q.Person.Data.DNI, q.Person.Data.Email
	}
	if q.Data.Decision != nil {
		d := decisionOf(*q.Data.Decision)
		v.Decision = &d
	}
	if a := q.Data.Appointment; a != nil {
		v.Appointment = &Appointment{State: a.State, Status: a.Status, Organisation: a.Organisation, Position: a.Position,
			Start: timePtr(a.Start), End: timePtr(a.End), CheckedAt: timePtr(q.Data.AppointmentAt)}
	}
	return v
}

func requestsOf(list []*ra.Request) []Request {
	out := make([]Request, 0, len(list))
	for _, q := range list {
		out = append(out, requestOf(q))
	}
	return out
}

func ackOf(a *ra.Acknowledgement, withSecrets bool) Acknowledgement {
	v := Acknowledgement{Folio: a.Ack.Folio, FiledAt: a.Ack.FiledAt.UTC(), ReceivedAt: a.Ack.ReceivedAt.UTC()}
	if withSecrets {
		v.VerificationCode, v.VerifyURL, v.JWS = a.Code, a.Ack.VerifyURL, a.JWS
	}
	return v
}

// subjectOf renders a certificate's subject for people (RFC 4514 with
// attribute names, UTF-8), from the certificate itself.
func subjectOf(der []byte, stored string) string {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return stored
	}
	if s, err := ca.FormatRawName(c.RawSubject); err == nil {
		return s
	}
	return ca.FormatName(c.Subject)
}

func certificateOf(c *model.Certificate, withPEM bool) Certificate {
	v := Certificate{ID: c.ID, Serial: c.Serial, Subject: subjectOf(c.DER, c.Subject), Status: c.Status,
		StatusReason: c.StatusReasonID.String, NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), IssuedAt: c.IssuedAt.UTC(),
		StatusChangedAt: c.StatusChangedAt.UTC(), RevokedAt: nullTime(c.RevokedAt), Organisation: c.OrgID.Int64,
		Enrollment: c.EnrollmentID.Int64, Policy: c.PolicyID.String, Origin: c.Origin, DecisionDueAt: nullTime(c.DecisionDueAt)}
	if c.RevocationReason.Valid {
		n := c.RevocationReason.Int64
		v.ReasonCode = &n
	}
	if withPEM {
		v.PEM = pemOf(c.DER)
	}
	return v
}

func certificatesOf(list []model.Certificate) []Certificate {
	out := make([]Certificate, 0, len(list))
	for i := range list {
		out = append(out, certificateOf(&list[i], false))
	}
	return out
}

func statusChangeOf(ch *model.StatusChange) *StatusChange {
	if ch == nil {
		return nil
	}
	return &StatusChange{ID: ch.ID, Kind: ch.Kind, ReasonCode: ch.ReasonCode, ReasonID: ch.ReasonID, Reason: ch.Reason,
		Actor: ch.Actor, Folio: ch.Folio.String, At: ch.At.UTC()}
}

func statusRequestOf(sr *model.StatusRequest) *StatusRequest {
	if sr == nil {
		return nil
	}
	return &StatusRequest{ID: sr.ID, CertificateID: sr.CertificateID, Organisation: sr.OrgID, Kind: sr.Kind, ReasonID: sr.ReasonID,
		Requester: sr.Requester, Statement: sr.Statement, Folio: sr.Folio, State: sr.State, ReceivedAt: sr.ReceivedAt.UTC(),
		DecidedAt: nullTime(sr.DecidedAt), DecidedBy: sr.DecidedBy.String, FiledBy: sr.FiledBy,
		Address: sr.Address, PowerOfAttorney: sr.PowerOfAttorneyID.Int64, EffectiveAt: nullTime(sr.EffectiveAt)}
}

func documentOf(d *documents.Document) Document {
	return Document{ID: d.ID, Organisation: d.OrgID, Enrollment: d.EnrollmentID, Kind: d.Kind, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.SHA256, UploadedBy: d.UploadedBy, CreatedAt: d.CreatedAt.UTC(), SupersededAt: d.SupersededAt}
}
