package store

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

type auditConfig struct {
	signer CheckpointSigner
	every  int
}

// computeHash is the chain function: SHA-256 over the previous hash and a
// canonical JSON encoding of the entry's content.
func computeHash(e *AuditEntry) string {
	canon, _ := json.Marshal([]any{
		e.Seq, e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.Actor, e.Action, e.Object, e.Outcome, e.Details,
	})
	h := sha256.New()
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
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	q := "SELECT seq, hash FROM audit_head WHERE id = 1"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE" // serialises appends; SQLite transactions are already exclusive writers
	}
	if err := tx.get(ctx, &head, q); err != nil {
		return 0, dbErr(err, "audit head")
	}
	e := &AuditEntry{
		Seq: head.Seq + 1, At: tx.s.Now(), Actor: ev.Actor, Action: ev.Action,
		Object: ev.Object, Outcome: ev.Outcome, Details: details, PrevHash: head.Hash,
	}
	e.Hash = computeHash(e)
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
		var head struct {
			Seq  int64  `db:"seq"`
			Hash string `db:"hash"`
		}
		q := "SELECT seq, hash FROM audit_head WHERE id = 1"
		if s.dialect == Postgres {
			q += " FOR UPDATE"
		}
		if err := tx.get(ctx, &head, q); err != nil {
			return dbErr(err, "audit head")
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

// AuditProblem is model.AuditProblem.
type AuditProblem = model.AuditProblem

// AuditReport is model.AuditReport.
type AuditReport = model.AuditReport

// VerifyAudit walks the whole chain, recomputing every hash, and checks the
// head and every signed checkpoint against keys (by KeyID). It reports the
// first altered, deleted, inserted or reordered entry. progress, if not nil,
// is called with the number of entries checked and the head sequence.
func (s *Store) VerifyAudit(ctx context.Context, keys []crypto.PublicKey, progress func(done, total int64)) (*AuditReport, error) {
	rep := &AuditReport{}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := s.get(ctx, &head, "SELECT seq, hash FROM audit_head WHERE id = 1"); err != nil {
		return nil, dbErr(err, "audit head")
	}
	rep.Head = head.Seq

	hashes := map[int64]string{} // only at checkpointed sequence numbers
	var cps []struct {
		Seq       int64     `db:"seq"`
		Hash      string    `db:"hash"`
		At        time.Time `db:"at"`
		KeyID     string    `db:"key_id"`
		Signature []byte    `db:"signature"`
	}
	if err := s.sel(ctx, &cps, "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq"); err != nil {
		return nil, dbErr(err, "audit checkpoints")
	}
	rep.Checkpoints = len(cps)
	for _, c := range cps {
		hashes[c.Seq] = ""
	}

	rows, err := s.db.QueryxContext(ctx, "SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries ORDER BY seq")
	if err != nil {
		return nil, dbErr(err, "audit entries")
	}
	defer rows.Close()
	var (
		expect = int64(1)
		prev   = ""
	)
	for rows.Next() {
		var e AuditEntry
		if err := rows.StructScan(&e); err != nil {
			return nil, dbErr(err, "audit entry")
		}
		rep.Entries++
		if progress != nil && rep.Entries%1000 == 0 {
			progress(rep.Entries, head.Seq)
		}
		switch {
		case e.Seq > expect:
			rep.Problem = &AuditProblem{Seq: expect, Kind: "missing", Detail: fmt.Sprintf("entries %d to %d are missing (deleted)", expect, e.Seq-1)}
			return rep, nil
		case e.Seq < expect: // cannot happen with a primary key; defensive
			rep.Problem = &AuditProblem{Seq: e.Seq, Kind: "inserted-or-reordered", Detail: "sequence number repeats"}
			return rep, nil
		}
		if e.PrevHash != prev {
			rep.Problem = &AuditProblem{Seq: e.Seq, Kind: "inserted-or-reordered",
				Detail: fmt.Sprintf("does not link to entry %d (an entry was inserted, deleted or reordered here)", e.Seq-1)}
			return rep, nil
		}
		if got := computeHash(&e); got != e.Hash {
			rep.Problem = &AuditProblem{Seq: e.Seq, Kind: "altered",
				Detail: fmt.Sprintf("content does not match its hash (action %q, object %q)", e.Action, e.Object)}
			return rep, nil
		}
		if _, ok := hashes[e.Seq]; ok {
			hashes[e.Seq] = e.Hash
		}
		prev = e.Hash
		expect++
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "audit entries")
	}
	if progress != nil {
		progress(rep.Entries, head.Seq)
	}
	if expect-1 != head.Seq || prev != head.Hash {
		rep.Problem = &AuditProblem{Seq: expect, Kind: "truncated",
			Detail: fmt.Sprintf("the chain ends at entry %d but its head says %d (entries deleted from the end, or the head edited)", expect-1, head.Seq)}
		return rep, nil
	}
	byID := map[string]crypto.PublicKey{}
	for _, k := range keys {
		id, err := KeyID(k)
		if err != nil {
			return nil, err
		}
		byID[id] = k
	}
	for _, c := range cps {
		if hashes[c.Seq] != c.Hash {
			rep.Problem = &AuditProblem{Seq: c.Seq, Kind: "checkpoint",
				Detail: "the entry no longer matches its signed checkpoint (the chain was rewritten from here or earlier)"}
			return rep, nil
		}
		pub, ok := byID[c.KeyID]
		if !ok {
			rep.Problem = &AuditProblem{Seq: c.Seq, Kind: "checkpoint", Detail: "checkpoint signed by an unknown key " + c.KeyID}
			return rep, nil
		}
		if !verifySig(pub, checkpointMessage(c.Seq, c.Hash, c.At), c.Signature) {
			rep.Problem = &AuditProblem{Seq: c.Seq, Kind: "checkpoint", Detail: "checkpoint signature does not verify"}
			return rep, nil
		}
	}
	return rep, nil
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
