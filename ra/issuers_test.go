package ra_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// testIssuers gives every policy of set the issuer its issuer key names,
// all signing with b (the tests that are not about issuers use one CA).
func testIssuers(t testing.TB, set policies.Set, b ca.Backend) []*ra.Issuer {
	t.Helper()
	seen := map[string]bool{}
	var out []*ra.Issuer
	for _, p := range set {
		if seen[p.IssuerName()] {
			continue
		}
		seen[p.IssuerName()] = true
		is, err := ra.NewIssuer(ctx, p.IssuerName(), b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, is)
	}
	return out
}

// fakeBackend is a ca.Backend whose Sign fails (signErr) or delegates to a
// real signer, so that the RA's handling of each outcome can be observed.
type fakeBackend struct {
	inner   ca.Backend
	signErr error
	signed  []*ca.Issued
}

func (f *fakeBackend) Sign(ctx context.Context, req ca.SignRequest) (*ca.Issued, error) {
	if f.signErr != nil {
		return nil, f.signErr
	}
	iss, err := f.inner.Sign(ctx, req)
	if err == nil {
		f.signed = append(f.signed, iss)
	}
	return iss, err
}

func (f *fakeBackend) Revoke(ctx context.Context, req ca.RevokeRequest) error {
	return f.inner.Revoke(ctx, req)
}

func (f *fakeBackend) Chain(ctx context.Context) ([]*x509.Certificate, error) {
	return f.inner.Chain(ctx)
}

// withBackend rebuilds w's RA with every issuer signing through b.
func withBackend(t *testing.T, w *wf, b ca.Backend) {
	t.Helper()
	set, err := policies.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w.ra = ra.New(ra.Config{Store: ra.Bind[*store.Tx](w.env.Store), Issuers: testIssuers(t, set, b), Policies: set, PublicURL: "http://firma.example.gob.mx",
		Clock: w.env.Clock, Appointments: map[string]appointment.Source{"jalisco": w.hr}, AckSigner: ackSigner(t, w.h, w.env.Clock.Now())})
}

func localSigner(t *testing.T, e *storetest.Env, h *local.Hierarchy) ca.Backend {
	t.Helper()
	s, err := local.New(local.Config{Issuer: h.Issuing, Key: h.IssuingKey, Chain: h.Chain, Store: e.Store, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// When the backend refuses to sign, nothing is recorded as issued, the
// request stays approved and the failure is audited.
func TestIssueWhenTheBackendFailsToSign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		fake := &fakeBackend{inner: localSigner(t, e, w.h), signErr: errs.New(errs.Unavailable, "the CA does not answer")}
		withBackend(t, w, fake)
		id, _ := approved(t, w, maria)
		before, err := e.Store.Enrollment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		certs, failed := countCerts(t, e.Store), countAudit(t, e.Store, "cert.issue", store.OutcomeFailed)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := w.ra.IssueInPerson(ctx, w.agent, id, csrPEM(t, key, pkix.Name{})); !errs.Has(err, errs.Unavailable) {
			t.Fatalf("issuance with a failing CA: %v", err)
		}
		after, _ := e.Store.Enrollment(ctx, id)
		if after.State != before.State || after.Version != before.Version || after.CertificateID.Valid {
			t.Fatalf("request moved: %s v%d -> %s v%d (certificate %v)", before.State, before.Version, after.State, after.Version, after.CertificateID)
		}
		if n := countCerts(t, e.Store); n != certs {
			t.Fatalf("%d certificates recorded, want %d", n, certs)
		}
		if n := countAudit(t, e.Store, "cert.issue", store.OutcomeFailed); n != failed+1 {
			t.Fatalf("%d failed issuances audited, want %d", n, failed+1)
		}
		// Once the CA answers, the same request is issued.
		fake.signErr = nil
		if _, err := w.ra.IssueInPerson(ctx, w.agent, id, csrPEM(t, key, pkix.Name{})); err != nil {
			t.Fatalf("retry: %v", err)
		}
	})
}

