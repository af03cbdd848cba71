package ra_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca"
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
	w.ra = ra.New(ra.Config{Store: w.env.Store, Backend: signer, IssuerID: ca.IssuerID(w.h.Issuing), IssuerTag: "issuing",
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
		second := ra.Actor{Kind: ra.ActorAgent, AgentID: insertAgent(t, e.Store, w.org.ID), Role: store.RoleAgent, OrgID: w.org.ID}
		req, secrets, err = w.ra.Approve(ctx, second, f.Request.ID)
		if err != nil || req.State != ra.StateCredentialIssued || secrets == nil || req.SecondApprovedBy.Int64 != second.AgentID {
			t.Fatalf("second approval: %v %+v", err, req)
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
		if rep, _ := w.ra.RunDeadlines(ctx); len(rep.HoldsReleased) != 0 {
			t.Fatal("released before the window")
		}
		e.Clock.Set(window)
		rep, err := w.ra.RunDeadlines(ctx)
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
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, _ := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w))
		_, first, err := w.ra.Approve(ctx, w.agent, f.Request.ID)
		if err != nil || !first.ExpiresAt.Equal(e.Clock.Now().AddDate(0, 0, 30)) {
			t.Fatalf("credential expires %v, %v", first.ExpiresAt, err)
		}
		second, err := w.ra.ResendCredential(ctx, w.agent, f.Request.ID)
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
		if _, err := w.ra.ResendCredential(ctx, w.agent, f.Request.ID); !errs.Has(err, errs.WrongState) {
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
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, _ := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w))
		_, s, err := w.ra.Approve(ctx, w.agent, f.Request.ID)
		if err != nil {
			t.Fatal(err)
		}
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
