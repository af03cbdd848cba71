package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Re-declared from package model.
const (
	OrgAccredited = model.OrgAccredited
	OrgSuspended  = model.OrgSuspended
	OrgRevoked    = model.OrgRevoked
)

// Organisation is model.Organisation.
type Organisation = model.Organisation

const orgCols = "id, code, name, policy_id, responsible_unit, status, status_reason, status_changed_at, created_at"

// CreateOrganisation inserts o as accredited and sets its ID and times.
func (tx *Tx) CreateOrganisation(ctx context.Context, o *Organisation) error {
	if n := utf8.RuneCountInString(o.Name); n == 0 || n > 64 {
		return errs.New(errs.Malformed, "organisation name must have 1 to 64 characters, it goes into certificates (has %d)", n)
	}
	if o.Code == "" || len(o.Code) > 32 || strings.ContainsAny(o.Code, " /") {
		return errs.New(errs.Malformed, "organisation code %q: 1 to 32 characters, no spaces or slashes", o.Code)
	}
	now := tx.s.Now()
	o.Status, o.CreatedAt, o.StatusChangedAt = OrgAccredited, now, now
	id, err := tx.insert(ctx, `INSERT INTO organisations (code, name, policy_id, responsible_unit, status, status_reason, status_changed_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.Code, o.Name, o.PolicyID, o.ResponsibleUnit, o.Status, "", now, now)
	if err != nil {
		return dbErr(err, "organisation "+o.Code)
	}
	o.ID = id
	return nil
}

// SetOrganisationStatus accredits, suspends or revokes an organisation.
func (tx *Tx) SetOrganisationStatus(ctx context.Context, id int64, status, reason string) error {
	switch status {
	case OrgAccredited, OrgSuspended, OrgRevoked:
	default:
		return errs.New(errs.Malformed, "unknown organisation status %q", status)
	}
	res, err := tx.exec(ctx, "UPDATE organisations SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ?",
		status, reason, tx.s.Now(), id)
	if err != nil {
		return dbErr(err, "organisation")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.NotFound, "organisation %d not found", id)
	}
	return nil
}

// OrganisationByCode returns the organisation with code.
func (s *Store) OrganisationByCode(ctx context.Context, code string) (*Organisation, error) {
	var o Organisation
	if err := s.get(ctx, &o, "SELECT "+orgCols+" FROM organisations WHERE code = ?", code); err != nil {
		return nil, notFoundOr(err, "organisation %q", code)
	}
	return &o, nil
}

// Organisation returns the organisation with id.
func (s *Store) Organisation(ctx context.Context, id int64) (*Organisation, error) {
	var o Organisation
	if err := s.get(ctx, &o, "SELECT "+orgCols+" FROM organisations WHERE id = ?", id); err != nil {
		return nil, notFoundOr(err, "organisation %d", id)
	}
	return &o, nil
}

// ListOrganisations returns every organisation, by code.
func (s *Store) ListOrganisations(ctx context.Context) ([]Organisation, error) {
	var out []Organisation
	if err := s.sel(ctx, &out, "SELECT "+orgCols+" FROM organisations ORDER BY code"); err != nil {
		return nil, dbErr(err, "organisations")
	}
	return out, nil
}
