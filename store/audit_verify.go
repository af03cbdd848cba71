package store

import (
	"context"
	"crypto"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// AuditProblem is model.AuditProblem.
type AuditProblem = model.AuditProblem

// AuditReport is model.AuditReport.
type AuditReport = model.AuditReport

// AuditVerify is model.AuditVerify.
type AuditVerify = model.AuditVerify

// Kinds of audit problems.
const (
	ProblemAltered   = "altered"
	ProblemMissing   = "missing"
	ProblemReordered = "inserted-or-reordered"
	ProblemTruncated = "truncated"
	ProblemCheckpt   = "checkpoint"
	ProblemUnsealed  = "unsealed"
	ProblemState     = "state"
	ProblemHeads     = "heads"
)

// problem builds an AuditProblem whose detail is a typed error, so that the
// console shows it in the operator's language.
func problem(seq int64, kind string, cause *errs.Error) *AuditProblem {
	return &AuditProblem{Seq: seq, Kind: kind, Detail: cause.Message(errs.English), Cause: cause}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// VerifyAudit walks the chain and checks its head and every signed
// checkpoint against keys, with no outside records and no policy bounds:
// VerifyAuditWith with only Keys and progress.
func (s *Store) VerifyAudit(ctx context.Context, keys []crypto.PublicKey, progress func(done, total int64)) (*AuditReport, error) {
	return s.VerifyAuditWith(ctx, AuditVerify{Keys: keys, Progress: progress})
}

// VerifyAuditWith walks the whole chain, recomputing every hash with the
// store's chain key, and checks, in this order: that entries link and match
// their hashes (the first altered, deleted, inserted or reordered entry);
// that the chain reaches its recorded head; that the checkpoint key's last
// signed head (o.State, kept outside the database) is still in the chain
// and still has its checkpoint; every signed checkpoint in the database;
// every exported head (o.Heads); and the checkpoint policy: no more than
// o.Every entries, none older than o.Interval plus o.Slack by the store's
// clock, after the last checkpoint. The first failure is the report's
// Problem, not an error.
func (s *Store) VerifyAuditWith(ctx context.Context, o AuditVerify) (*AuditReport, error) {
	return s.verifyAudit(ctx, s.audit.chainKey, o)
}

type checkpointRow struct {
	Seq       int64     `db:"seq"`
	Hash      string    `db:"hash"`
	At        time.Time `db:"at"`
	KeyID     string    `db:"key_id"`
	Signature []byte    `db:"signature"`
}

func (c checkpointRow) head() AuditHead {
	return AuditHead{Seq: c.Seq, Hash: c.Hash, At: c.At, KeyID: c.KeyID, Signature: c.Signature}
}

func (s *Store) verifyAudit(ctx context.Context, key []byte, o AuditVerify) (*AuditReport, error) {
	rep := &AuditReport{Keyed: key != nil}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := s.get(ctx, &head, "SELECT seq, hash FROM audit_head WHERE id = 1"); err != nil {
		return nil, dbErr(err, "audit head")
	}
	rep.Head = head.Seq
	var cps []checkpointRow
	if err := s.sel(ctx, &cps, "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq"); err != nil {
		return nil, dbErr(err, "audit checkpoints")
	}
	rep.Checkpoints = len(cps)
	if len(cps) > 0 {
		rep.LastSigned = cps[len(cps)-1].Seq
	}
	// The hashes to remember while walking: at every head signed somewhere.
	hashes := map[int64]string{}
	for _, c := range cps {
		hashes[c.Seq] = ""
	}
	if o.State != nil {
		hashes[o.State.Seq] = ""
	}
	for _, h := range o.Heads {
		hashes[h.Seq] = ""
	}
	var tailStart time.Time // when the first entry after the last checkpoint was written
	p, err := s.walkAudit(ctx, key, head.Seq, head.Hash, func(e *AuditEntry) {
		if _, ok := hashes[e.Seq]; ok {
			hashes[e.Seq] = e.Hash
		}
		if e.Seq == rep.LastSigned+1 {
			tailStart = e.At
		}
	}, rep, o.Progress)
	if err != nil || p != nil {
		rep.Problem = p
		return rep, err
	}
	rep.Tail = head.Seq - rep.LastSigned
	byID, err := keysByID(o.Keys)
	if err != nil {
		return nil, err
	}
	for _, check := range []func() *AuditProblem{
		func() *AuditProblem { return checkState(o, rep, head.Seq, hashes, byID) },
		func() *AuditProblem { return checkCheckpoints(cps, hashes, byID) },
		func() *AuditProblem { return checkHeads(o.Heads, head.Seq, hashes, byID, rep) },
		func() *AuditProblem { return checkPolicy(o, rep, tailStart, s.Now()) },
	} {
		if p := check(); p != nil {
			rep.Problem = p
			return rep, nil
		}
	}
	return rep, nil
}

// walkAudit reads the chain in order, recomputing every hash under key, and
// returns the first entry that is missing, out of place or altered, or a
// head the chain does not reach. seen is called with every good entry.
func (s *Store) walkAudit(ctx context.Context, key []byte, headSeq int64, headHash string, seen func(*AuditEntry), rep *AuditReport, progress func(done, total int64)) (*AuditProblem, error) {
	rows, err := s.db.QueryxContext(ctx, "SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries ORDER BY seq")
	if err != nil {
		return nil, dbErr(err, "audit entries")
	}
	defer rows.Close()
	expect, prev := int64(1), ""
	for rows.Next() {
		var e AuditEntry
		if err := rows.StructScan(&e); err != nil {
			return nil, dbErr(err, "audit entry")
		}
		rep.Entries++
		if progress != nil && rep.Entries%1000 == 0 {
			progress(rep.Entries, headSeq)
		}
		switch {
		case e.Seq > expect:
			return problem(expect, ProblemMissing, errs.New(errs.Conflict, "entries %d to %d are missing (deleted)", expect, e.Seq-1)), nil
		case e.Seq < expect: // cannot happen with a primary key; defensive
			return problem(e.Seq, ProblemReordered, errs.New(errs.Conflict, "sequence number repeats")), nil
		}
		if e.PrevHash != prev {
			return problem(e.Seq, ProblemReordered, errs.New(errs.Conflict,
				"does not link to entry %d (an entry was inserted, deleted or reordered here)", e.Seq-1)), nil
		}
		if got := computeHash(key, &e); got != e.Hash {
			return problem(e.Seq, ProblemAltered, errs.New(errs.Conflict,
				"content does not match its hash (action %q, object %q): altered, or written without the chain key", e.Action, e.Object)), nil
		}
		seen(&e)
		prev = e.Hash
		expect++
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "audit entries")
	}
	if progress != nil {
		progress(rep.Entries, headSeq)
	}
	if expect-1 != headSeq || prev != headHash {
		return problem(expect, ProblemTruncated, errs.New(errs.Conflict,
			"the chain ends at entry %d but its head says %d (entries deleted from the end, or the head edited)", expect-1, headSeq)), nil
	}
	return nil, nil
}
