package store

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"hash"
	"strconv"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Re-declared from package model.
const (
	OutcomeOK      = model.OutcomeOK
	OutcomeRefused = model.OutcomeRefused
	OutcomeFailed  = model.OutcomeFailed
)

// Event is model.Event.
type Event = model.Event

// AuditEntry is one stored link of the chain.
type AuditEntry struct {
	Seq      int64     `db:"seq"`
	At       time.Time `db:"at"`
	Actor    string    `db:"actor"`
	Action   string    `db:"action"`
	Object   string    `db:"object"`
	Outcome  string    `db:"outcome"`
	Details  string    `db:"details"`
	PrevHash string    `db:"prev_hash"`
	Hash     string    `db:"hash"`
}

// CheckpointSigner signs audit checkpoints. Any crypto.Signer with an ECDSA,
// Ed25519 or RSA key works.
type CheckpointSigner = crypto.Signer

// AuditHead is model.AuditHead.
type AuditHead = model.AuditHead

// CheckpointSink keeps signed heads outside the database: the checkpoint
// key's state file and the exported heads file. It is told of each
// checkpoint once the checkpoint's transaction has committed, so that it
// never records a head the database does not hold.
type CheckpointSink interface {
	Signed(h AuditHead) error
}

type auditConfig struct {
	signer   CheckpointSigner
	every    int
	chainKey []byte
	sink     CheckpointSink
}

// WithChainKey keys the chain hashes (HMAC-SHA-256 with key): whoever can
// write the database but not read the key cannot recompute the chain.
func WithChainKey(key []byte) Option {
	return func(s *Store) { s.audit.chainKey = key }
}

// WithCheckpointSink hands every signed checkpoint to sink after commit.
func WithCheckpointSink(sink CheckpointSink) Option {
	return func(s *Store) { s.audit.sink = sink }
}

// computeHash is the chain function over the previous hash and a canonical
// JSON encoding of the entry's content: HMAC-SHA-256 under key, or plain
// SHA-256 without one (chains written before the key existed, which
// RekeyAudit converts).
func computeHash(key []byte, e *AuditEntry) string {
	canon, _ := json.Marshal([]any{
		e.Seq, e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.Actor, e.Action, e.Object, e.Outcome, e.Details,
	})
	var h hash.Hash
	if key == nil {
		h = sha256.New()
	} else {
		h = hmac.New(sha256.New, key)
		h.Write([]byte("sello-audit-chain/v2\n"))
	}
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends ev to the chain inside tx and returns its sequence number.
func (tx *Tx) Audit(ctx context.Context, ev Event) (int64, error) {
	if ev.Actor == "" || ev.Action == "" || ev.Outcome == "" {
		return 0, errs.New(errs.Internal, "audit event needs actor, action and outcome")
	}
	details := "{}"
	if len(ev.Details) > 0 {
		b, err := json.Marshal(ev.Details)
		if err != nil {
			return 0, errs.Wrap(errs.Internal, err, "audit details not encodable")
		}
		details = string(b)
	}
	head, err := tx.lockHead(ctx)
	if err != nil {
		return 0, err
	}
	e := &AuditEntry{
		Seq: head.Seq + 1, At: tx.s.Now(), Actor: ev.Actor, Action: ev.Action,
		Object: ev.Object, Outcome: ev.Outcome, Details: details, PrevHash: head.Hash,
	}
	e.Hash = computeHash(tx.s.audit.chainKey, e)
	if _, err := tx.exec(ctx, `INSERT INTO audit_entries (seq, at, actor, action, object, outcome, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.At, e.Actor, e.Action, e.Object, e.Outcome, e.Details, e.PrevHash, e.Hash); err != nil {
		return 0, dbErr(err, "audit entry")
	}
	if _, err := tx.exec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", e.Seq, e.Hash); err != nil {
		return 0, dbErr(err, "audit head")
	}
	if c := tx.s.audit; c.signer != nil && c.every > 0 && e.Seq%int64(c.every) == 0 {
		if err := tx.writeCheckpoint(ctx, e.Seq, e.Hash); err != nil {
			return 0, err
		}
	}
	return e.Seq, nil
}

// Audit appends ev in a transaction of its own: for refusals and failures,
// where no other state changes.
func (s *Store) Audit(ctx context.Context, ev Event) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Audit(ctx, ev)
		return err
	})
}

// KeyID names a checkpoint key: the first 16 bytes of the SHA-256 of its
// SubjectPublicKeyInfo, in hex.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:16]), nil
}

func checkpointMessage(seq int64, hash string, at time.Time) []byte {
	return []byte("sello-audit-checkpoint/v1\n" + strconv.FormatInt(seq, 10) + "\n" + hash + "\n" +
		at.UTC().Format("2006-01-02T15:04:05.000000Z"))
}

func (tx *Tx) writeCheckpoint(ctx context.Context, seq int64, hash string) error {
	signer := tx.s.audit.signer
	kid, err := KeyID(signer.Public())
	if err != nil {
		return errs.Wrap(errs.Internal, err, "checkpoint key")
	}
	at := tx.s.Now()
	msg := checkpointMessage(seq, hash, at)
	var sig []byte
	if _, ok := signer.Public().(ed25519.PublicKey); ok {
		sig, err = signer.Sign(rand.Reader, msg, crypto.Hash(0))
	} else {
		d := sha256.Sum256(msg)
		sig, err = signer.Sign(rand.Reader, d[:], crypto.SHA256)
	}
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "checkpoint signature")
	}
	if _, err := tx.exec(ctx, "INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)",
		seq, hash, at, kid, sig); err != nil {
		return dbErr(err, "audit checkpoint")
	}
	if sink := tx.s.audit.sink; sink != nil {
		h := AuditHead{Seq: seq, Hash: hash, At: at, KeyID: kid, Signature: sig}
		tx.afterCommit = append(tx.afterCommit, func() {
			// The checkpoint is in the database; a head the sink failed to
			// record only leaves the outside copy one checkpoint behind.
			if err := sink.Signed(h); err != nil {
				tx.s.log.Error("audit checkpoint not recorded outside the database", "seq", h.Seq, "err", err)
			}
		})
	}
	return nil
}

// Checkpoint writes a signed checkpoint of the chain's tip if entries were
// added since the last one. The server calls it on a timer ("every N
// minutes"); Audit writes one every N entries.
func (s *Store) Checkpoint(ctx context.Context) (bool, error) {
	if s.audit.signer == nil {
		return false, errs.New(errs.BadConfig, "no audit checkpoint key configured")
	}
	wrote := false
	err := s.InTx(ctx, func(tx *Tx) error {
		head, err := tx.lockHead(ctx)
		if err != nil {
			return err
		}
		var last int64
		if err := tx.get(ctx, &last, "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints"); err != nil {
			return dbErr(err, "audit checkpoints")
		}
		if head.Seq == 0 || head.Seq <= last {
			return nil
		}
		wrote = true
		return tx.writeCheckpoint(ctx, head.Seq, head.Hash)
	})
	return wrote, err
}

// chainHead is the audit chain's tip.
type chainHead struct {
	Seq  int64  `db:"seq"`
	Hash string `db:"hash"`
}

// lockHead reads the chain's tip for a writer. On PostgreSQL the row lock
// serialises appends, checkpoints and re-keying; SQLite transactions are
// already exclusive writers.
func (tx *Tx) lockHead(ctx context.Context) (chainHead, error) {
	var head chainHead
	q := "SELECT seq, hash FROM audit_head WHERE id = 1"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	if err := tx.get(ctx, &head, q); err != nil {
		return head, dbErr(err, "audit head")
	}
	return head, nil
}
