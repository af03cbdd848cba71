package ra_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

var ctx = context.Background()

func csrPEM(t testing.TB, key crypto.Signer, subject pkix.Name) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

var juan = store.PersonData{GivenNames: "Juan", FirstSurname: "Pérez", CURP: "PEXJ800101HJCRXN07", Email: "juan.perez@jalisco.gob.mx"}

func countAudit(t *testing.T, s *store.Store, action, outcome string) int {
	t.Helper()
	var n int
	if err := s.DB().GetContext(ctx, &n, s.DB().Rebind("SELECT COUNT(*) FROM audit_entries WHERE action = ? AND outcome = ?"), action, outcome); err != nil {
		t.Fatal(err)
	}
	return n
}

func countCerts(t *testing.T, s *store.Store) int {
	var n int
	s.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM certificates")
	return n
}

// The subject comes from verified data; the CSR's subject is ignored (issue #2 "Bad input").
func TestIssueIgnoresCSRSubject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		csr := csrPEM(t, key, pkix.Name{CommonName: "PRESIDENTE DE LA REPÚBLICA", Organization: []string{"Evil"}, SerialNumber: "PNOMX-XXXX"})
		iss, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe de Departamento", csr)
		if err != nil {
			t.Fatal(err)
		}
		s := iss.Cert.Subject
		if s.CommonName != "JUAN PÉREZ" || s.SerialNumber != "PNOMX-PEXJ800101HJCRXN07" || s.Organization[0] != "Secretaría de Educación Jalisco" {
			t.Fatalf("subject = %v", s)
		}
		if strings.Contains(s.String(), "Evil") || strings.Contains(s.String(), "PRESIDENTE") {
			t.Fatalf("CSR subject leaked into the certificate: %v", s)
		}
		rec, err := e.Store.CertificateBySerial(ctx, ca.IssuerID(f.h.Issuing), iss.Record.Serial)
		if err != nil || rec.Status != store.CertValid || !rec.PersonID.Valid {
			t.Fatalf("record = %+v, %v", rec, err)
		}
		if countAudit(t, e.Store, "cert.issue", store.OutcomeOK) != 1 {
			t.Fatal("no audit entry for the issuance")
		}
		// Outbox jobs were written with the certificate.
		for _, kind := range []string{ra.JobOCSPRefresh, ra.JobLDAPPublish} {
			if jobs, _ := e.Store.JobsByKind(ctx, kind); len(jobs) != 1 {
				t.Errorf("%s jobs = %d", kind, len(jobs))
			}
		}
		// RULES P2: validity capped by the policy maximum and the government's term.
		if !iss.Cert.NotAfter.After(e.Clock.Now()) || iss.Cert.NotAfter.After(e.Clock.Now().Add(730*24*time.Hour)) {
			t.Fatalf("notAfter %v", iss.Cert.NotAfter)
		}
	})
}

func TestIssueRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		good, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		goodCSR := csrPEM(t, good, pkix.Name{})
		badSig := []byte(strings.Clone(string(goodCSR)))
		blk, _ := pem.Decode(badSig)
		blk.Bytes[len(blk.Bytes)-3] ^= 0x55
		badSig = pem.EncodeToMemory(blk)
		weak, _ := rsa.GenerateKey(rand.Reader, 1024)
		p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		cases := []struct {
			name string
			csr  []byte
			want errs.Type
		}{
			{"not a CSR", []byte("hello, I am not a CSR"), errs.BadCSR},
			{"a certificate instead", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.h.Issuing.Raw}), errs.BadCSR},
			{"signature does not verify", badSig, errs.BadCSR},
			{"RSA 1024", csrPEM(t, weak, pkix.Name{}), errs.BadPublicKey},
			{"unsupported curve P-521", csrPEM(t, p521, pkix.Name{}), errs.BadPublicKey},
		}
		for i, tc := range cases {
			_, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe", tc.csr)
			if !errs.Has(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
			}
			if n := countAudit(t, e.Store, "cert.issue", store.OutcomeRefused); n != i+1 {
				t.Errorf("%s: %d refusal audit entries, want %d", tc.name, n, i+1)
			}
		}
		if n := countCerts(t, e.Store); n != 0 {
			t.Fatalf("%d certificates stored after refusals", n)
		}
		var lint int
		e.Store.DB().GetContext(ctx, &lint, "SELECT COUNT(*) FROM lint_certificates")
		if lint != 0 {
			t.Fatal("something was signed for a refused request")
		}
	})
}

