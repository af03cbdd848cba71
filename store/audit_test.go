package store_test

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// The tampering a database writer could do while the audit log still
// verified (issue 16), each done with SQL on both databases against a chain
// of 12 entries checkpointed every 5 (at 5 and 10), with the checkpoint
// key's state and the exported heads kept outside the database.

const (
	testInterval = 10 * time.Minute
	testSlack    = 5 * time.Minute
)

// outside is what the verification checks against besides the database:
// the trusted key, the policy, and what the checkpoint key recorded outside
// the database before the tampering.
func outside(e *storetest.Env) store.AuditVerify {
	return store.AuditVerify{Keys: []crypto.PublicKey{e.Key.Public()}, CheckState: true, State: e.Signed.Last(),
		Heads: e.Signed.All(), Every: 5, Interval: testInterval, Slack: testSlack}
}

func twelve(t *testing.T, e *storetest.Env) store.AuditVerify {
	t.Helper()
	appendN(t, e.Store, 12)
	o := outside(e)
	rep, err := e.Store.VerifyAuditWith(ctx, o)
	if err != nil || rep.Problem != nil || rep.Entries != 12 || rep.Checkpoints != 2 || rep.StateSeq != 10 || rep.Heads != 2 || !rep.Keyed {
		t.Fatalf("before tampering: %+v (%v), %v", rep, rep.Problem, err)
	}
	return o
}

func entries(t *testing.T, s *store.Store) []store.AuditEntry {
	t.Helper()
	var rows []store.AuditEntry
	if err := s.DB().SelectContext(ctx, &rows, "SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries ORDER BY seq"); err != nil {
		t.Fatal(err)
	}
	return rows
}

func sqlExec(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rewrite edits entry from's object and recomputes the chain from there
// to the head under key (nil: the unkeyed algorithm), as a writer who
// knows the chain function would.
func rewrite(t *testing.T, s *store.Store, from int64, key []byte) {
	t.Helper()
	rows := entries(t, s)
	prev := ""
	for i := range rows {
		r := &rows[i]
		if r.Seq < from {
			prev = r.Hash
			continue
		}
		if r.Seq == from {
			r.Object = "obj:forged"
		}
		r.PrevHash = prev
		r.Hash = store.AuditHash(key, r)
		sqlExec(t, s, "UPDATE audit_entries SET object = ?, prev_hash = ?, hash = ? WHERE seq = ?", r.Object, r.PrevHash, r.Hash, r.Seq)
		prev = r.Hash
	}
	sqlExec(t, s, "UPDATE audit_head SET hash = ? WHERE id = 1", prev)
}

func wantProblem(t *testing.T, e *storetest.Env, o store.AuditVerify, seq int64, kind, says string) {
	t.Helper()
	rep, err := e.Store.VerifyAuditWith(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Problem
	if p == nil {
		t.Fatalf("tampering not detected: %+v", rep)
	}
	if p.Seq != seq || p.Kind != kind || !strings.Contains(p.Detail, says) || p.Cause == nil {
		t.Fatalf("problem = %+v, want entry %d %s saying %q", p, seq, kind, says)
	}
}

func TestAuditNormalChainWithFreshTailVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		twelve(t, e)
		e.Clock.Add(testInterval + testSlack - time.Second)
		rep, err := e.Store.VerifyAuditWith(ctx, outside(e))
		if err != nil || rep.Problem != nil || rep.Tail != 2 || rep.LastSigned != 10 {
			t.Fatalf("fresh tail of 2: %+v (%v), %v", rep, rep.Problem, err)
		}
		// Past the interval and its slack, the unsealed tail is stale...
		e.Clock.Add(2 * time.Second)
		wantProblem(t, e, outside(e), 11, store.ProblemUnsealed, "still not sealed")
		// ...until the timed checkpoint seals it.
		if wrote, err := e.Store.Checkpoint(ctx); err != nil || !wrote {
			t.Fatalf("checkpoint: %v, %v", wrote, err)
		}
		rep, err = e.Store.VerifyAuditWith(ctx, outside(e))
		if err != nil || rep.Problem != nil || rep.Tail != 0 || rep.StateSeq != 12 || rep.Heads != 3 {
			t.Fatalf("after the checkpoint: %+v (%v), %v", rep, rep.Problem, err)
		}
	})
}

func TestAuditDeletedCheckpointsFail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		o := twelve(t, e)
		sqlExec(t, e.Store, "DELETE FROM audit_checkpoints")
		wantProblem(t, e, o, 10, store.ProblemState, "checkpoints deleted")
		// The state file deleted as well: the tail bound still catches it.
		o.CheckState, o.State, o.Heads = true, nil, nil
		wantProblem(t, e, o, 1, store.ProblemUnsealed, "12 entries follow the last checkpoint")
	})
}

func TestAuditStateFileDeletedFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		o := twelve(t, e)
		o.State = nil
		wantProblem(t, e, o, 10, store.ProblemState, "state file records none")
	})
}

