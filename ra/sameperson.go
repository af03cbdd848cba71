package ra

import (
	"context"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
)

// An identifier (CURP, RFC, DNI) names one person. A filing, a registration
// or an HR record that pairs it with another person's name is someone using
// an identifier that is not theirs (RULES R3: the identifier presented is
// the applicant's), so the name given must agree with the one already on
// record and with HR's. Names are compared with case, accents, punctuation
// and spacing aside ("José Pérez" is "JOSE PEREZ"); ñ is a letter of its own.

// sameName reports whether two full names agree, case and accents aside.
func sameName(a, b string) bool { return foldName(a) == foldName(b) }

// identifierOfKind returns the value of the identifier kind (CURP, RFC, DNI) in d.
func identifierOfKind(d model.PersonData, kind string) string {
	return map[string]string{"CURP": d.CURP, "RFC": d.RFC, "DNI": d.DNI}[kind]
}

// peopleReader is what checkOnRecord reads (the store or a transaction).
type peopleReader interface {
	PeopleByIdentifier(ctx context.Context, kind, value string) ([]*model.Person, error)
}

// checkOnRecord refuses d when the people already recorded under its
// identifier of the given kind all bear another name; it returns those
// with the same name (to be reused). No identifier, or none on record, is
// no conflict.
func checkOnRecord(ctx context.Context, read peopleReader, kind string, d model.PersonData) ([]*model.Person, error) {
	id := identifierOfKind(d, kind)
	if id == "" {
		return nil, nil
	}
	found, err := read.PeopleByIdentifier(ctx, strings.ToLower(kind), id)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	var same []*model.Person
	for _, p := range found {
		if sameName(p.Data.FullName(), d.FullName()) {
			same = append(same, p)
		}
	}
	if len(same) == 0 {
		return nil, errs.New(errs.Conflict, "the %s given is on record for a person of another name; check the identifier and the name as on the official ID (RULES R3)", kind)
	}
	return same, nil
}

// hrNameFinding is the unmet requirement of a request whose applicant's
// name disagrees with the name HR records for the identifier given (RULES
// R3: the identifier is the applicant's own). HR sources that give no name
// are not compared.
func hrNameFinding(facts *policies.AppointmentFacts, person *model.Person, kind string) *policies.Finding {
	if facts == nil || facts.State != policies.AppointmentFound || strings.TrimSpace(facts.Name) == "" || person == nil {
		return nil
	}
	if sameName(facts.Name, person.Data.FullName()) {
		return nil
	}
	return &policies.Finding{Rule: "R3", Code: "identity.name_mismatch", Field: strings.ToLower(kind),
		ES: "El nombre de la solicitud no coincide con el que Recursos Humanos registra para la " + kind + " presentada; verifique la clave y el nombre con la identificación oficial.",
		EN: "The name on the request does not match the name Human Resources records for the " + kind + " given; check the identifier and the name against the official ID."}
}
