package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Enrollment is model.Enrollment.
type Enrollment = model.Enrollment

const enrollmentCols = `id, org_id, person_id, folio, state, reason, policy_id, channel, data, filed_at, received_at,
	email_verified_at, assigned_agent_id, deficiency_deadline, refusal_due_at, refusal_flagged_at, hold_until, approved_by,
	second_approved_by, approved_at, not_after, certificate_id, renews_certificate_id, closed_at, version, created_at, updated_at`

// openEnrollment opens e.Data, sealed for its row (see seal.go).
func (s *Store) openEnrollment(ctx context.Context, e *Enrollment) error {
	if len(e.Data) == 0 {
		return nil
	}
	plain, err := s.openRow(ctx, "enrollments", "data", e.ID, e.Data)
	if err != nil {
		return err
	}
	e.Data = plain
	return nil
}

// NullTime is model.NullTime.
func NullTime(t time.Time) sql.NullTime { return model.NullTime(t) }

// NullInt is model.NullInt.
func NullInt(n int64) sql.NullInt64 { return model.NullInt(n) }

// CreateEnrollment inserts e (its Data sealed) and sets ID, times and version.
//
// The data is sealed for its row id, which the database gives only on
// insert: the row is inserted without data and the sealed data written
// just after, in the same transaction.
func (tx *Tx) CreateEnrollment(ctx context.Context, e *Enrollment) error {
	if _, err := tx.s.sealer(); err != nil {
		return err
	}
	now := tx.s.Now()
	e.CreatedAt, e.UpdatedAt, e.Version = now, now, 1
	var folio any
	if e.Folio != "" {
		folio = e.Folio
	}
	id, err := tx.insert(ctx, `INSERT INTO enrollments (org_id, person_id, folio, state, reason, policy_id, channel, data, filed_at,
		received_at, email_verified_at, assigned_agent_id, refusal_due_at, renews_certificate_id, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.OrgID, e.PersonID, folio, e.State, e.Reason, e.PolicyID, e.Channel,
		nil, e.FiledAt, e.ReceivedAt, e.EmailVerifiedAt, e.AssignedAgentID, e.RefusalDueAt, e.RenewsCertificate, e.Version, now, now)
	if err != nil {
		return dbErr(err, "enrollment")
	}
	sealed, err := tx.s.sealRow("enrollments", "data", id, e.Data)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "UPDATE enrollments SET data = ? WHERE id = ?", sealed, id); err != nil {
		return dbErr(err, "enrollment")
	}
	e.ID = id
	return nil
}

// LockEnrollment reads an enrollment for update: the row stays locked until
// the transaction ends (PostgreSQL FOR UPDATE; SQLite transactions are
// exclusive writers).
func (tx *Tx) LockEnrollment(ctx context.Context, id int64) (*Enrollment, error) {
	q := "SELECT " + enrollmentCols + " FROM enrollments WHERE id = ?"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var e Enrollment
	if err := tx.get(ctx, &e, q, id); err != nil {
		return nil, notFoundOr(err, "enrollment %d", id)
	}
	return &e, tx.s.openEnrollment(ctx, &e)
}

// UpdateEnrollment writes every mutable column of e, checking e.Version
// (optimistic concurrency) and incrementing it.
func (tx *Tx) UpdateEnrollment(ctx context.Context, e *Enrollment) error {
	sealed, err := tx.s.sealRow("enrollments", "data", e.ID, e.Data)
	if err != nil {
		return err
	}
	var folio any
	if e.Folio != "" {
		folio = e.Folio
	}
	now := tx.s.Now()
	res, err := tx.exec(ctx, `UPDATE enrollments SET person_id = ?, folio = ?, state = ?, reason = ?, data = ?, filed_at = ?,
		received_at = ?, email_verified_at = ?, assigned_agent_id = ?, deficiency_deadline = ?, refusal_due_at = ?,
		refusal_flagged_at = ?, hold_until = ?, approved_by = ?, second_approved_by = ?, approved_at = ?, not_after = ?,
		certificate_id = ?, closed_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		e.PersonID, folio, e.State, e.Reason, sealed, e.FiledAt, e.ReceivedAt, e.EmailVerifiedAt, e.AssignedAgentID,
		e.DeficiencyDeadline, e.RefusalDueAt, e.RefusalFlaggedAt, e.HoldUntil, e.ApprovedBy, e.SecondApprovedBy,
		e.ApprovedAt, e.NotAfter, e.CertificateID, e.ClosedAt, now, e.ID, e.Version)
	if err != nil {
		return dbErr(err, "enrollment")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.Conflict, "enrollment %d was changed by someone else; reload and try again", e.ID)
	}
	e.Version++
	e.UpdatedAt = now
	return nil
}

