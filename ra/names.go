package ra

import (
	"context"
	"errors"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies/validate"
)

// Every channel that records a name, a title or a printed statement checks
// it here, with validate.Name and validate.Text, so that no channel lets in
// a NUL, an ANSI escape, a bidirectional override, a zero-width character or
// an emoji that another one refuses. The refusal names the field as the API
// calls it.

// checkNames refuses the first (field, value) pair whose value is not a
// one-line printable name (validate.Name).
func checkNames(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := validate.Name(pairs[i], pairs[i+1]); err != nil {
			return textRefusal(err)
		}
	}
	return nil
}

// checkTexts is checkNames for free text over several lines (validate.Text).
func checkTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := validate.Text(pairs[i], pairs[i+1]); err != nil {
			return textRefusal(err)
		}
	}
	return nil
}

// checkPerson checks a person's names and contact data, which the
// acknowledgement, the certificate and the e-mails print.
func checkPerson(d model.PersonData) error {
	return checkNames("givenNames", d.GivenNames, "firstSurname", d.FirstSurname, "secondSurname", d.SecondSurname,
		"email", d.Email, "phone", d.Phone)
}

// checkFiling checks what a filing prints on its acknowledgement.
func checkFiling(d model.PersonData, req FileRequest) error {
	if err := checkPerson(d); err != nil {
		return err
	}
	return checkNames("title", req.Title, "place", req.Place)
}

// checkOrganisation checks what a new organisation prints on every form.
func checkOrganisation(in OrganisationInput) error {
	if err := checkOrgCode(in.Code); err != nil {
		return err
	}
	return checkNames("name", in.Name, "unit", in.Unit)
}

// textRefusal renders a refusal of validate.Name or validate.Text as an
// errs.Malformed from the catalogue, so that it reads in the client's
// language.
func textRefusal(err error) error {
	var v *validate.Error
	if !errors.As(err, &v) {
		return errs.Wrap(errs.Malformed, err, "%s", err.Error())
	}
	switch v.Code {
	case validate.CodeTextUTF8:
		return errs.Wrap(errs.Malformed, err, "%s: not valid UTF-8 text (byte %d)", v.Field, v.Position)
	case validate.CodeTextControl:
		return errs.Wrap(errs.Malformed, err, "%s: control character U+%04X at position %d is not allowed", v.Field, v.Rune, v.Position)
	case validate.CodeTextInvisible:
		return errs.Wrap(errs.Malformed, err, "%s: invisible formatting character U+%04X (direction override or zero-width) at position %d is not allowed", v.Field, v.Rune, v.Position)
	case validate.CodeTextPlane:
		return errs.Wrap(errs.Malformed, err, "%s: character U+%04X at position %d (such as an emoji) cannot be printed on the forms", v.Field, v.Rune, v.Position)
	default:
		return errs.Wrap(errs.Malformed, err, "%s: unassigned or private-use character U+%04X at position %d is not allowed", v.Field, v.Rune, v.Position)
	}
}

// Organisation codes name folios and verification addresses
// ("SEP-JAL-SOL-2026-000001", /verificar/{folio}), so a new one is short
// and URL-safe; a lookup by code refuses anything longer before the
// database sees it.
const maxOrgCode = 32

// checkOrgCode refuses a code a new organisation cannot take.
func checkOrgCode(code string) error {
	if code == "" || len(code) > maxOrgCode || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+") != "" ||
		strings.Trim(code, "-_.+") == "" {
		return errs.New(errs.Malformed, "code: an organisation code has 1 to %d letters, digits, '-', '_', '.' or '+'", maxOrgCode)
	}
	return nil
}

// boundOrgCode refuses, before any lookup, a code no organisation can have:
// too long, or holding what PostgreSQL refuses in a text parameter (a NUL,
// invalid UTF-8).
func boundOrgCode(code string) error {
	if err := checkNames("organisation", code); err != nil {
		return err
	}
	if len(code) > maxOrgCode {
		return errs.New(errs.Malformed, "organisation: a code has at most %d characters", maxOrgCode)
	}
	return nil
}

// orgByCode is the store's OrganisationByCode behind boundOrgCode.
func (r *RA) orgByCode(ctx context.Context, code string) (*model.Organisation, error) {
	if err := boundOrgCode(code); err != nil {
		return nil, err
	}
	return r.store.OrganisationByCode(ctx, code)
}

// checkStatusTexts checks what a revocation receipt prints: who asked and
// their statement.
func checkStatusTexts(in StatusInput) error {
	if err := checkNames("requester", in.Requester); err != nil {
		return err
	}
	return checkTexts("statement", in.Statement)
}
