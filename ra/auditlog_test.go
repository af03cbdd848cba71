package ra_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// roleActors are hand-built actors of each role of w's organisation.
func roleActors(w *wf) (admin, auditor, hr ra.Actor) {
	mk := func(role string) ra.Actor {
		return ra.Actor{Kind: ra.ActorAgent, AgentID: w.agent.AgentID, Role: role, OrgID: w.org.ID}
	}
	return mk(store.RoleAdmin), mk(store.RoleAuditor), mk(store.RoleHR)
}

// assertRefused checks that err is Forbidden and that the refusal added
// exactly one refused audit entry under action.
func assertRefused(t *testing.T, e *storetest.Env, who string, err error, action string, before int) int {
	t.Helper()
	if !errs.Has(err, errs.Forbidden) {
		t.Errorf("%s: %v, want Forbidden", who, err)
	}
	n := countAudit(t, e.Store, action, store.OutcomeRefused)
	if n != before+1 {
		t.Errorf("%s: %d refusals audited under %s, want %d", who, n, action, before+1)
	}
	return n
}

// RULES O2: the audit log is verified by those who answer for the whole
// registry's record (administrators, auditors, the console and the
// system), never by a registration agent or an HR client; a refusal is
// audited once.
func TestRule_O2_AuditLogVerifiedByAdminsAndAuditorsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		admin, auditor, hr := roleActors(w)
		keys := []crypto.PublicKey{e.Key.Public()}
		refused := 0
		for _, c := range []struct {
			who string
			a   ra.Actor
		}{{"agent", w.agent}, {"hr", hr}} {
			rep, err := w.ra.VerifyAudit(ctx, c.a, model.AuditVerify{Keys: keys})
			if rep != nil {
				t.Errorf("%s got a report", c.who)
			}
			refused = assertRefused(t, e, c.who, err, "audit.verify", refused)
		}
		for _, c := range []struct {
			who string
			a   ra.Actor
		}{{"auditor", auditor}, {"admin", admin}, {"console", ra.CLI("test")}, {"system", ra.System("test")}} {
			var last int64
			rep, err := w.ra.VerifyAudit(ctx, c.a, model.AuditVerify{Keys: keys, Progress: func(done, _ int64) { last = done }})
			if err != nil {
				t.Fatalf("%s: %v", c.who, err)
			}
			if rep.Problem != nil || rep.Entries == 0 || rep.Entries != rep.Head || last != rep.Entries {
				t.Errorf("%s: report %+v (progress %d), want an intact chain of the refusals' entries", c.who, rep, last)
			}
		}
	})
}

// RULES O2: signed checkpoints are written by administrators, the console
// and the system; agents, auditors (who only read) and HR clients are
// refused, and each refusal is audited once.
func TestRule_O2_CheckpointByAdministratorsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		admin, auditor, hr := roleActors(w)
		refused := 0
		for _, c := range []struct {
			who string
			a   ra.Actor
		}{{"agent", w.agent}, {"auditor", auditor}, {"hr", hr}} {
			wrote, err := w.ra.Checkpoint(ctx, c.a)
			if wrote {
				t.Errorf("%s wrote a checkpoint", c.who)
			}
			refused = assertRefused(t, e, c.who, err, "audit.checkpoint", refused)
		}
		if _, err := w.ra.Checkpoint(ctx, admin); err != nil {
			t.Fatalf("admin: %v", err)
		}
		// The admin's checkpoint covers the tip: nothing is left to seal.
		for _, a := range []ra.Actor{ra.CLI("test"), ra.System("serve")} {
			if wrote, err := w.ra.Checkpoint(ctx, a); err != nil || wrote {
				t.Errorf("%s: wrote %v, %v; want nothing new to checkpoint", a, wrote, err)
			}
		}
		rep, err := w.ra.VerifyAudit(ctx, ra.CLI("test"), model.AuditVerify{Keys: []crypto.PublicKey{e.Key.Public()},
			CheckState: true, State: e.Signed.Last(), Heads: e.Signed.All(), Every: 5})
		if err != nil || rep.Problem != nil || rep.Checkpoints == 0 || rep.Tail != 0 || rep.StateSeq != rep.Head {
			t.Errorf("after the checkpoint: %+v, %v", rep, err)
		}
	})
}

// Re-keying the audit chain is for the server itself (init and serve, when
// they create the chain key) and the console; anyone else is refused and
// the refusal audited once. A chain already keyed is left alone.
func TestAuditRekeyBySystemAndConsoleOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		admin, auditor, _ := roleActors(w)
		keys := []crypto.PublicKey{e.Key.Public()}
		refused := 0
		for _, c := range []struct {
			who string
			a   ra.Actor
		}{{"agent", w.agent}, {"auditor", auditor}, {"admin", admin}} {
			done, err := w.ra.RekeyAudit(ctx, c.a, keys)
			if done {
				t.Errorf("%s re-keyed the audit log", c.who)
			}
			refused = assertRefused(t, e, c.who, err, "audit.rekey", refused)
		}
		for _, a := range []ra.Actor{ra.System("init"), ra.CLI("test")} {
			if done, err := w.ra.RekeyAudit(ctx, a, keys); err != nil || done {
				t.Errorf("%s: %v, %v; want nothing to re-key in a keyed chain", a, done, err)
			}
		}
	})
}

