package store_test

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

var ctx = context.Background()

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		applied, err := e.Store.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestOrganisationsAndAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		o := &store.Organisation{Code: "SEP-JAL", Name: "Secretaría de Educación Jalisco", PolicyID: "jalisco"}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, o) }); err != nil {
			t.Fatal(err)
		}
		if o.ID == 0 || o.Status != store.OrgAccredited {
			t.Fatalf("org = %+v", o)
		}
		dup := &store.Organisation{Code: "SEP-JAL", Name: "x", PolicyID: "jalisco"}
		err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, dup) })
		if !errs.Has(err, errs.Conflict) {
			t.Fatalf("duplicate org code: %v, want conflict", err)
		}
		got, err := s.OrganisationByCode(ctx, "SEP-JAL")
		if err != nil || got.Name != o.Name || !got.CreatedAt.Equal(o.CreatedAt) {
			t.Fatalf("OrganisationByCode = %+v, %v (want created %v)", got, err, o.CreatedAt)
		}
		if _, err := s.OrganisationByCode(ctx, "NOPE"); !errs.Has(err, errs.NotFound) {
			t.Fatalf("missing org: %v", err)
		}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.SetOrganisationStatus(ctx, o.ID, store.OrgSuspended, "auditoría") }); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Organisation(ctx, o.ID); got.Status != store.OrgSuspended || got.StatusReason != "auditoría" {
			t.Fatalf("status = %+v", got)
		}

		p := &store.Person{Data: store.PersonData{GivenNames: "María Guadalupe", FirstSurname: "López", SecondSurname: "Hernández",
			CURP: "LOHM800101MJCPRR06", Email: "maria.lopez@jalisco.gob.mx"}}
		a := &store.Agent{Role: "agent", Title: "Agente registrador"}
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			a.OrgID, a.PersonID = o.ID, p.ID
			return tx.CreateAgent(ctx, a)
		}); err != nil {
			t.Fatal(err)
		}
		if p.DisplayName != "MARÍA GUADALUPE LÓPEZ HERNÁNDEZ" {
			t.Fatalf("display name %q", p.DisplayName)
		}
		bad := &store.Agent{OrgID: o.ID, PersonID: p.ID, Role: "root"}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAgent(ctx, bad) }); !errs.Has(err, errs.Malformed) {
			t.Fatalf("bad role: %v", err)
		}
		// Personal data is sealed: the CURP and e-mail never appear in the row.
		var raw []byte
		if err := s.DB().GetContext(ctx, &raw, s.DB().Rebind("SELECT pii FROM people WHERE id = ?"), p.ID); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("LOHM800101")) || bytes.Contains(raw, []byte("maria.lopez")) {
			t.Fatal("personal data stored in clear")
		}
		found, err := s.PeopleByIdentifier(ctx, "curp", "lohm800101mjcprr06 ")
		if err != nil || len(found) != 1 || found[0].Data.Email != "maria.lopez@jalisco.gob.mx" {
			t.Fatalf("PeopleByIdentifier = %+v, %v", found, err)
		}
		agents, err := s.ListAgents(ctx, o.ID)
		if err != nil || len(agents) != 1 || agents[0].Role != "agent" {
			t.Fatalf("ListAgents = %+v, %v", agents, err)
		}
	})
}

func TestSerialsAndCertificates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		serial := new(big.Int).SetBytes([]byte{0x7f, 1, 2, 3, 4, 5, 6, 7, 8})
		na := e.Clock.Now().Add(365 * 24 * time.Hour)
		if err := s.ReserveSerial(ctx, "issuer1", serial, na); err != nil {
			t.Fatal(err)
		}
		if err := s.ReserveSerial(ctx, "issuer1", serial, na); !errs.Has(err, errs.Conflict) {
			t.Fatalf("second reservation: %v, want conflict", err)
		}
		if err := s.ReserveSerial(ctx, "issuer2", serial, na); err != nil {
			t.Fatalf("same serial, other issuer: %v", err)
		}
		if err := s.SaveLintCertificate(ctx, "issuer1", serial, []byte{0x30, 0x01}); err != nil {
			t.Fatal(err)
		}
		if der, err := s.LintCertificate(ctx, "issuer1", serial); err != nil || !bytes.Equal(der, []byte{0x30, 0x01}) {
			t.Fatalf("lint cert = %x, %v", der, err)
		}
		c := &store.Certificate{IssuerID: "issuer1", Serial: store.SerialHex(serial), Subject: "CN=X", KeyFingerprint: "k1",
			CertFingerprint: "c1", NotBefore: e.Clock.Now(), NotAfter: na, DER: []byte{0x30}}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertCertificate(ctx, c) }); err != nil {
			t.Fatal(err)
		}
		unreserved := &store.Certificate{IssuerID: "issuer1", Serial: "abc", Subject: "CN=Y", KeyFingerprint: "k2",
			CertFingerprint: "c2", NotBefore: e.Clock.Now(), NotAfter: na, DER: []byte{0x30}}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertCertificate(ctx, unreserved) }); err == nil {
			t.Fatal("certificate with an unreserved serial was stored")
		}
		got, err := s.CertificateBySerial(ctx, "issuer1", strings.ToUpper(c.Serial))
		if err != nil || got.Status != store.CertValid || !got.NotAfter.Equal(c.NotAfter) {
			t.Fatalf("CertificateBySerial = %+v, %v", got, err)
		}
		dups, err := s.UnexpiredCertificatesWithKey(ctx, "k1", e.Clock.Now())
		if err != nil || len(dups) != 1 {
			t.Fatalf("key lookup = %d, %v", len(dups), err)
		}
		if dups, _ := s.UnexpiredCertificatesWithKey(ctx, "k1", na.Add(time.Second)); len(dups) != 0 {
			t.Fatal("an expired certificate counted as a duplicate key")
		}
	})
}

func TestOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		for i := 0; i < 2; i++ { // the same dedup key twice adds one job
			var added bool
			if err := s.InTx(ctx, func(tx *store.Tx) error {
				var err error
				added, err = tx.Enqueue(ctx, "ldap.publish", "cert:1:issued", []byte(`{"cert":1}`))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if added != (i == 0) {
				t.Fatalf("enqueue %d added=%v", i, added)
			}
		}
		jobs, err := s.Claim(ctx, "ldap.publish", 10, time.Minute)
		if err != nil || len(jobs) != 1 || jobs[0].Attempts != 1 {
			t.Fatalf("claim = %+v, %v", jobs, err)
		}
		if again, _ := s.Claim(ctx, "ldap.publish", 10, time.Minute); len(again) != 0 {
			t.Fatal("a leased job was claimed twice")
		}
		if err := s.Retry(ctx, jobs[0], errors.New("ldap down"), 30*time.Second, 3); err != nil {
			t.Fatal(err)
		}
		if early, _ := s.Claim(ctx, "ldap.publish", 10, time.Minute); len(early) != 0 {
			t.Fatal("claimed before its backoff elapsed")
		}
		e.Clock.Add(31 * time.Second)
		jobs, _ = s.Claim(ctx, "ldap.publish", 10, time.Minute)
		if len(jobs) != 1 || jobs[0].Attempts != 2 || jobs[0].LastError != "ldap down" {
			t.Fatalf("retry claim = %+v", jobs)
		}
		if err := s.Complete(ctx, jobs[0].ID); err != nil {
			t.Fatal(err)
		}
		all, _ := s.JobsByKind(ctx, "ldap.publish")
		if len(all) != 1 || all[0].State != store.JobDone || all[0].DoneAt == nil {
			t.Fatalf("jobs = %+v", all)
		}
		// A job that keeps failing becomes dead, not lost.
		s.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Enqueue(ctx, "mail", "m1", []byte("{}")); return err })
		for i := 0; i < 3; i++ {
			e.Clock.Add(time.Hour)
			js, _ := s.Claim(ctx, "mail", 1, time.Minute)
			if len(js) != 1 {
				t.Fatalf("attempt %d: no job", i)
			}
			s.Retry(ctx, js[0], errors.New("smtp down"), time.Minute, 3)
		}
		all, _ = s.JobsByKind(ctx, "mail")
		if all[0].State != store.JobDead || all[0].Attempts != 3 {
			t.Fatalf("after 3 failures: %+v", all[0])
		}
	})
}

