package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// withPolicy rebuilds the fixture's RA with jalisco.yaml changed by one
// textual replacement.
func withPolicy(t *testing.T, w *wf, old, new string) {
	t.Helper()
	files, _ := policies.BuiltinFiles()
	src := string(files["jalisco.yaml"])
	if !strings.Contains(src, old) {
		t.Fatalf("jalisco.yaml has no %q", old)
	}
	p, err := policies.Parse("jalisco.yaml", []byte(strings.Replace(src, old, new, 1)))
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := local.New(local.Config{Issuer: w.h.Issuing, Key: w.h.IssuingKey, Chain: w.h.Chain, Store: w.env.Store, Clock: w.env.Clock})
	w.ra = ra.New(ra.Config{Store: ra.Bind[*store.Tx](w.env.Store), Issuers: testIssuers(t, policies.Set{"jalisco": p}, signer),
		Policies: policies.Set{"jalisco": p}, PublicURL: "http://firma.example.gob.mx", Clock: w.env.Clock,
		Appointments: map[string]appointment.Source{"jalisco": w.hr}, AckSigner: ackSigner(t, w.h, w.env.Clock.Now())})
}

// Four-eyes (issue #4): where the policy says so, a second, different agent
// confirms the approval.
func TestFourEyesApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		withPolicy(t, w, "four_eyes: false", "four_eyes: true")
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w))
		req, secrets, err := w.ra.Approve(ctx, w.agent, f.Request.ID)
		if err != nil || req.State != ra.StateInReview || secrets != nil || !req.ApprovedBy.Valid {
			t.Fatalf("first approval: %v %s", err, req.State)
		}
		if _, _, err := w.ra.Approve(ctx, w.agent, f.Request.ID); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("the same agent twice: %v", err)
		}
		if _, _, err := w.ra.Approve(ctx, ra.CLI("operador"), f.Request.ID); !errs.Has(err, errs.Forbidden) {
			t.Fatalf("the console under four-eyes: %v", err)
		}
		second := ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, w.org.ID), Role: store.RoleAgent, OrgID: w.org.ID}
		// New data after the first approval: the second agent's approval is
		// now a first one, to be confirmed by someone else.
		if _, err := w.ra.Confirm(ctx, w.agent, f.Request.ID, ra.Confirm{PaymentReceipt: "BN-1"}); err != nil {
			t.Fatal(err)
		}
		if req, _, err := w.ra.Approve(ctx, second, f.Request.ID); err != nil || req.State != ra.StateInReview || req.ApprovedBy.Int64 != second.AgentID {
			t.Fatalf("approval after a change: %v %+v", err, req)
		}
		req, secrets, err = w.ra.Approve(ctx, w.agent, f.Request.ID)
		if err != nil || req.State != ra.StateCredentialIssued || secrets == nil || req.SecondApprovedBy.Int64 != w.agent.AgentID {
			t.Fatalf("confirmation by the other agent: %v %+v", err, req)
		}
	})
}

// RULES D5: a renewal filed more than the window before the current
// certificate expires is held until the window opens; the scheduler then
// issues the credential.
func TestRule_D5_EarlyRenewalHeldUntilWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		certID := issued(t, w)
		c, _ := e.Store.Certificate(ctx, certID)
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "renewal", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w))
		req, secrets, err := w.ra.Approve(ctx, w.agent, f.Request.ID)
		window := c.NotAfter.AddDate(0, 0, -30) // jalisco: renewal.window_days 30
		if err != nil || req.State != ra.StateApproved || secrets != nil || !req.HoldUntil.Time.Equal(window) {
			t.Fatalf("early renewal: %v state %s hold %v, want held until %v", err, req.State, req.HoldUntil.Time, window)
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := w.ra.IssueInPerson(ctx, w.agent, f.Request.ID, csrPEM(t, key, pkix.Name{})); !errs.Has(err, errs.WrongState) {
			t.Fatalf("issued during the hold: %v", err)
		}
		e.Clock.Set(window.Add(-time.Minute))
		if rep, _ := w.ra.RunDeadlines(ctx, ra.System("scheduler")); len(rep.HoldsReleased) != 0 {
			t.Fatal("released before the window")
		}
		e.Clock.Set(window)
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.HoldsReleased) != 1 {
			t.Fatalf("at the window: %+v %v", rep, err)
		}
		got, _ := w.ra.Load(ctx, w.agent, f.Request.ID)
		if got.State != ra.StateCredentialIssued {
			t.Fatalf("after the window: %s", got.State)
		}
	})
}

