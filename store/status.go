package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// StatusChange is model.StatusChange.
type StatusChange = model.StatusChange

// SetCertificateStatus changes a certificate's status and records the change
// with its exact time. The caller audits and enqueues the publication jobs in
// the same transaction.
func (tx *Tx) SetCertificateStatus(ctx context.Context, certID int64, ch StatusChange, suspendedUntil time.Time) error {
	status := map[string]string{"suspend": CertSuspended, "lift": CertValid, "revoke": CertRevoked, "extinguish": CertExpired}[ch.Kind]
	if status == "" {
		return errs.New(errs.Internal, "unknown status change %q", ch.Kind)
	}
	at := dbTime(ch.At)
	var revokedAt any
	var code any
	switch ch.Kind {
	case "revoke", "suspend":
		revokedAt, code = at, ch.ReasonCode
	}
	res, err := tx.exec(ctx, `UPDATE certificates SET status = ?, status_changed_at = ?, revoked_at = ?, revocation_reason = ?,
		status_reason_id = ?, suspended_until = ?, decision_due_at = NULL WHERE id = ?`, status, at, revokedAt, code, ch.ReasonID, NullTime(suspendedUntil), certID)
	if err != nil {
		return dbErr(err, "certificate status")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.NotFound, "certificate %d not found", certID)
	}
	ch.CertificateID = certID
	if _, err := tx.insert(ctx, `INSERT INTO status_changes (certificate_id, kind, reason_code, reason_id, reason, actor, folio, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, certID, ch.Kind, ch.ReasonCode, ch.ReasonID, ch.Reason, ch.Actor, ch.Folio, at); err != nil {
		return dbErr(err, "status change")
	}
	return nil
}

// LockCertificate reads a certificate for update.
func (tx *Tx) LockCertificate(ctx context.Context, id int64) (*Certificate, error) {
	q := "SELECT " + certCols + " FROM certificates WHERE id = ?"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var c Certificate
	if err := tx.get(ctx, &c, q, id); err != nil {
		return nil, notFoundOr(err, "certificate %d", id)
	}
	return &c, nil
}

// Certificate returns a certificate by id.
func (s *Store) Certificate(ctx context.Context, id int64) (*Certificate, error) {
	var c Certificate
	if err := s.get(ctx, &c, "SELECT "+certCols+" FROM certificates WHERE id = ?", id); err != nil {
		return nil, notFoundOr(err, "certificate %d", id)
	}
	return &c, nil
}

// StatusChanges returns a certificate's history.
func (s *Store) StatusChanges(ctx context.Context, certID int64) ([]StatusChange, error) {
	var out []StatusChange
	if err := s.sel(ctx, &out, "SELECT id, certificate_id, kind, reason_code, reason_id, reason, actor, folio, at FROM status_changes WHERE certificate_id = ? ORDER BY id", certID); err != nil {
		return nil, dbErr(err, "status changes")
	}
	return out, nil
}

// CertificateFilter is model.CertificateFilter.
type CertificateFilter = model.CertificateFilter

// ListCertificates returns certificates matching f, newest first.
func (s *Store) ListCertificates(ctx context.Context, f CertificateFilter) ([]Certificate, error) {
	q := "SELECT " + prefixed("c.", certCols) + " FROM certificates c WHERE 1 = 1"
	var args []any
	if f.OrgID != 0 {
		q += " AND c.org_id = ?"
		args = append(args, f.OrgID)
	}
	if len(f.Statuses) > 0 {
		q += " AND c.status IN (?" + repeat(", ?", len(f.Statuses)-1) + ")"
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.PersonIDs != nil {
		if len(f.PersonIDs) == 0 {
			return nil, nil
		}
		q += " AND c.person_id IN (?" + repeat(", ?", len(f.PersonIDs)-1) + ")"
		for _, id := range f.PersonIDs {
			args = append(args, id)
		}
	}
	if f.OnlyHolders {
		q += " AND c.agent_id IS NULL"
	}
	if f.AgentIssuer != 0 {
		q += " AND c.enrollment_id IN (SELECT id FROM enrollments WHERE approved_by = ?)"
		args = append(args, f.AgentIssuer)
	}
	if f.RevokedBy != "" {
		q += " AND c.id IN (SELECT certificate_id FROM status_changes WHERE kind = 'revoke' AND actor = ?)"
		args = append(args, f.RevokedBy)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q += fmt.Sprintf(" ORDER BY c.id DESC LIMIT %d", limit)
	var out []Certificate
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, dbErr(err, "certificates")
	}
	return out, nil
}

func prefixed(p, cols string) string {
	out := ""
	for i, c := range splitCols(cols) {
		if i > 0 {
			out += ", "
		}
		out += p + c
	}
	return out
}

func splitCols(cols string) []string {
	var out []string
	cur := ""
	for _, r := range cols {
		switch r {
		case ',':
			out = append(out, cur)
			cur = ""
		case ' ', '\n', '\t':
		default:
			cur += string(r)
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// CertificatesToMonitor returns, in id order after afterID, valid or
// suspended holder certificates not checked against HR since before. Callers
// page with the last id they saw, so certificates whose HR cannot answer do
// not hide the others.
func (s *Store) CertificatesToMonitor(ctx context.Context, before time.Time, afterID int64, limit int) ([]Certificate, error) {
	var out []Certificate
	err := s.sel(ctx, &out, "SELECT "+certCols+` FROM certificates WHERE status IN ('valid', 'suspended') AND agent_id IS NULL
		AND person_id IS NOT NULL AND (appointment_checked_at IS NULL OR appointment_checked_at < ?) AND id > ? ORDER BY id LIMIT ?`,
		dbTime(before), afterID, limit)
	return out, dbErr(err, "certificates")
}

// MarkAppointmentChecked records when the monitor last checked a certificate's holder.
func (tx *Tx) MarkAppointmentChecked(ctx context.Context, certID int64) error {
	_, err := tx.exec(ctx, "UPDATE certificates SET appointment_checked_at = ? WHERE id = ?", tx.s.Now(), certID)
	return dbErr(err, "certificate")
}

// SuspendedPastInvestigation returns suspended certificates whose
// investigation period ended at or before now (RULES S1).
func (s *Store) SuspendedPastInvestigation(ctx context.Context, now time.Time) ([]Certificate, error) {
	var out []Certificate
	err := s.sel(ctx, &out, "SELECT "+certCols+" FROM certificates WHERE status = 'suspended' AND suspended_until IS NOT NULL AND suspended_until <= ? AND decision_due_at IS NULL ORDER BY id", dbTime(now))
	return out, dbErr(err, "certificates")
}

// FlagDecisionDue marks a suspended certificate whose period ended without
// escalating by itself: an agent decides whether it is lifted or revoked
// (RULES S1). A later status change clears the flag.
func (tx *Tx) FlagDecisionDue(ctx context.Context, certID int64, at time.Time) error {
	res, err := tx.exec(ctx, "UPDATE certificates SET decision_due_at = ? WHERE id = ? AND status = 'suspended' AND decision_due_at IS NULL", dbTime(at), certID)
	if err != nil {
		return dbErr(err, "certificate")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.WrongState, "certificate %d is not suspended or already awaits a decision", certID)
	}
	return nil
}

// ExpiredUnmarked returns valid or suspended certificates whose validity ended.
func (s *Store) ExpiredUnmarked(ctx context.Context, now time.Time) ([]Certificate, error) {
	var out []Certificate
	err := s.sel(ctx, &out, "SELECT "+certCols+" FROM certificates WHERE status IN ('valid', 'suspended') AND not_after <= ? ORDER BY id", dbTime(now))
	return out, dbErr(err, "certificates")
}

// StatusRequest is model.StatusRequest.
type StatusRequest = model.StatusRequest

const srCols = "id, certificate_id, org_id, kind, reason_id, requester, statement, folio, state, received_at, decided_at, decided_by, filed_by, " +
	"address, power_of_attorney_id, effective_at"

// CreateStatusRequest records a request.
func (tx *Tx) CreateStatusRequest(ctx context.Context, r *StatusRequest) error {
	r.ReceivedAt = dbTime(r.ReceivedAt)
	var effective any
	if r.EffectiveAt.Valid {
		r.EffectiveAt.Time = dbTime(r.EffectiveAt.Time)
		effective = r.EffectiveAt.Time
	}
	id, err := tx.insert(ctx, `INSERT INTO status_requests (certificate_id, org_id, kind, reason_id, requester, statement, folio, state, received_at, filed_by,
		address, power_of_attorney_id, effective_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.CertificateID, r.OrgID, r.Kind, r.ReasonID,
		r.Requester, r.Statement, r.Folio, r.State, r.ReceivedAt, r.FiledBy, r.Address, r.PowerOfAttorneyID, effective)
	if err != nil {
		return dbErr(err, "status request")
	}
	r.ID = id
	return nil
}