func TestAuditDeletedCheckpointsAndRewrittenChainFail(t *testing.T) {
	guessed := make([]byte, 32)
	for _, c := range []struct {
		name string
		key  []byte
	}{{"unkeyed SHA-256", nil}, {"guessed key", guessed}} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, e *storetest.Env) {
				o := twelve(t, e)
				sqlExec(t, e.Store, "DELETE FROM audit_checkpoints")
				rewrite(t, e.Store, 3, c.key)
				wantProblem(t, e, o, 3, store.ProblemAltered, "written without the chain key")
				// Even with nothing outside the database to compare with.
				wantProblem(t, e, store.AuditVerify{Keys: o.Keys}, 3, store.ProblemAltered, "written without the chain key")
			})
		})
	}
	// A writer who also holds the chain key is caught by what the checkpoint
	// key recorded outside the database: its state, or the exported heads.
	t.Run("with the chain key", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, e *storetest.Env) {
			o := twelve(t, e)
			sqlExec(t, e.Store, "DELETE FROM audit_checkpoints")
			rewrite(t, e.Store, 3, e.ChainKey)
			wantProblem(t, e, o, 10, store.ProblemState, "the chain was rewritten up to here")
			o.CheckState = false
			wantProblem(t, e, o, 5, store.ProblemHeads, "does not match the head exported")
		})
	})
}

func TestAuditTruncatedTailWithItsCheckpointFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		o := twelve(t, e)
		seven := entries(t, e.Store)[6]
		sqlExec(t, e.Store, "DELETE FROM audit_entries WHERE seq >= 8")
		sqlExec(t, e.Store, "DELETE FROM audit_checkpoints WHERE seq >= 8")
		sqlExec(t, e.Store, "UPDATE audit_head SET seq = 7, hash = ? WHERE id = 1", seven.Hash)
		wantProblem(t, e, o, 10, store.ProblemTruncated, "the chain ends at entry 7")
		o.CheckState = false // the exported heads alone
		wantProblem(t, e, o, 10, store.ProblemTruncated, "the chain ends at entry 7")
	})
}

func TestAuditForgedEntryAfterLastCheckpointFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		o := twelve(t, e)
		rows := entries(t, e.Store)
		f := rows[len(rows)-1]
		f.Seq, f.Action, f.Object, f.PrevHash = 13, "cert.revoke", "cert:forged", f.Hash
		f.Hash = store.AuditHash(nil, &f)
		sqlExec(t, e.Store, "INSERT INTO audit_entries (seq, at, actor, action, object, outcome, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
			f.Seq, f.At, f.Actor, f.Action, f.Object, f.Outcome, f.Details, f.PrevHash, f.Hash)
		sqlExec(t, e.Store, "UPDATE audit_head SET seq = 13, hash = ? WHERE id = 1", f.Hash)
		wantProblem(t, e, o, 13, store.ProblemAltered, `action "cert.revoke"`)
	})
}

// A chain written before the chain key existed is re-keyed once: it is
// verified first (a tampered one is refused), then every hash is keyed, the
// old checkpoints give way to one over the new head, and an audit.rekey
// entry records the old head.
func TestAuditRekeyConvertsAnUnkeyedChainOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		for _, tampered := range []bool{true, false} {
			legacy := storetest.Open(t, e.Store.Dialect(), store.WithChainKey(nil))
			appendN(t, legacy.Store, 7)
			if rep, _ := legacy.Store.VerifyAudit(ctx, []crypto.PublicKey{legacy.Key.Public()}, nil); rep.Keyed || rep.Problem != nil {
				t.Fatalf("legacy chain: %+v", rep)
			}
			if tampered {
				rewrite(t, legacy.Store, 2, nil) // recomputed, but the checkpoint at 5 no longer matches
			}
			signed := &storetest.SignedHeads{}
			s, err := store.Open(ctx, legacy.DSN, legacy.Clock, store.WithCheckpoints(legacy.Key, 5),
				store.WithSealer(legacy.Box), store.WithChainKey(e.ChainKey), store.WithCheckpointSink(signed))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			keys := []crypto.PublicKey{legacy.Key.Public()}
			done, err := s.RekeyAudit(ctx, "system:init", keys)
			if tampered {
				if err == nil || done || !strings.Contains(err.Error(), "not re-keyed") {
					t.Fatalf("a tampered legacy chain was re-keyed: %v, %v", done, err)
				}
				continue
			}
			if err != nil || !done {
				t.Fatalf("rekey: %v, %v", done, err)
			}
			o := store.AuditVerify{Keys: keys, CheckState: true, State: signed.Last(), Heads: signed.All(), Every: 5, Interval: testInterval, Slack: testSlack}
			rep, err := s.VerifyAuditWith(ctx, o)
			if err != nil || rep.Problem != nil || !rep.Keyed || rep.Entries != 8 || rep.Checkpoints != 1 || rep.StateSeq != 8 {
				t.Fatalf("after re-keying: %+v (%v), %v", rep, rep.Problem, err)
			}
			if rows := entries(t, s); rows[7].Action != "audit.rekey" || !strings.Contains(rows[7].Details, "legacy_head") {
				t.Errorf("last entry %+v, want audit.rekey naming the old head", rows[7])
			}
			if done, err := s.RekeyAudit(ctx, "system:init", keys); err != nil || done {
				t.Errorf("second rekey: %v, %v; want nothing to do", done, err)
			}
		}
	})
}
