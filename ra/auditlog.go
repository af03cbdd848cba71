package ra

import (
	"context"
	"crypto"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// The audit log's own operations: verifying the hash chain and writing a
// signed checkpoint of its tip. Entries are written by every other use case
// in its transaction; these read or seal the chain as a whole.

const auditObject = "audit"

// mustReadAll refuses anyone but those who read the whole registry's
// record: administrators, auditors, the console and the system.
func (a Actor) mustReadAll() error {
	if a.privileged() || (a.Kind == ActorAgent && a.Role == model.RoleAuditor) {
		return nil
	}
	return errs.New(errs.Forbidden, "only an administrator or an auditor of the certification authority may see this")
}

// VerifyAudit walks the whole audit chain, recomputing every keyed hash,
// and checks its head, every signed checkpoint, what the checkpoint key
// recorded outside the database (o.State, o.Heads) and the checkpoint
// policy (o.Every, o.Interval, o.Slack) against o.Keys. An altered,
// deleted, inserted, reordered, truncated or unsealed entry is the report's
// Problem, not an error. o.Progress, if not nil, is called with the entries
// checked and the head's sequence number. Administrators, auditors, the
// console and the system may verify; it needs no signing key.
func (r *RA) VerifyAudit(ctx context.Context, a Actor, o model.AuditVerify) (*model.AuditReport, error) {
	if err := a.mustReadAll(); err != nil {
		return nil, r.refuse(ctx, a, "audit.verify", auditObject, err)
	}
	return r.store.VerifyAuditWith(ctx, o)
}

// RekeyAudit converts a chain written before the chain key existed to
// keyed hashes, after verifying it and its checkpoints against keys, and
// reports whether it did. Only the system (init and serve, when they create
// the chain key) and the console may; it needs the checkpoint key.
func (r *RA) RekeyAudit(ctx context.Context, a Actor, keys []crypto.PublicKey) (bool, error) {
	if a.Kind != ActorSystem && a.Kind != ActorCLI {
		return false, r.refuse(ctx, a, "audit.rekey", auditObject,
			errs.New(errs.Forbidden, "only the server itself or the console may re-key the audit log"))
	}
	return r.store.RekeyAudit(ctx, a.String(), keys)
}

// Checkpoint writes a signed checkpoint of the chain's tip if entries were
// added since the last one, and reports whether it wrote one. The server
// calls it on a timer and when it stops; administrators, the console and
// the system may ask for one. The store must hold the checkpoint key.
func (r *RA) Checkpoint(ctx context.Context, a Actor) (bool, error) {
	if err := a.mustAdmin(); err != nil {
		return false, r.refuse(ctx, a, "audit.checkpoint", auditObject, err)
	}
	return r.store.Checkpoint(ctx)
}
