package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

var (
	oidCertificatePolicies = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidUserNotice          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 2}
	oidOrganizationID      = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidTitle               = asn1.ObjectIdentifier{2, 5, 4, 12}
)

// certificatePolicies reads the certificatePolicies extension (RFC 5280
// §4.2.1.4) as a relying party would: each policy OID (dotted) and its
// user notice's explicitText.
func certificatePolicies(t *testing.T, c *x509.Certificate) map[string]string {
	t.Helper()
	type qualifier struct {
		ID        asn1.ObjectIdentifier
		Qualifier asn1.RawValue
	}
	type policyInfo struct {
		ID         asn1.RawValue // a UUID arc (2.25.<128 bits>) does not fit asn1.ObjectIdentifier
		Qualifiers []qualifier   `asn1:"optional"`
	}
	out := map[string]string{}
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidCertificatePolicies) {
			continue
		}
		var infos []policyInfo
		if rest, err := asn1.Unmarshal(ext.Value, &infos); err != nil || len(rest) != 0 {
			t.Fatalf("certificatePolicies: %v", err)
		}
		if len(infos) != len(c.Policies) {
			t.Fatalf("certificatePolicies: %d entries, crypto/x509 reads %d", len(infos), len(c.Policies))
		}
		for i, pi := range infos {
			oid := c.Policies[i].String() // crypto/x509 parses arcs of any size
			out[oid] = ""
			for _, q := range pi.Qualifiers {
				if !q.ID.Equal(oidUserNotice) {
					continue
				}
				// UserNotice ::= SEQUENCE { noticeRef OPTIONAL, explicitText OPTIONAL }
				var fields []asn1.RawValue
				if _, err := asn1.Unmarshal(q.Qualifier.FullBytes, &fields); err != nil {
					t.Fatalf("userNotice: %v", err)
				}
				for _, f := range fields {
					if f.Tag == asn1.TagUTF8String {
						out[oid] = string(f.Bytes)
					}
				}
			}
		}
	}
	return out
}