// The HTTPS server's certificate is recorded by the server (or the
// console) only: serial reserved under the root, certificate recorded, and
// one "tls.issue" entry naming the system actor.
func TestServerCertificateRecordedOnlyByTheSystem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		admin, _, _ := roleActors(w)
		der, _, err := w.h.RootCA().IssueTLSServer(e.Clock, []string{"firma.example.gob.mx"}, nil, 398*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		rootID := ca.IssuerID(w.h.Root)
		names := []string{"firma.example.gob.mx"}
		refused := 0
		for _, c := range []struct {
			who string
			a   ra.Actor
		}{{"agent", w.agent}, {"admin", admin}} {
			err := w.ra.RecordServerCertificate(ctx, c.a, rootID, der, names)
			refused = assertRefused(t, e, c.who, err, "tls.issue", refused)
		}
		if n := countCerts(t, e.Store); n != 0 {
			t.Fatalf("%d certificates recorded by refused calls", n)
		}
		if err := w.ra.RecordServerCertificate(ctx, ra.System("serve"), rootID, der, names); err != nil {
			t.Fatal(err)
		}
		rec, err := e.Store.CertificateBySerial(ctx, rootID, store.SerialHex(cert.SerialNumber))
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.DER) != string(der) || !rec.NotAfter.Equal(cert.NotAfter) {
			t.Errorf("recorded %+v", rec)
		}
		if n := countAudit(t, e.Store, "tls.issue", store.OutcomeOK); n != 1 {
			t.Errorf("%d tls.issue entries, want 1", n)
		}
		// The serial was reserved: the same certificate cannot be recorded twice.
		if err := w.ra.RecordServerCertificate(ctx, ra.System("serve"), rootID, der, names); err == nil {
			t.Error("the same server certificate was recorded twice")
		}
	})
}

// RULES O2: the registry's statistics are read by administrators, auditors,
// the console and the system; certificates are counted under their
// issuer's name, and under the store's issuer id when no issuer of the
// deployment signed them (the HTTPS server's certificate, signed by the root).
func TestRule_O2_StatisticsByIssuerForAdminsAndAuditorsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		_, auditor, _ := roleActors(w)
		set, _ := policies.Builtin()
		jal, err := ra.NewIssuer(ctx, "jalisco", localSigner(t, e, w.h))
		if err != nil {
			t.Fatal(err)
		}
		r := ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Issuers: []*ra.Issuer{jal}, Policies: set, PublicURL: "http://firma.example.gob.mx", Clock: e.Clock,
			Appointments: map[string]appointment.Source{"jalisco": w.hr}, AckSigner: ackSigner(t, w.h, e.Clock.Now())})
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := deskIssue(t, r, w.hr, e.Clock.Now(), "SEP-JAL", juan, "Jefe de Departamento", csrPEM(t, key, pkix.Name{})); err != nil {
			t.Fatal(err)
		}
		der, _, err := w.h.RootCA().IssueTLSServer(e.Clock, []string{"firma.example.gob.mx"}, nil, 398*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		rootID := ca.IssuerID(w.h.Root)
		if err := r.RecordServerCertificate(ctx, ra.System("serve"), rootID, der, nil); err != nil {
			t.Fatal(err)
		}

		st, err := r.Stats(ctx, w.agent)
		if st != nil {
			t.Error("an agent got the statistics")
		}
		assertRefused(t, e, "agent", err, "stats.read", 0)

		st, err = r.Stats(ctx, auditor)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range st.Certificates {
			got[c.Issuer+"/"+c.Status] += c.Count
		}
		want := map[string]int{"jalisco/" + store.CertValid: 1, rootID + "/" + store.CertValid: 1}
		if len(got) != len(want) || got["jalisco/valid"] != 1 || got[rootID+"/valid"] != 1 {
			t.Errorf("certificates by issuer %v, want %v", got, want)
		}
		jobs, _ := e.Store.PendingJobs(ctx)
		reqs, _, _ := e.Store.Counts(ctx)
		if len(st.PendingJobs) == 0 || len(st.PendingJobs) != len(jobs) || len(st.Requests) != len(reqs) {
			t.Errorf("pending jobs %v, requests %v; the store says %v, %v", st.PendingJobs, st.Requests, jobs, reqs)
		}
		for k, v := range jobs {
			if st.PendingJobs[k] != v {
				t.Errorf("pending %s jobs: %d, want %d", k, st.PendingJobs[k], v)
			}
		}
	})
}