// appendN writes n audit entries.
func appendN(t *testing.T, s *store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := s.Audit(ctx, store.Event{Actor: "cli", Action: "test.event", Object: fmt.Sprintf("obj:%d", i), Outcome: store.OutcomeOK,
			Details: map[string]any{"i": i}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(db *store.Store) error
		seq    int64
		kind   string
	}{
		{"altered", func(s *store.Store) error {
			return execQ(s, "UPDATE audit_entries SET object = 'obj:forged' WHERE seq = 4")
		}, 4, "altered"},
		{"altered-time", func(s *store.Store) error {
			return execQ(s, "UPDATE audit_entries SET actor = 'admin:evil' WHERE seq = 7")
		}, 7, "altered"},
		{"deleted", func(s *store.Store) error { return execQ(s, "DELETE FROM audit_entries WHERE seq = 6") }, 6, "missing"},
		{"reordered", func(s *store.Store) error {
			// swap the contents of entries 3 and 4, keeping the sequence numbers
			if err := execQ(s, "UPDATE audit_entries SET seq = 1000 WHERE seq = 3"); err != nil {
				return err
			}
			if err := execQ(s, "UPDATE audit_entries SET seq = 3 WHERE seq = 4"); err != nil {
				return err
			}
			return execQ(s, "UPDATE audit_entries SET seq = 4 WHERE seq = 1000")
		}, 3, "inserted-or-reordered"},
		{"inserted", func(s *store.Store) error {
			// shift 5.. up by one and put a forged entry at 5 that claims to follow 4
			if err := execQ(s, "UPDATE audit_entries SET seq = seq + 100 WHERE seq >= 5"); err != nil {
				return err
			}
			if err := execQ(s, "UPDATE audit_entries SET seq = seq - 99 WHERE seq >= 105"); err != nil {
				return err
			}
			return execQ(s, "INSERT INTO audit_entries (seq, at, actor, action, object, outcome, details, prev_hash, hash) SELECT 5, at, actor, 'forged', object, outcome, details, hash, hash FROM audit_entries WHERE seq = 4")
		}, 5, "altered"},
		{"truncated", func(s *store.Store) error { return execQ(s, "DELETE FROM audit_entries WHERE seq >= 11") }, 11, "truncated"},
	}
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				env := storetest.Open(t, e.Store.Dialect())
				appendN(t, env.Store, 12)
				keys := []crypto.PublicKey{env.Key.Public()}
				rep, err := env.Store.VerifyAudit(ctx, keys, nil)
				if err != nil || rep.Problem != nil || rep.Entries != 12 || rep.Checkpoints != 2 {
					t.Fatalf("before tampering: %+v, %v", rep, err)
				}
				if err := tc.tamper(env.Store); err != nil {
					t.Fatal(err)
				}
				rep, err = env.Store.VerifyAudit(ctx, keys, nil)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Problem == nil {
					t.Fatal("tampering not detected")
				}
				if rep.Problem.Seq != tc.seq || rep.Problem.Kind != tc.kind {
					t.Fatalf("problem = %+v, want entry %d %s", rep.Problem, tc.seq, tc.kind)
				}
			})
		}
	})
}

// A forger who holds the chain key and recomputes the whole chain after
// editing entry 2 (and fixes the head) is still caught by the signed
// checkpoint at entry 5.
func TestAuditCheckpointCatchesRewrittenChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		appendN(t, e.Store, 6)
		// a chain with entry 2 changed, recomputed honestly under the same key
		forger := storetest.Open(t, e.Store.Dialect(), store.WithChainKey(e.ChainKey))
		for i := 0; i < 6; i++ {
			obj := fmt.Sprintf("obj:%d", i)
			if i == 1 {
				obj = "obj:forged"
			}
			forger.Store.Audit(ctx, store.Event{Actor: "cli", Action: "test.event", Object: obj, Outcome: store.OutcomeOK, Details: map[string]any{"i": i}})
		}
		var rows []store.AuditEntry
		forger.Store.DB().SelectContext(ctx, &rows, "SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries ORDER BY seq")
		if err := execQ(e.Store, "DELETE FROM audit_entries"); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if _, err := e.Store.DB().ExecContext(ctx, e.Store.DB().Rebind("INSERT INTO audit_entries (seq, at, actor, action, object, outcome, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)"),
				r.Seq, r.At, r.Actor, r.Action, r.Object, r.Outcome, r.Details, r.PrevHash, r.Hash); err != nil {
				t.Fatal(err)
			}
		}
		last := rows[len(rows)-1]
		e.Store.DB().ExecContext(ctx, e.Store.DB().Rebind("UPDATE audit_head SET hash = ? WHERE id = 1"), last.Hash)
		rep, err := e.Store.VerifyAudit(ctx, []crypto.PublicKey{e.Key.Public()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Problem == nil || rep.Problem.Kind != "checkpoint" || rep.Problem.Seq != 5 {
			t.Fatalf("problem = %+v, want checkpoint at 5", rep.Problem)
		}
		// With no trusted key the checkpoint cannot vouch for anything either.
		rep, _ = e.Store.VerifyAudit(ctx, nil, nil)
		if rep.Problem == nil {
			t.Fatal("a checkpoint by an unknown key was accepted")
		}
	})
}

func TestAuditTimedCheckpointAndConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		var wg sync.WaitGroup
		errc := make(chan error, 40)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errc <- e.Store.Audit(ctx, store.Event{Actor: fmt.Sprintf("agent:%d", g), Action: "x", Object: "y", Outcome: store.OutcomeOK})
				}
			}(g)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		appendN(t, e.Store, 2) // 42 entries: last every-5 checkpoint at 40
		wrote, err := e.Store.Checkpoint(ctx)
		if err != nil || !wrote {
			t.Fatalf("timed checkpoint: %v, %v", wrote, err)
		}
		if wrote, _ := e.Store.Checkpoint(ctx); wrote {
			t.Fatal("checkpoint written with no new entries")
		}
		rep, err := e.Store.VerifyAudit(ctx, []crypto.PublicKey{e.Key.Public()}, nil)
		if err != nil || rep.Problem != nil || rep.Entries != 42 || rep.Checkpoints != 9 {
			t.Fatalf("report = %+v (%v), %v", rep, rep.Problem, err)
		}
	})
}

func execQ(s *store.Store, q string) error {
	_, err := s.DB().ExecContext(ctx, q)
	return err
}
