package store

import (
	"context"
	"crypto"

	"github.com/sello-pki/sello/internal/errs"
)

// RekeyAudit converts a chain written before the chain key existed (plain
// SHA-256) to keyed hashes, once, when init or serve creates the key. It
// first verifies the old chain and its checkpoints against keys and
// refuses to re-key one that fails, so it never launders a forged chain
// it can tell from the real one. It then rewrites every hash under the key,
// replaces the old checkpoints (which sign the old hashes) by one over the
// new head, and records an "audit.rekey" entry by actor naming the old head.
// A chain already keyed, or empty, is left alone; it reports whether it
// re-keyed.
func (s *Store) RekeyAudit(ctx context.Context, actor string, keys []crypto.PublicKey) (bool, error) {
	key := s.audit.chainKey
	if key == nil || s.audit.signer == nil {
		return false, errs.New(errs.BadConfig, "re-keying the audit log needs the chain key and the checkpoint key")
	}
	keyed, err := s.chainKeyed(ctx, key)
	if err != nil || keyed {
		return false, err
	}
	rep, err := s.verifyAudit(ctx, nil, AuditVerify{Keys: keys})
	if err != nil {
		return false, err
	}
	if rep.Problem != nil {
		return false, errs.New(errs.Conflict, "the audit log fails verification, so it is not re-keyed: %v", rep.Problem.Cause)
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		head, err := tx.lockHead(ctx)
		if err != nil {
			return err
		}
		if head.Seq != rep.Head {
			return errs.New(errs.Conflict, "the audit log grew while it was being re-keyed: run again")
		}
		var entries []AuditEntry
		if err := tx.sel(ctx, &entries, "SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries ORDER BY seq"); err != nil {
			return dbErr(err, "audit entries")
		}
		prev := ""
		for i := range entries {
			e := &entries[i]
			e.PrevHash = prev
			e.Hash = computeHash(key, e)
			if _, err := tx.exec(ctx, "UPDATE audit_entries SET prev_hash = ?, hash = ? WHERE seq = ?", e.PrevHash, e.Hash, e.Seq); err != nil {
				return dbErr(err, "audit entry")
			}
			prev = e.Hash
		}
		if _, err := tx.exec(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", prev); err != nil {
			return dbErr(err, "audit head")
		}
		if _, err := tx.exec(ctx, "DELETE FROM audit_checkpoints"); err != nil {
			return dbErr(err, "audit checkpoints")
		}
		seq, err := tx.Audit(ctx, Event{Actor: actor, Action: "audit.rekey", Object: "audit", Outcome: OutcomeOK,
			Details: map[string]any{"entries": len(entries), "legacy_head": head.Hash, "legacy_checkpoints": rep.Checkpoints}})
		if err != nil {
			return err
		}
		if s.audit.every > 0 && seq%int64(s.audit.every) == 0 {
			return nil // Audit has just sealed it
		}
		var h string
		if err := tx.get(ctx, &h, "SELECT hash FROM audit_head WHERE id = 1"); err != nil {
			return dbErr(err, "audit head")
		}
		return tx.writeCheckpoint(ctx, seq, h)
	})
	return err == nil, err
}

// chainKeyed reports whether the chain's newest entry was hashed under key
// (an empty chain counts as keyed: there is nothing to convert).
func (s *Store) chainKeyed(ctx context.Context, key []byte) (bool, error) {
	var es []AuditEntry
	if err := s.sel(ctx, &es, "SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries ORDER BY seq DESC LIMIT 1"); err != nil {
		return false, dbErr(err, "audit entries")
	}
	return len(es) == 0 || computeHash(key, &es[0]) == es[0].Hash, nil
}