// RULES S2 (duplicate private key): a key already in a valid certificate of
// another person is refused; the same person may reuse it (renewal).
func TestRule_S2_DuplicateKeyRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe", csrPEM(t, key, pkix.Name{})); err != nil {
			t.Fatal(err)
		}
		other := store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUXA900215MJCZXN06", Email: "ana.ruiz@jalisco.gob.mx"}
		_, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", other, "Analista", csrPEM(t, key, pkix.Name{}))
		if !errs.Has(err, errs.DuplicateKey) {
			t.Fatalf("duplicate key: %v", err)
		}
		if countAudit(t, e.Store, "cert.issue", store.OutcomeRefused) != 1 {
			t.Fatal("duplicate key refusal not audited")
		}
		if _, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe", csrPEM(t, key, pkix.Name{})); err != nil {
			t.Fatalf("same person, same key: %v", err)
		}
		if n := countCerts(t, e.Store); n != 2 {
			t.Fatalf("%d certificates, want 2", n)
		}
	})
}

func TestIssueRefusesBadIdentityAndSuspendedOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		csr := csrPEM(t, key, pkix.Name{})
		badCURP := juan
		badCURP.CURP = "PEXJ800101HJCRXN08" // wrong check digit
		if _, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", badCURP, "Jefe", csr); !errs.Has(err, errs.Malformed) {
			t.Fatalf("bad CURP: %v", err)
		}
		gmail := juan
		gmail.Email = "juan@gmail.com"
		if _, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", gmail, "Jefe", csr); !errs.Has(err, errs.Malformed) {
			t.Fatalf("non-institutional e-mail: %v", err)
		}
		org, _ := e.Store.OrganisationByCode(ctx, "SEP-JAL")
		e.Store.InTx(ctx, func(tx *store.Tx) error {
			return tx.SetOrganisationStatus(ctx, org.ID, store.OrgSuspended, "auditoría")
		})
		if _, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe", csr); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("suspended organisation: %v", err)
		}
		if n := countCerts(t, e.Store); n != 0 {
			t.Fatalf("%d certificates", n)
		}
	})
}

// RULES P2: the validity never exceeds the government's constitutional term.
func TestRule_P2_ValidityCappedByTerm(t *testing.T) {
	set, _ := policies.Builtin()
	p, _ := set.Get("jalisco")
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	if got := ra.Validity(p, now, time.Time{}); !got.Equal(p.TermEnd().Truncate(time.Second)) {
		t.Fatalf("validity %v, want the term end %v", got, p.TermEnd())
	}
	early := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := ra.Validity(p, early, time.Time{}); !got.Equal(early.Add(730 * 24 * time.Hour)) {
		t.Fatalf("validity %v, want the policy maximum", got)
	}
	bound := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if got := ra.Validity(p, early, bound); !got.Equal(bound) {
		t.Fatalf("validity %v, want the appointment end", got)
	}
}

// A name longer than a commonName allows is cut at a word boundary in CN and
// kept whole in givenName and surname.
func TestLongNameFitsCommonName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		long := store.PersonData{GivenNames: "María de los Ángeles Guadalupe Concepción", FirstSurname: "Fernández de la Garza",
			SecondSurname: "Rodríguez Villaseñor", CURP: "FEGA800101MJCRRN02", Email: "angeles.fernandez@jalisco.gob.mx"}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		iss, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", long, "Directora", csrPEM(t, key, pkix.Name{}))
		if err != nil {
			t.Fatal(err)
		}
		cn := iss.Cert.Subject.CommonName
		if n := len([]rune(cn)); n > 64 || !strings.HasPrefix(long.FullName(), cn) || strings.HasSuffix(cn, " ") {
			t.Fatalf("CN %q (%d)", cn, n)
		}
	})
}

// RULES G6: refusals are audited without the personal data the bad input
// carried (the audit log is kept forever).
func TestRule_G6_RefusalsAuditedWithoutPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		bad := juan
		bad.CURP = "PEXJ800101HJCRXN08"
		if _, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", bad, "Jefe", csrPEM(t, key, pkix.Name{})); !errs.Has(err, errs.Malformed) {
			t.Fatalf("bad CURP: %v", err)
		}
		// Operator issuance files a request first: the filing refuses it.
		if countAudit(t, e.Store, "enrollment.file", store.OutcomeRefused) != 1 {
			t.Fatal("the refusal was not audited")
		}
		var details []string
		e.Store.DB().SelectContext(ctx, &details, "SELECT details FROM audit_entries")
		for _, d := range details {
			if strings.Contains(d, "PEXJ") || strings.Contains(d, "800101") || strings.Contains(d, "juan.perez") {
				t.Fatalf("personal data in the audit log: %s", d)
			}
		}
	})
}
