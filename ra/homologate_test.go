package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// foreignCert has another authority (its own hierarchy and signer, recording
// in a throwaway store) issue a certificate for d.
func foreignCert(t *testing.T, e *storetest.Env, name string, d store.PersonData) (*local.Hierarchy, []byte) {
	t.Helper()
	h, err := local.GenerateHierarchy(e.Clock, local.HierarchyOptions{CommonName: name, Organization: name, Country: "MX",
		RootCRLURL: "http://otra.example.gob.mx/crl/root.crl", RootCertURL: "http://otra.example.gob.mx/ca/root.crt"})
	if err != nil {
		t.Fatal(err)
	}
	other := storetest.Open(t, store.SQLite)
	signer, err := local.New(local.Config{Issuer: h.Issuing, Key: h.IssuingKey, Chain: h.Chain, Store: other.Store, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	csr, _ := x509.ParseCertificateRequest(der)
	set, _ := policies.Builtin()
	pol, _ := set.Get("zacatecas")
	iss, err := signer.Sign(ctx, ca.SignRequest{CSR: csr, Subject: ca.Subject{CommonName: d.FullName(), SerialNumber: "PNOMX-" + d.CURP,
		Organization: "Gobierno de Otra Entidad", Country: "MX"}, Emails: []string{d.Email},
		NotBefore: e.Clock.Now().Add(-time.Hour), NotAfter: e.Clock.Now().AddDate(1, 0, 0), Profile: pol.Profile("http://otra.example.gob.mx", "issuing")})
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.DER})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.Issuing.Raw})...)
	return h, out
}

// RULES O4: a certificate from another authority is registered after it is
// validated electronically and the holder's data are provided.
func TestRule_O4_Homologation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		ana := store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUXA900215MJCZXN06", Email: "ana.ruiz@jalisco.gob.mx"}
		trusted, cert := foreignCert(t, e, "Autoridad Certificadora de Otra Entidad", ana)
		_, untrusted := foreignCert(t, e, "Autoridad Desconocida", ana)
		roots := x509.NewCertPool()
		roots.AddCert(trusted.Root)
		set, _ := policies.Builtin()
		r := ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Policies: set, Clock: e.Clock, HomologationRoots: roots,
			AckSigner: ackSigner(t, w.h, e.Clock.Now())})
		req := ra.HomologationRequest{OrgCode: "SEP-JAL", Person: ana, Title: "Analista", Certificate: cert}

		if _, err := r.Homologate(ctx, w.agent, ra.HomologationRequest{OrgCode: "SEP-JAL", Person: ana, Certificate: untrusted}); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("untrusted authority: %v", err)
		}
		wrong := ana
		wrong.CURP = "LOHM800101MJCPRR06"
		if _, err := r.Homologate(ctx, w.agent, ra.HomologationRequest{OrgCode: "SEP-JAL", Person: wrong, Certificate: cert}); !errs.Has(err, errs.Malformed) {
			t.Fatalf("holder data that do not match: %v", err)
		}
		if _, err := r.Homologate(ctx, w.other, req); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("agent of another organisation: %v", err)
		}
		rec, err := r.Homologate(ctx, w.agent, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Store.Certificate(ctx, rec.ID)
		if err != nil || got.Origin != "homologated" || got.Status != store.CertValid || !got.PersonID.Valid {
			t.Fatalf("registered %+v %v", got, err)
		}
		if _, err := r.Homologate(ctx, w.agent, req); !errs.Has(err, errs.Conflict) {
			t.Fatalf("registered twice: %v", err)
		}
		// An expired certificate does not validate (checked before anything else).
		e.Clock.Add(400 * 24 * time.Hour)
		if _, err := r.Homologate(ctx, w.agent, req); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("an expired certificate: %v", err)
		}
		e.Clock.Add(-400 * 24 * time.Hour)
		// Its status can then be changed like any other (RULES S4).
		if _, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: rec.ID, Kind: ra.ChangeRevoke, ReasonID: "key_compromise",
			Identifier: ana.CURP, Requester: ra.ByHolder, Address: "Av. Hidalgo 400, Guadalajara"}); err != nil {
			t.Fatalf("revoking a homologated certificate: %v", err)
		}
	})
}
