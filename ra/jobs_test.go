package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"strings"
	"testing"

	outbox "github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/store/storetest"
)

// The jobs of an issuance decode through internal/jobs and name the
// certificate by ids: no personal data in the outbox.
func TestIssue_JobsAreTypedAndCarryIds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newWF(t, e)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		iss, err := deskIssue(t, f.ra, f.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe de Departamento", csrPEM(t, key, pkix.Name{}))
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{outbox.KindOCSPRefresh, outbox.KindLDAPPublish} {
			js, err := e.Store.JobsByKind(ctx, kind)
			if err != nil || len(js) != 1 {
				t.Fatalf("%s jobs = %d, %v", kind, len(js), err)
			}
			j, err := outbox.Decode(js[0].Kind, js[0].Payload)
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			var c outbox.Cert
			var ch outbox.Change
			switch j := j.(type) {
			case *outbox.OCSPRefresh:
				c, ch = j.Cert, j.Change
			case *outbox.LDAPPublish:
				c, ch = j.Cert, j.Change
			default:
				t.Fatalf("%s decoded as %T", kind, j)
			}
			if c.CertificateID != iss.Record.ID || c.Issuer != iss.Record.IssuerID || c.Serial != iss.Record.Serial || ch.Event != "issued" {
				t.Errorf("%s job = %+v %+v, want certificate %d", kind, c, ch, iss.Record.ID)
			}
			if js[0].DedupKey != j.DedupKey() {
				t.Errorf("stored dedup key %q, job says %q", js[0].DedupKey, j.DedupKey())
			}
			for _, pii := range []string{juan.CURP, juan.FirstSurname, juan.Email} {
				if pii != "" && strings.Contains(strings.ToUpper(string(js[0].Payload)), strings.ToUpper(pii)) {
					t.Errorf("%s payload carries personal data: %s", kind, js[0].Payload)
				}
			}
		}
	})
}