// RULES D6: the credential lives 30 days and can be resent while alive; a
// certificate is resent only within 7 days of its generation.
func TestRule_D6_CredentialLifetimeAndResendWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id, first := approved(t, w, maria)
		if !first.ExpiresAt.Equal(e.Clock.Now().AddDate(0, 0, 30)) {
			t.Fatalf("credential expires %v", first.ExpiresAt)
		}
		second, err := w.ra.ResendCredential(ctx, w.agent, id)
		if err != nil || second.ESTUser == first.ESTUser {
			t.Fatalf("resend: %v", err)
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		csr := csrPEM(t, key, pkix.Name{})
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, first.ESTUser, first.ESTPassword, csr); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("the replaced credential still works: %v", err)
		}
		e.Clock.Add(31 * 24 * time.Hour)
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, second.ESTUser, second.ESTPassword, csr); !errs.Has(err, errs.Unauthorized) {
			t.Fatalf("an expired credential works: %v", err)
		}
		if _, err := w.ra.ResendCredential(ctx, w.agent, id); !errs.Has(err, errs.WrongState) {
			t.Fatalf("resending an expired credential: %v", err)
		}

		certID := issued(t, w)
		c, _ := e.Store.Certificate(ctx, certID)
		e.Clock.Set(c.IssuedAt.AddDate(0, 0, 7).Add(-time.Minute))
		if err := w.ra.ResendCertificate(ctx, w.agent, c.EnrollmentID.Int64); err != nil {
			t.Fatalf("resend within 7 days: %v", err)
		}
		e.Clock.Set(c.IssuedAt.AddDate(0, 0, 7))
		if err := w.ra.ResendCertificate(ctx, w.agent, c.EnrollmentID.Int64); !errs.Has(err, errs.WrongState) {
			t.Fatalf("resend after 7 days: %v", err)
		}
	})
}

// A one-time credential is claimed before anything is signed: of two
// concurrent redemptions exactly one gets a certificate, and a redemption
// that fails (a bad CSR) leaves the credential usable.
func TestCredentialClaimedBeforeSigning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		_, s := approved(t, w, maria)
		if _, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, s.ESTUser, s.ESTPassword, []byte("not a CSR")); !errs.Has(err, errs.BadCSR) {
			t.Fatalf("bad CSR: %v", err)
		}
		results := make(chan error, 2)
		for i := 0; i < 2; i++ {
			go func() {
				key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				_, err := w.ra.RedeemCredential(ctx, ra.CredentialEST, s.ESTUser, s.ESTPassword, csrPEM(t, key, pkix.Name{}))
				results <- err
			}()
		}
		ok, refused := 0, 0
		for i := 0; i < 2; i++ {
			if err := <-results; err == nil {
				ok++
			} else if errs.Has(err, errs.Unauthorized) {
				refused++
			} else {
				t.Errorf("unexpected: %v", err)
			}
		}
		var lint, certs int
		e.Store.DB().GetContext(ctx, &lint, "SELECT COUNT(*) FROM lint_certificates")
		e.Store.DB().GetContext(ctx, &certs, "SELECT COUNT(*) FROM certificates")
		if ok != 1 || refused != 1 || lint != 1 || certs != 1 {
			t.Fatalf("ok %d refused %d, lint certificates %d, certificates %d: want one of each", ok, refused, lint, certs)
		}
	})
}

// Many agents confirming at once never exhaust the connection pool: reads
// inside a transaction use that transaction's connection (the review found
// 32 concurrent confirmations hung for good on PostgreSQL and stalled SQLite).
func TestConcurrentTransitionsDoNotDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		const n = 24
		ids := make([]int64, n)
		for i := range ids {
			f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = f.Request.ID
		}
		done := make(chan error, n)
		for _, id := range ids {
			go func(id int64) {
				_, err := w.ra.Confirm(ctx, w.agent, id, allIn(w))
				done <- err
			}(id)
		}
		timeout := time.After(60 * time.Second)
		for i := 0; i < n; i++ {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("confirm: %v", err)
				}
			case <-timeout:
				t.Fatalf("only %d of %d concurrent confirmations finished in 60 s: the pool is deadlocked", i, n)
			}
		}
	})
}

// Folios are numbered by the year in the jurisdiction's time zone: a
// suspension on 31 December at 20:00 in Mexico City (1 January in UTC)
// belongs to that year's series.
func TestFolioYearIsLocal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		id := issued(t, w)
		mx, _ := time.LoadLocation("America/Mexico_City")
		e.Clock.Set(time.Date(2026, 12, 31, 20, 0, 0, 0, mx))
		res, err := w.ra.ChangeStatus(ctx, w.agent, ra.StatusInput{CertificateID: id, Kind: ra.ChangeSuspend, ReasonID: "possible_compromise",
			Identifier: maria.CURP, Requester: ra.ByHolder})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Request.Folio, "-SUS-2026-") {
			t.Fatalf("folio %s", res.Request.Folio)
		}
	})
}
