// Package storetest opens migrated stores for tests: a fresh SQLite file and
// a fresh schema in the PostgreSQL at SELLO_TEST_POSTGRES_URL (default: the
// local server at 127.0.0.1:5432, database test). PostgreSQL is required: a
// test that cannot reach it fails, it never skips.
package storetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/store"
)

// DefaultPostgresURL is used when SELLO_TEST_POSTGRES_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the PostgreSQL URL tests use.
func PostgresURL() string {
	if u := os.Getenv("SELLO_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Env is what a test gets: a migrated store, its fake clock, the
// checkpoint key, the audit chain key and the heads signed so far (what
// the checkpoint key's state file and the heads file would hold).
type Env struct {
	Store    *store.Store
	Clock    *clock.Fake
	Key      *ecdsa.PrivateKey
	Box      *sealed.Box
	DSN      string
	ChainKey []byte
	Signed   *SignedHeads
}

// SignedHeads is an in-memory store.CheckpointSink.
type SignedHeads struct {
	mu    sync.Mutex
	heads []store.AuditHead
}

// Signed records h.
func (s *SignedHeads) Signed(h store.AuditHead) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads = append(s.heads, h)
	return nil
}

// All returns the heads signed so far, oldest first.
func (s *SignedHeads) All() []store.AuditHead {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]store.AuditHead(nil), s.heads...)
}

// Last returns the last head signed, or nil.
func (s *SignedHeads) Last() *store.AuditHead {
	all := s.All()
	if len(all) == 0 {
		return nil
	}
	return &all[len(all)-1]
}

// Start is the fake clock's start: a Monday in Guadalajara's business hours.
var Start = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

// Each runs fn against SQLite and PostgreSQL as subtests.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated store of dialect d, closed at the end of t.
func Open(t testing.TB, d store.Dialect, opts ...store.Option) *Env {
	t.Helper()
	dsn := DSN(t, d)
	clk := clock.NewFake(Start)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mk := make([]byte, 32)
	rand.Read(mk)
	box, _ := sealed.New(mk)
	ck := make([]byte, 32)
	rand.Read(ck)
	signed := &SignedHeads{}
	all := append([]store.Option{store.WithCheckpoints(key, 5), store.WithSealer(box),
		store.WithChainKey(ck), store.WithCheckpointSink(signed)}, opts...)
	s, err := store.Open(context.Background(), dsn, clk, all...)
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return &Env{Store: s, Clock: clk, Key: key, Box: box, DSN: dsn, ChainKey: ck, Signed: signed}
}

// DSN returns a DSN for a fresh, empty database of dialect d: a temporary
// SQLite file, or a new PostgreSQL schema dropped when t ends.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "sello.db")
	}
	base := PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", base, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		t.Fatalf("PostgreSQL is required for this test and is not reachable at %s (set SELLO_TEST_POSTGRES_URL): %v", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sello_t_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("bad SELLO_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