// When the certificate is signed but the transaction that records it fails,
// the serial and the lint certificate stay reserved (the intent survives),
// no certificate is recorded as valid and the error is returned.
func TestIssueWhenRecordingFailsAfterSigning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		fake := &fakeBackend{inner: localSigner(t, e, w.h)}
		withBackend(t, w, fake)
		pol, _ := w.ra.Policy("jalisco")
		person := &store.Person{Data: juan}
		if err := e.Store.InTx(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, person) }); err != nil {
			t.Fatal(err)
		}
		certs, failed := countCerts(t, e.Store), countAudit(t, e.Store, "cert.issue", store.OutcomeFailed)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		_, err := w.ra.Issue(ctx, ra.IssueRequest{Actor: "test", CSR: csrPEM(t, key, pkix.Name{}), Policy: pol, Org: w.org, Person: person,
			Title: "Jefe de Departamento", OnRecorded: func(ra.Tx, *store.Certificate) error {
				return errs.New(errs.Unavailable, "the database went away")
			}})
		if !errs.Has(err, errs.Unavailable) {
			t.Fatalf("issuance whose recording fails: %v", err)
		}
		if len(fake.signed) != 1 {
			t.Fatalf("the backend signed %d certificates", len(fake.signed))
		}
		is, err := w.ra.IssuerFor("jalisco")
		if err != nil {
			t.Fatal(err)
		}
		serial := fake.signed[0].Certificate.SerialNumber
		if der, err := e.Store.LintCertificate(ctx, is.ID, serial); err != nil || len(der) == 0 {
			t.Fatalf("lint certificate of the signed serial: %v", err)
		}
		var reserved int
		if err := e.Store.DB().GetContext(ctx, &reserved, e.Store.DB().Rebind("SELECT COUNT(*) FROM serials WHERE issuer_id = ? AND serial = ?"),
			is.ID, store.SerialHex(serial)); err != nil || reserved != 1 {
			t.Fatalf("serial reserved %d times: %v", reserved, err)
		}
		if _, err := e.Store.CertificateBySerial(ctx, is.ID, store.SerialHex(serial)); !errs.Has(err, errs.NotFound) {
			t.Fatalf("the certificate is visible: %v", err)
		}
		if n := countCerts(t, e.Store); n != certs {
			t.Fatalf("%d certificates recorded, want %d", n, certs)
		}
		if n := countAudit(t, e.Store, "cert.issue", store.OutcomeFailed); n != failed+1 {
			t.Fatalf("%d failed issuances audited, want %d", n, failed+1)
		}
	})
}

