package main

import (
	"context"
	"crypto"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sello-pki/sello/internal/auditfile"
	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/ra"
)

// The audit log's keys and records outside the database: the chain key
// (HMAC of every entry), the checkpoint key's state file (the last head it
// signed) and the exported heads file.

// auditStatePath is the checkpoint key's state file, next to the key.
func auditStatePath(cfg *config.Config) string {
	return strings.TrimSuffix(cfg.AuditKeyFile, filepath.Ext(cfg.AuditKeyFile)) + ".state"
}

// auditFiles is the sink the store hands every signed checkpoint to.
func auditFiles(cfg *config.Config) *auditfile.Files {
	return &auditfile.Files{State: auditStatePath(cfg), Heads: cfg.AuditHeadsFile}
}

// chainKey is the audit chain key as openApp found it.
type chainKey struct {
	key     []byte
	pending string // the new key's file while the chain is re-keyed under it; "" when the key is in place
}

// loadChainKey reads the chain key. When there is none, init and serve
// (rekey) create one as <file>.new: the chain is then re-keyed under it
// and the file renamed into place (commitChainKey), so a crash in between
// leaves the new key to be used again, never a chain keyed under a key
// that was lost. Other commands need the key in place.
func loadChainKey(cfg *config.Config, rekey bool) (*chainKey, error) {
	path := cfg.AuditChainKeyFile
	if fileExists(path) {
		k, err := sealed.LoadKeyFile(path)
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "audit.chain_key_file")
		}
		return &chainKey{key: k}, nil
	}
	if !rekey {
		return nil, errs.New(errs.BadConfig, "the audit chain key %s is missing: run `sello serve` or `sello init` once to create it (an existing chain is verified and re-keyed)", path)
	}
	pending := path + ".new"
	if !fileExists(pending) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := sealed.NewKeyFile(pending); err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "audit.chain_key_file")
		}
	}
	k, err := sealed.LoadKeyFile(pending)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "audit.chain_key_file")
	}
	return &chainKey{key: k, pending: pending}, nil
}

// commitChainKey re-keys a chain written before the chain key (verifying
// it against the checkpoint key first) and puts the new key in place.
func commitChainKey(ctx context.Context, a *app, ck *chainKey) error {
	if ck.pending == "" {
		return nil
	}
	done, err := a.ra.RekeyAudit(ctx, ra.System("init"), []crypto.PublicKey{a.auditPub})
	if err != nil {
		return err
	}
	if done {
		a.log.Warn("the audit log was re-keyed under the new chain key", "key", a.cfg.AuditChainKeyFile)
	}
	if err := os.Rename(ck.pending, a.cfg.AuditChainKeyFile); err != nil {
		return errs.Wrap(errs.BadConfig, err, "audit.chain_key_file")
	}
	ck.pending = ""
	return nil
}

// auditVerifyOptions is what `sello audit verify` checks the chain
// against: the trusted keys, the checkpoint key's state, the heads file
// (heads, or the configured one when it exists) and the checkpoint policy.
func auditVerifyOptions(cfg *config.Config, keys []crypto.PublicKey, heads string) (model.AuditVerify, string, error) {
	o := model.AuditVerify{Keys: keys, CheckState: true, Every: cfg.CheckpointEveryEntries,
		Interval: cfg.CheckpointInterval, Slack: cfg.CheckpointSlack}
	var err error
	if o.State, err = auditfile.ReadState(auditStatePath(cfg)); err != nil {
		return o, "", err
	}
	if heads == "" && fileExists(cfg.AuditHeadsFile) {
		heads = cfg.AuditHeadsFile
	}
	if heads != "" {
		if o.Heads, err = auditfile.ReadHeads(heads); err != nil {
			return o, "", err
		}
	}
	return o, heads, nil
}

// auditProblemError is the problem as a typed error, rendered in the
// operator's language.
func auditProblemError(p *model.AuditProblem) error {
	cause := p.Cause
	if cause == nil {
		cause = errors.New(p.Detail)
	}
	return errs.New(errs.Conflict, "audit log: entry %d: %s: %v", p.Seq, p.Kind, cause)
}

// printAuditReport tells what an intact verification checked.
func printAuditReport(w io.Writer, lang string, cfg *config.Config, rep *model.AuditReport, heads string) {
	say := func(format string, args ...any) { printf(w, "%s\n", errs.Translate(lang, format, args...)) }
	say("audit log intact: %d entries, %d signed checkpoints", rep.Entries, rep.Checkpoints)
	say("  chain hashes keyed (HMAC-SHA-256): %v", rep.Keyed)
	say("  %d entries after the last checkpoint (at entry %d); policy: at most %d, none older than %s plus %s",
		rep.Tail, rep.LastSigned, cfg.CheckpointEveryEntries, cfg.CheckpointInterval, cfg.CheckpointSlack)
	if rep.StateSeq > 0 {
		say("  the checkpoint key's last signed head (entry %d) is in the chain", rep.StateSeq)
	} else {
		say("  the checkpoint key has no state file yet (nothing signed)")
	}
	if heads != "" {
		say("  %d exported heads in %s match the chain", rep.Heads, heads)
	} else {
		say("  no exported heads file to compare with")
	}
}
