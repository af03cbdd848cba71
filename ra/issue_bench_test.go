package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"sync/atomic"
	"testing"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// BenchmarkIssue measures issuance end to end inside the RA: CSR parse and
// proof of possession, key checks, the duplicate-key lookup, serial
// reservation, the lint certificate (zlint) and the real signature, and the
// transaction that records the certificate, its audit entry and its outbox
// jobs. Run with -cpu to vary concurrency; see BENCHMARKS.md.
func BenchmarkIssue(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			e := storetest.Open(b, d)
			h, err := local.GenerateHierarchy(e.Clock, local.HierarchyOptions{CommonName: "Bench", Organization: "Bench", Country: "MX",
				RootCRLURL: "http://x.example/crl/root.crl", RootCertURL: "http://x.example/ca/root.crt"})
			if err != nil {
				b.Fatal(err)
			}
			signer, _ := local.New(local.Config{Issuer: h.Issuing, Key: h.IssuingKey, Chain: h.Chain, Store: e.Store, Clock: e.Clock})
			set, _ := policies.Builtin()
			pol, _ := set.Get("jalisco")
			r := ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Issuers: testIssuers(b, set, signer), Policies: set,
				PublicURL: "http://x.example", Clock: e.Clock})
			org := &store.Organisation{Code: "SEP-JAL", Name: "Secretaría de Educación Jalisco", PolicyID: "jalisco"}
			person := &store.Person{Data: maria}
			e.Store.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				return tx.CreatePerson(ctx, person)
			})
			csrs := make([][]byte, b.N)
			for i := range csrs {
				key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				csrs[i] = csrPEM(b, key, pkix.Name{})
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					if _, err := r.Issue(ctx, ra.IssueRequest{Actor: "bench", CSR: csrs[i], Policy: pol, Org: org, Person: person, Title: "Jefa"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certs/s")
		})
	}
}
