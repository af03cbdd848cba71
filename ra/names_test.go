package ra_test

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// wantNameRefusal requires err to be errs.Malformed naming field, in English
// and in Spanish.
func wantNameRefusal(t *testing.T, what string, err error, field string) {
	t.Helper()
	if !errs.Has(err, errs.Malformed) {
		t.Errorf("%s: %v, want %s", what, err, errs.Malformed)
		return
	}
	en, es := errs.MessageOf(err, "en"), errs.MessageOf(err, "es")
	if !strings.HasPrefix(en, field+": ") || !strings.HasPrefix(es, field+": ") || en == es {
		t.Errorf("%s: %q / %q do not name %s in both languages", what, en, es, field)
	}
}

// Issue 16 "Names": NUL, control characters, ANSI escapes, bidi overrides,
// zero-width characters and emoji are refused with the field named on every
// channel that records a name or prints a statement, before anything is
// recorded.
func TestNames_RefusedOnEveryChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		cli := ra.CLI("test")
		with := func(mut func(*store.PersonData)) store.PersonData {
			d := juan
			mut(&d)
			return d
		}
		certs := countCerts(t, e.Store)

		// Operator issuance.
		_, err := deskIssue(t, w.ra, w.hr, e.Clock.Now(), "SEP-JAL", with(func(d *store.PersonData) { d.GivenNames = "Juan\u202eoleM" }), "Jefe", newCSR(t))
		wantNameRefusal(t, "issuance, bidi override in the given names", err, "givenNames")
		_, err = deskIssue(t, w.ra, w.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe\x1b[31m de Departamento", newCSR(t))
		wantNameRefusal(t, "issuance, ANSI escape in the title", err, "title")

		// Filing in person.
		_, err = w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Title: "Jefe",
			Person: with(func(d *store.PersonData) { d.FirstSurname = "Pérez \U0001F600" })})
		wantNameRefusal(t, "filing, emoji in the surname", err, "firstSurname")
		_, err = w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Title: "Jefe\u200b",
			Person: juan})
		wantNameRefusal(t, "online filing, zero-width space in the title", err, "title")

		// Agents.
		_, err = w.ra.AddAgent(ctx, cli, ra.AddAgentRequest{OrgCode: "SEP-JAL", Role: store.RoleAgent, Title: "Agente",
			Person: store.PersonData{GivenNames: "Ana\x00", FirstSurname: "Ruiz", CURP: "RUXA900215MJCZXN06", Email: "ana.ruiz@jalisco.gob.mx"}})
		wantNameRefusal(t, "agent, NUL in the given names", err, "givenNames")

		// Organisations.
		_, err = w.ra.AddOrganisation(ctx, cli, ra.OrganisationInput{Code: "SEC-JAL", Name: "Secretaría\u2066 General", Policy: "jalisco"})
		wantNameRefusal(t, "organisation, bidi isolate in the name", err, "name")
		_, err = w.ra.AddOrganisation(ctx, cli, ra.OrganisationInput{Code: "SEC JAL/../x", Name: "Secretaría General", Policy: "jalisco"})
		wantNameRefusal(t, "organisation, a code that is not URL-safe", err, "code")

		// Homologation.
		ana := store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUXA900215MJCZXN06", Email: "ana.ruiz@jalisco.gob.mx"}
		trusted, cert := foreignCert(t, e, "Autoridad Certificadora de Otra Entidad", ana)
		roots := x509.NewCertPool()
		roots.AddCert(trusted.Root)
		set, _ := policies.Builtin()
		h := ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Policies: set, Clock: e.Clock, HomologationRoots: roots,
			AckSigner: ackSigner(t, w.h, e.Clock.Now())})
		bad := ana
		bad.SecondSurname = "\ufeffVega"
		_, err = h.Homologate(ctx, w.agent, ra.HomologationRequest{OrgCode: "SEP-JAL", Person: bad, Title: "Analista", Certificate: cert})
		wantNameRefusal(t, "homologation, BOM in the second surname", err, "secondSurname")
		_, err = h.Homologate(ctx, w.agent, ra.HomologationRequest{OrgCode: "SEP-JAL", Person: ana, Title: "Analista\u200d", Certificate: cert})
		wantNameRefusal(t, "homologation, zero-width joiner in the title", err, "title")

		if n := countCerts(t, e.Store); n != certs {
			t.Errorf("%d certificates recorded by refused calls", n-certs)
		}
		var people int
		if err := e.Store.DB().GetContext(ctx, &people, "SELECT COUNT(*) FROM people"); err != nil || people > 2 {
			t.Errorf("people recorded by refused calls: %d %v", people, err)
		}

		// A statement may run over several lines, but not hide controls.
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Title: "Jefe", Person: juan})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.ra.Cancel(ctx, w.agent, f.Request.ID, "Primera línea\x1b[2J")
		wantNameRefusal(t, "cancellation reason with an ANSI escape", err, "reason")
		if _, err := w.ra.Cancel(ctx, w.agent, f.Request.ID, "Lo pidió la persona.\nPor escrito."); err != nil {
			t.Fatalf("a reason over two lines: %v", err)
		}
	})
}

// Issue 16 "Bounded input": what would reach the database as a text
// parameter PostgreSQL refuses (a NUL, invalid UTF-8) or as an oversized
// lookup is refused by the RA itself, whatever the front end.
func TestBoundedInput_RAReadsRefuseBeforeTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		admin := ra.CLI("test")
		for what, call := range map[string]func() error{
			"a search term with a NUL": func() error {
				_, err := w.ra.Search(ctx, w.agent, ra.SearchQuery{Term: "Juan\x00"})
				return err
			},
			"a CURP search with invalid UTF-8": func() error {
				_, err := w.ra.Search(ctx, w.agent, ra.SearchQuery{Term: "PEXJ\xff", By: "curp"})
				return err
			},
			"a search with 40,000 words": func() error {
				_, err := w.ra.Search(ctx, w.agent, ra.SearchQuery{Term: strings.Repeat("ana ", 40000)})
				return err
			},
			"40,000 states": func() error {
				states := make([]string, 40000)
				for i := range states {
					states[i] = ra.StateSubmitted
				}
				_, err := w.ra.Requests(ctx, w.agent, ra.RequestQuery{States: states})
				return err
			},
			"an organisation code of 20,000 characters": func() error {
				_, err := w.ra.Requests(ctx, admin, ra.RequestQuery{OrgCode: strings.Repeat("A", 20000)})
				return err
			},
			"an organisation code with a NUL": func() error {
				_, err := w.ra.Agents(ctx, admin, "SEP-JAL\x00")
				return err
			},
			"a filing for an organisation code with invalid UTF-8": func() error {
				_, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP\xff", Reason: "first_issuance", Person: juan})
				return err
			},
		} {
			if err := call(); !errs.Has(err, errs.Malformed) {
				t.Errorf("%s: %v, want %s", what, err, errs.Malformed)
			}
		}
	})
}
