package store

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// The checks of a verification after the walk: each returns the first
// problem it finds, or nil. hashes holds the chain's hash at every sequence
// number some signed head names ("" where the chain does not reach).

func keysByID(keys []crypto.PublicKey) (map[string]crypto.PublicKey, error) {
	byID := map[string]crypto.PublicKey{}
	for _, k := range keys {
		id, err := KeyID(k)
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "checkpoint public key")
		}
		byID[id] = k
	}
	return byID, nil
}

// signedBy checks h's signature against the trusted keys and returns the
// reason it fails, or nil.
func signedBy(h AuditHead, byID map[string]crypto.PublicKey) *errs.Error {
	pub, ok := byID[h.KeyID]
	if !ok {
		return errs.New(errs.Conflict, "signed by an unknown key %s", h.KeyID)
	}
	if !verifySig(pub, checkpointMessage(h.Seq, h.Hash, h.At), h.Signature) {
		return errs.New(errs.Conflict, "the signature does not verify")
	}
	return nil
}

// checkState compares the chain with the last head the checkpoint key
// signed, which its state file keeps outside the database: that head must
// be in the chain with the same hash, and its checkpoint still in the
// database. It catches the tail deleted together with its checkpoints, and
// checkpoints deleted.
func checkState(o AuditVerify, rep *AuditReport, headSeq int64, hashes map[int64]string, byID map[string]crypto.PublicKey) *AuditProblem {
	if !o.CheckState {
		return nil
	}
	st := o.State
	if st == nil {
		if rep.Checkpoints > 0 {
			return problem(rep.LastSigned, ProblemState, errs.New(errs.Conflict,
				"the database holds checkpoints up to entry %d but the checkpoint key's state file records none (deleted or replaced?)", rep.LastSigned))
		}
		return nil
	}
	rep.StateSeq = st.Seq
	if err := signedBy(*st, byID); err != nil {
		return problem(st.Seq, ProblemState, errs.New(errs.Conflict, "the checkpoint key's state file: %v", err))
	}
	if st.Seq > headSeq {
		return problem(st.Seq, ProblemTruncated, errs.New(errs.Conflict,
			"the checkpoint key signed entry %d at %s, but the chain ends at entry %d (entries deleted from the end with their checkpoints)",
			st.Seq, stamp(st.At), headSeq))
	}
	if hashes[st.Seq] != st.Hash {
		return problem(st.Seq, ProblemState, errs.New(errs.Conflict,
			"the entry no longer has the hash the checkpoint key signed at %s (the chain was rewritten up to here)", stamp(st.At)))
	}
	if rep.LastSigned < st.Seq {
		return problem(st.Seq, ProblemState, errs.New(errs.Conflict,
			"the checkpoint key signed entry %d at %s, but the database's last checkpoint is at entry %d (checkpoints deleted)",
			st.Seq, stamp(st.At), rep.LastSigned))
	}
	return nil
}

// checkCheckpoints checks every checkpoint in the database: it matches the
// chain and its signature verifies.
func checkCheckpoints(cps []checkpointRow, hashes map[int64]string, byID map[string]crypto.PublicKey) *AuditProblem {
	for _, c := range cps {
		if hashes[c.Seq] != c.Hash {
			return problem(c.Seq, ProblemCheckpt, errs.New(errs.Conflict,
				"the entry no longer matches its signed checkpoint (the chain was rewritten from here or earlier)"))
		}
		if err := signedBy(c.head(), byID); err != nil {
			return problem(c.Seq, ProblemCheckpt, errs.New(errs.Conflict, "checkpoint: %v", err))
		}
	}
	return nil
}

// checkHeads checks every exported head: signed by a trusted key, reached
// by the chain, and with the chain's hash there. As each entry's hash
// covers all before it, a match proves nothing up to that head was
// rewritten.
func checkHeads(heads []AuditHead, headSeq int64, hashes map[int64]string, byID map[string]crypto.PublicKey, rep *AuditReport) *AuditProblem {
	for _, h := range heads {
		if err := signedBy(h, byID); err != nil {
			return problem(h.Seq, ProblemHeads, errs.New(errs.Conflict, "exported head signed at %s: %v", stamp(h.At), err))
		}
		if h.Seq > headSeq {
			return problem(h.Seq, ProblemTruncated, errs.New(errs.Conflict,
				"a head exported at %s names entry %d, but the chain ends at entry %d (entries deleted from the end)", stamp(h.At), h.Seq, headSeq))
		}
		if hashes[h.Seq] != h.Hash {
			return problem(h.Seq, ProblemHeads, errs.New(errs.Conflict,
				"the entry does not match the head exported at %s (the chain was rewritten up to here)", stamp(h.At)))
		}
		rep.Heads++
	}
	return nil
}

// checkPolicy bounds the entries after the last checkpoint: at most Every
// of them, and the oldest no older than Interval plus Slack. A longer or
// older tail means checkpoints are missing, stale or were deleted.
func checkPolicy(o AuditVerify, rep *AuditReport, tailStart, now time.Time) *AuditProblem {
	if rep.Tail == 0 {
		return nil
	}
	first := rep.LastSigned + 1
	if o.Every > 0 && rep.Tail > int64(o.Every) {
		return problem(first, ProblemUnsealed, errs.New(errs.Conflict,
			"%d entries follow the last checkpoint (at entry %d), more than the policy's %d: checkpoints are missing or were deleted",
			rep.Tail, rep.LastSigned, o.Every))
	}
	if o.Interval > 0 && tailStart.Before(now.Add(-(o.Interval + o.Slack))) {
		return problem(first, ProblemUnsealed, errs.New(errs.Conflict,
			"written at %s and still not sealed by a checkpoint (policy: every %s, plus %s): checkpoints are missing, stale or were deleted",
			stamp(tailStart), o.Interval, o.Slack))
	}
	return nil
}

func verifySig(pub crypto.PublicKey, msg, sig []byte) bool {
	d := sha256.Sum256(msg)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, d[:], sig)
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, sig)
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig) == nil
	}
	return false
}