// RULES P1: each policy's certificates are issued by its own issuer, whose
// name is the authority's, and recorded under that issuer's id; a policy
// whose issuer the deployment lacks is refused before anything is recorded.
func TestRule_P1_EachPolicyIssuedByItsOwnIssuer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		set, _ := policies.Builtin()
		root := w.h.RootCA()
		var issuers []*ra.Issuer
		for _, id := range []string{"jalisco", "cajamarca"} {
			pol, _ := set.Get(id)
			h, err := root.NewIssuing(e.Clock, local.HierarchyOptions{CommonName: pol.Name, Organization: pol.Name, Country: pol.Jurisdiction.Country,
				RootCRLURL: "http://firma.example.gob.mx/crl/root.crl", RootCertURL: "http://firma.example.gob.mx/ca/root.crt"})
			if err != nil {
				t.Fatal(err)
			}
			is, err := ra.NewIssuer(ctx, id, localSigner(t, e, h))
			if err != nil {
				t.Fatal(err)
			}
			issuers = append(issuers, is)
		}
		r := ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Issuers: issuers, Policies: set, PublicURL: "http://firma.example.gob.mx", Clock: e.Clock,
			Appointments: map[string]appointment.Source{"jalisco": w.hr, "cajamarca": w.hr}, AckSigner: ackSigner(t, w.h, e.Clock.Now())})
		peru := &store.Organisation{Code: "GRC", Name: "Gobierno Regional Cajamarca", PolicyID: "cajamarca"}
		zac := &store.Organisation{Code: "SEFIN-ZAC", Name: "Secretaría de Finanzas Zacatecas", PolicyID: "zacatecas"}
		if err := e.Store.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrganisation(ctx, peru); err != nil {
				return err
			}
			return tx.CreateOrganisation(ctx, zac)
		}); err != nil {
			t.Fatal(err)
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		jal, err := deskIssue(t, r, w.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe de Departamento", csrPEM(t, key, pkix.Name{}))
		if err != nil {
			t.Fatal(err)
		}
		rosa := store.PersonData{GivenNames: "Rosa", FirstSurname: "Quispe", DNI: "45678912", Email: "rosa.quispe@regioncajamarca.gob.pe"}
		key2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		// Cajamarca sends its requests in a weekly batch (RULES D5): operator
		// issuance stops at the approval, held until the batch...
		if _, err := deskIssue(t, r, w.hr, e.Clock.Now(), "GRC", rosa, "Especialista", csrPEM(t, key2, pkix.Name{})); !errs.Has(err, errs.WrongState) ||
			!strings.Contains(err.Error(), "D5") {
			t.Fatalf("operator issuance under a batch policy: %v", err)
		}
		// ...so the issuer is checked on the issuance path itself.
		pol, _ := r.Policy("cajamarca")
		person := &store.Person{Data: store.PersonData{GivenNames: "Rosa", FirstSurname: "Quispe", DNI: "45678913",
			Email: "rosa.quispe2@regioncajamarca.gob.pe"}}
		if err := e.Store.InTx(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, person) }); err != nil {
			t.Fatal(err)
		}
		issued, err := r.Issue(ctx, ra.IssueRequest{Actor: "test", CSR: csrPEM(t, key2, pkix.Name{}), Policy: pol, Org: peru, Person: person,
			Title: "Especialista"})
		if err != nil {
			t.Fatal(err)
		}
		pe := &ra.OperatorIssued{Issued: issued}
		for _, c := range []struct {
			iss    *ra.Issued
			issuer *ra.Issuer
			cn     string
		}{{jal.Issued, issuers[0], "Gobierno del Estado de Jalisco Issuing CA"}, {pe.Issued, issuers[1], "Gobierno Regional Cajamarca Issuing CA"}} {
			if c.iss.Cert.Issuer.CommonName != c.cn || c.iss.Record.IssuerID != c.issuer.ID || !c.iss.Chain[0].Equal(c.issuer.Certificate()) {
				t.Errorf("issued by %q (%s), want %q (%s)", c.iss.Cert.Issuer.CommonName, c.iss.Record.IssuerID, c.cn, c.issuer.ID)
			}
			if err := c.iss.Cert.CheckSignatureFrom(c.issuer.Certificate()); err != nil {
				t.Errorf("%s: %v", c.cn, err)
			}
			want := "http://firma.example.gob.mx/ca/" + c.issuer.Name + "/issuing.crt"
			if len(c.iss.Cert.IssuingCertificateURL) != 1 || c.iss.Cert.IssuingCertificateURL[0] != want {
				t.Errorf("caIssuers %v, want %s", c.iss.Cert.IssuingCertificateURL, want)
			}
		}
		if _, err := r.IssuerFor("zacatecas"); !errs.Has(err, errs.PolicyRefused) || !strings.Contains(err.Error(), "zacatecas") {
			t.Fatalf("IssuerFor(zacatecas) = %v", err)
		}
		agents := countAudit(t, e.Store, "agent.add", store.OutcomeOK)
		_, err = r.AddAgent(ctx, ra.CLI("test"), ra.AddAgentRequest{OrgCode: "SEFIN-ZAC", Role: store.RoleAgent, Title: "Agente",
			Person: store.PersonData{GivenNames: "Luis", FirstSurname: "Mora", CURP: "MOXL800101HZSRXS09", Email: "luis.mora@zacatecas.gob.mx"}})
		if !errs.Has(err, errs.PolicyRefused) || countAudit(t, e.Store, "agent.add", store.OutcomeOK) != agents {
			t.Fatalf("agent under a policy without issuer: %v", err)
		}
	})
}
