package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/store"
)

// A data folder from before the chain key: its chain is unkeyed SHA-256 and
// there is no chain key, state or heads file. Other commands refuse to run
// until init (or serve) creates the key; init then verifies the old chain,
// re-keys it once, records an audit.rekey entry and seals it, and the chain
// verifies with every new check.
func TestInitRekeysAChainWrittenBeforeTheChainKey(t *testing.T) {
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "init", "--data", data)
	// The old deployment: a fresh database whose chain has no key.
	for _, f := range []string{"sello.db", "sello.db-wal", "sello.db-shm", "secrets/audit-chain.key", "secrets/audit.state", "audit-heads.jsonl", "admin.p12", "admin.p12.pass"} {
		if err := os.Remove(filepath.Join(data, f)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	old, err := store.Open(ctx, "sqlite:"+filepath.Join(data, "sello.db"), clock.New())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []string{"org:1", "agent:1", "cert:x/1"} {
		if err := old.Audit(ctx, store.Event{Actor: "cli:old", Action: "test.old", Object: obj, Outcome: store.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	if _, err := run(t, ctx, "--lang", "en", "audit", "verify", "--data", data); err == nil || !strings.Contains(err.Error(), "sello init") {
		t.Fatalf("verify without the chain key: %v, want to be told to run init or serve", err)
	}
	mustRun(t, "init", "--data", data)
	if _, err := os.Stat(filepath.Join(data, "secrets", "audit-chain.key.new")); !os.IsNotExist(err) {
		t.Errorf("the pending chain key was not put in place: %v", err)
	}
	out := mustRun(t, "--lang", "en", "audit", "verify", "--data", data)
	if !strings.Contains(out, "audit log intact") || !strings.Contains(out, "keyed (HMAC-SHA-256): true") || !strings.Contains(out, "last signed head") {
		t.Fatalf("after re-keying:\n%s", out)
	}
	db := openDB(t, store.SQLite, data, "")
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM audit_entries WHERE action = 'audit.rekey' AND seq = 4 AND details LIKE '%legacy_head%'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit.rekey entry after the 3 old ones: %d, %v", n, err)
	}
	// Once keyed, a third init re-keys nothing.
	mustRun(t, "init", "--data", data)
	if err := db.QueryRow("SELECT COUNT(*) FROM audit_entries WHERE action = 'audit.rekey'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d audit.rekey entries, want 1", n)
	}
}