// DecideStatusRequest closes a pending request.
func (tx *Tx) DecideStatusRequest(ctx context.Context, id int64, state, by string) error {
	res, err := tx.exec(ctx, "UPDATE status_requests SET state = ?, decided_at = ?, decided_by = ? WHERE id = ? AND state = 'pending'", state, tx.s.Now(), by, id)
	if err != nil {
		return dbErr(err, "status request")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.WrongState, "status request %d is not pending", id)
	}
	return nil
}

// ScheduleStatusRequest sets when a pending request takes effect (RULES S2:
// a revocation after prior notice).
func (tx *Tx) ScheduleStatusRequest(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.exec(ctx, "UPDATE status_requests SET effective_at = ? WHERE id = ? AND state = 'pending'", dbTime(at), id)
	if err != nil {
		return dbErr(err, "status request")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.WrongState, "status request %d is not pending", id)
	}
	return nil
}

// StatusRequest returns a request by id.
func (s *Store) StatusRequest(ctx context.Context, id int64) (*StatusRequest, error) {
	var r StatusRequest
	if err := s.get(ctx, &r, "SELECT "+srCols+" FROM status_requests WHERE id = ?", id); err != nil {
		return nil, notFoundOr(err, "status request %d", id)
	}
	return &r, nil
}

// DueStatusRequests returns pending requests whose effective time came
// (RULES S2: a revocation after prior notice), oldest first.
func (s *Store) DueStatusRequests(ctx context.Context, now time.Time) ([]StatusRequest, error) {
	var out []StatusRequest
	err := s.sel(ctx, &out, "SELECT "+srCols+" FROM status_requests WHERE state = 'pending' AND effective_at IS NOT NULL AND effective_at <= ? ORDER BY id", dbTime(now))
	return out, dbErr(err, "status requests")
}

// ListStatusRequests lists requests of an organisation (0: all) in a state ("" all).
func (s *Store) ListStatusRequests(ctx context.Context, orgID int64, state string) ([]StatusRequest, error) {
	q := "SELECT " + srCols + " FROM status_requests WHERE 1 = 1"
	var args []any
	if orgID != 0 {
		q += " AND org_id = ?"
		args = append(args, orgID)
	}
	if state != "" {
		q += " AND state = ?"
		args = append(args, state)
	}
	var out []StatusRequest
	err := s.sel(ctx, &out, q+" ORDER BY id DESC LIMIT 200", args...)
	return out, dbErr(err, "status requests")
}