func subjectAttr(c *x509.Certificate, oid asn1.ObjectIdentifier) string {
	for _, a := range c.Subject.Names {
		if a.Type.Equal(oid) {
			if s, ok := a.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// RULES P1 (Zacatecas art. 54; Tijuana art. 30-III) and P2: a certificate
// issued under each jurisdiction's policy, read back with crypto/x509,
// states that it is a certificate and its limits of use (user notice), names
// the policy, identifies the holder (name, national identifier), the entity
// and position, the jurisdiction, and is valid until the end of the
// appointment's last day in the jurisdiction's zone.
func TestRule_P1_CertificateProfiles(t *testing.T) {
	const arc = "2.25.329800735698586629295641978511506172918."
	type want struct {
		oid, orgID, serial, domain, zone string
		person                           store.PersonData
	}
	cases := map[string]want{
		"jalisco": {arc + "1.1", "GOVMX+JAL", "PNOMX-LOHM800101MJCPRR06", "jalisco.gob.mx", "America/Mexico_City",
			store.PersonData{GivenNames: "María", FirstSurname: "López", SecondSurname: "Hernández", CURP: "LOHM800101MJCPRR06", Email: "maria.lopez@jalisco.gob.mx"}},
		"zacatecas": {arc + "2.1", "GOVMX+ZAC", "PNOMX-GARC850315MZSRDR01", "zacatecas.gob.mx", "America/Mexico_City",
			store.PersonData{GivenNames: "Carmen", FirstSurname: "García", SecondSurname: "Ruiz", CURP: "GARC850315MZSRDR01", Email: "carmen.garcia@zacatecas.gob.mx"}},
		"tijuana": {arc + "3.1", "GOVMX+BCN", "PNOMX-HEGJ790704HBCRRN01", "tijuana.gob.mx", "America/Tijuana",
			store.PersonData{GivenNames: "Juan", FirstSurname: "Hernández", SecondSurname: "Gómez", CURP: "HEGJ790704HBCRRN01", RFC: "HEGJ790704AB1", Email: "juan.hernandez@tijuana.gob.mx"}},
		"chiapas": {arc + "4.1", "GOVMX+CHP", "PNOMX-RAML900220MCSMPS06", "chiapas.gob.mx", "America/Mexico_City",
			store.PersonData{GivenNames: "Lucía", FirstSurname: "Ramírez", SecondSurname: "Morales", CURP: "RAML900220MCSMPS06", Email: "lucia.ramirez@chiapas.gob.mx"}},
		"cajamarca": {arc + "5.1", "VATPE-20453744168", "PNOPE-10117410", "regioncajamarca.gob.pe", "America/Lima",
			store.PersonData{GivenNames: "Rosa", FirstSurname: "Quispe", SecondSurname: "Mamani", DNI: "10117410", Email: "rquispe@regioncajamarca.gob.pe"}},
	}
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		e.Clock.Set(time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC))
		w := newWF(t, e)
		set, err := policies.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		seenOID := map[string]string{}
		for id, c := range cases {
			pol, err := set.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			org := &store.Organisation{Code: "ORG-" + strings.ToUpper(id), Name: "Secretaría de Finanzas de " + pol.Jurisdiction.State, PolicyID: id}
			person := &store.Person{Data: c.person}
			if err := e.Store.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				return tx.CreatePerson(ctx, person)
			}); err != nil {
				t.Fatal(err)
			}
			// HR says the appointment's last day is 30 December 2026.
			lastDay := time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC)
			notAfter, err := pol.Validity(e.Clock.Now(), &policies.AppointmentFacts{State: policies.AppointmentFound, Status: "active",
				Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), End: lastDay})
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			iss, err := w.ra.Issue(ctx, ra.IssueRequest{Actor: "test", CSR: csrPEM(t, key, pkix.Name{CommonName: "x"}), Policy: pol,
				Org: org, Person: person, Title: "Directora de Área", NotAfter: notAfter})
			if err != nil {
				t.Fatalf("%s: issue: %v", id, err)
			}
			cert, err := x509.ParseCertificate(iss.Record.DER)
			if err != nil {
				t.Fatal(err)
			}
			pols := certificatePolicies(t, cert)
			notice, ok := pols[c.oid]
			if !ok || len(pols) != 1 {
				t.Errorf("%s: certificate policies %v, want only %s", id, pols, c.oid)
			}
			if prev, dup := seenOID[c.oid]; dup {
				t.Errorf("%s and %s share policy OID %s", id, prev, c.oid)
			}
			seenOID[c.oid] = id
			// Tijuana art. 30-III-a "la expresión de que tienen esa
			// naturaleza"; art. 30-III-g and Zacatecas art. 54 "límites de uso".
			lower := strings.ToLower(notice)
			if !strings.HasPrefix(lower, "certificado") {
				t.Errorf("%s: user notice %q does not state that the document is a certificate", id, notice)
			}
			if !strings.Contains(lower, "uso") && !strings.Contains(lower, "válido") {
				t.Errorf("%s: user notice %q does not state the limits of use", id, notice)
			}
			s := cert.Subject
			if s.SerialNumber != c.serial || subjectAttr(cert, oidOrganizationID) != c.orgID ||
				len(s.Organization) != 1 || s.Organization[0] != org.Name || subjectAttr(cert, oidTitle) != "Directora de Área" ||
				len(s.Country) != 1 || s.Country[0] != pol.Jurisdiction.Country || len(s.Province) != 1 || s.Province[0] != pol.Jurisdiction.State {
				t.Errorf("%s: subject %s", id, s)
			}
			if !strings.Contains(s.CommonName, strings.ToUpper(c.person.FirstSurname)) {
				t.Errorf("%s: commonName %q", id, s.CommonName)
			}
			if len(cert.EmailAddresses) != 1 || !strings.HasSuffix(cert.EmailAddresses[0], "@"+c.domain) {
				t.Errorf("%s: e-mail %v, want the institutional domain %s", id, cert.EmailAddresses, c.domain)
			}
			// RULES P2: valid until 23:59:59 local on the last day.
			loc, _ := time.LoadLocation(c.zone)
			if wantEnd := time.Date(2026, 12, 30, 23, 59, 59, 0, loc); !cert.NotAfter.Equal(wantEnd) {
				t.Errorf("%s: notAfter %s (%s local), want %s", id, cert.NotAfter.UTC(), cert.NotAfter.In(loc), wantEnd)
			}
			if max := e.Clock.Now().AddDate(0, 0, pol.Certificate.MaxValidityDays); cert.NotAfter.After(max) {
				t.Errorf("%s: notAfter beyond the policy maximum", id)
			}
		}
	})
}