// Enrollment returns an enrollment, its data unsealed.
func (s *Store) Enrollment(ctx context.Context, id int64) (*Enrollment, error) {
	var e Enrollment
	if err := s.get(ctx, &e, "SELECT "+enrollmentCols+" FROM enrollments WHERE id = ?", id); err != nil {
		return nil, notFoundOr(err, "enrollment %d", id)
	}
	return &e, s.openEnrollment(ctx, &e)
}

// EnrollmentByFolio returns an enrollment by its folio.
func (s *Store) EnrollmentByFolio(ctx context.Context, folio string) (*Enrollment, error) {
	var e Enrollment
	if err := s.get(ctx, &e, "SELECT "+enrollmentCols+" FROM enrollments WHERE folio = ?", folio); err != nil {
		return nil, notFoundOr(err, "folio %q", folio)
	}
	return &e, s.openEnrollment(ctx, &e)
}

// EnrollmentFilter is model.EnrollmentFilter.
type EnrollmentFilter = model.EnrollmentFilter

// ListEnrollments returns enrollments matching f, newest first.
func (s *Store) ListEnrollments(ctx context.Context, f EnrollmentFilter) ([]Enrollment, error) {
	q := "SELECT " + enrollmentCols + " FROM enrollments WHERE 1 = 1"
	var args []any
	if f.OrgID != 0 {
		q += " AND org_id = ?"
		args = append(args, f.OrgID)
	}
	if len(f.States) > 0 {
		q += " AND state IN (?" + repeat(", ?", len(f.States)-1) + ")"
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.AgentID != 0 {
		q += " AND (assigned_agent_id = ? OR approved_by = ?)"
		args = append(args, f.AgentID, f.AgentID)
	}
	if f.PersonIDs != nil {
		if len(f.PersonIDs) == 0 {
			return nil, nil
		}
		q += " AND person_id IN (?" + repeat(", ?", len(f.PersonIDs)-1) + ")"
		for _, id := range f.PersonIDs {
			args = append(args, id)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)
	var out []Enrollment
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, dbErr(err, "enrollments")
	}
	for i := range out {
		if err := s.openEnrollment(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DueEnrollments returns the ids of enrollments in state whose column
// (deficiency_deadline, refusal_due_at, hold_until, or filed_at for
// unverified online filings) is at or before now.
func (s *Store) DueEnrollments(ctx context.Context, state, column string, now time.Time) ([]int64, error) {
	switch column {
	case "deficiency_deadline", "refusal_due_at", "hold_until", "filed_at":
	default:
		return nil, errs.New(errs.Internal, "no deadline column %q", column)
	}
	q := "SELECT id FROM enrollments WHERE state = ? AND " + column + " IS NOT NULL AND " + column + " <= ?"
	if column == "refusal_due_at" {
		q += " AND refusal_flagged_at IS NULL"
	}
	var ids []int64
	if err := s.sel(ctx, &ids, q+" ORDER BY id", state, dbTime(now)); err != nil {
		return nil, dbErr(err, "enrollments")
	}
	return ids, nil
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

// NextFolio returns the next number of a gap-free series per organisation,
// year and kind. Taken inside the filing's transaction, a rolled-back filing
// gives its number back.
func (tx *Tx) NextFolio(ctx context.Context, orgID int64, year int, kind string) (int64, error) {
	var n int64
	err := tx.tx.QueryRowxContext(ctx, tx.tx.Rebind(`INSERT INTO folio_counters (org_id, year, kind, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (org_id, year, kind) DO UPDATE SET last = folio_counters.last + 1 RETURNING last`), orgID, year, kind).Scan(&n)
	return n, dbErr(err, "folio")
}

// Counts returns the number of enrollments by state and of certificates by
// status (for metrics).
func (s *Store) Counts(ctx context.Context) (enrollments, certificates map[string]int, err error) {
	var rows []struct {
		K string `db:"k"`
		N int    `db:"n"`
	}
	enrollments, certificates = map[string]int{}, map[string]int{}
	if err := s.sel(ctx, &rows, "SELECT state AS k, COUNT(*) AS n FROM enrollments GROUP BY state"); err != nil {
		return nil, nil, dbErr(err, "enrollments")
	}
	for _, r := range rows {
		enrollments[r.K] = r.N
	}
	rows = nil
	if err := s.sel(ctx, &rows, "SELECT status AS k, COUNT(*) AS n FROM certificates GROUP BY status"); err != nil {
		return nil, nil, dbErr(err, "certificates")
	}
	for _, r := range rows {
		certificates[r.K] = r.N
	}
	return enrollments, certificates, nil
}
