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

// VerifyAudit walks the whole audit chain, recomputing every hash, and
// checks its head and every signed checkpoint against keys. An altered,
// deleted, inserted or reordered entry is the report's Problem, not an
// error. progress, if not nil, is called with the entries checked and the
// head's sequence number. Administrators, auditors, the console and the
// system may verify; it needs no signing key.
func (r *RA) VerifyAudit(ctx context.Context, a Actor, keys []crypto.PublicKey, progress func(done, total int64)) (*model.AuditReport, error) {
	if err := a.mustReadAll(); err != nil {
		return nil, r.refuse(ctx, a, "audit.verify", auditObject, err)
	}
	return r.store.VerifyAudit(ctx, keys, progress)
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
