// Package store owns everything Sello must not lose: organisations, agents,
// people (sealed), enrollments, certificates and their status history, the
// durable outbox and the hash-chained audit log. It runs on SQLite
// (modernc.org/sqlite, pure Go, the default) and PostgreSQL (pgx), with one
// set of queries rebound per driver and embedded migrations per dialect.
//
// State changes happen inside InTx together with their audit entry and outbox
// jobs, so a crash leaves either all of them or none.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
)

// Dialect is the SQL flavour of the database behind a Store.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	q       queryer // where reads go: the pool, or a transaction (Tx.Read)
	inTx    bool
	dialect Dialect
	clk     clock.Clock
	log     *slog.Logger
	audit   auditConfig
	box     *sealed.Box
}

// Option configures a Store.
type Option func(*Store)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// WithCheckpoints makes the audit log write a signed checkpoint every n
// entries, signed by signer (see audit.go).
func WithCheckpoints(signer CheckpointSigner, every int) Option {
	return func(s *Store) {
		s.audit.signer = signer
		s.audit.every = every
	}
}

// Open connects to the database named by dsn: "postgres://…" or
// "postgresql://…" for PostgreSQL; "sqlite:PATH", "file:PATH" or a plain path
// for SQLite (created if missing, WAL journal, busy timeout, foreign keys).
func Open(ctx context.Context, dsn string, clk clock.Clock, opts ...Option) (*Store, error) {
	s := &Store{clk: clk, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	var (
		db  *sqlx.DB
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = Postgres
		db, err = sqlx.Open("pgx", dsn)
		if err == nil {
			db.SetMaxOpenConns(16)
			db.SetMaxIdleConns(16)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		s.dialect = SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if path == "" {
			return nil, errs.New(errs.BadConfig, "database: empty SQLite path")
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, errs.Wrap(errs.BadConfig, err, "database: cannot create folder %s", dir)
			}
		}
		if path != ":memory:" {
			if err := secureSQLiteFiles(path); err != nil {
				return nil, err
			}
		}
		// _txlock=immediate takes the write lock at BEGIN, so read-then-write
		// transactions (the audit chain) wait on busy_timeout instead of
		// failing with SQLITE_BUSY on lock upgrade.
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		q.Set("_time_format", "sqlite")
		db, err = sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err == nil {
			// One writer at a time is SQLite's model; a small pool still lets
			// readers run beside it in WAL mode.
			db.SetMaxOpenConns(4)
		}
	}
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "database: cannot open")
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, errs.Wrap(errs.Unavailable, err, "database: cannot connect")
	}
	s.db, s.q = db, db
	return s, nil
}

// Dialect returns the database flavour.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the handle for tests and tools that inspect the database directly.
func (s *Store) DB() *sqlx.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return errs.Wrap(errs.Unavailable, err, "database unavailable")
	}
	return nil
}

// Tx is a transaction. Repository methods that change state live on Tx so a
// change, its audit entry and its outbox jobs commit together.
type Tx struct {
	tx *sqlx.Tx
	s  *Store
	// afterCommit hooks run once the transaction committed.
	afterCommit []func()
}

// InTx runs fn in a transaction, committing if it returns nil.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	if s.inTx {
		return errs.New(errs.Internal, "a transaction was opened from inside another (read through the Tx, not the Store)")
	}
	t, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "database unavailable")
	}
	tx := &Tx{tx: t, s: s}
	if err := fn(tx); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return errs.Wrap(errs.Unavailable, err, "database: commit failed")
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// Now returns the store clock's time truncated to what both databases keep
// (microseconds), in UTC.
func (s *Store) Now() time.Time { return dbTime(s.clk.Now()) }

func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.tx.Rebind(q), args...)
}

func (tx *Tx) get(ctx context.Context, dst any, q string, args ...any) error {
	return tx.tx.GetContext(ctx, dst, tx.tx.Rebind(q), args...)
}

func (tx *Tx) sel(ctx context.Context, dst any, q string, args ...any) error {
	return tx.tx.SelectContext(ctx, dst, tx.tx.Rebind(q), args...)
}

// insert runs an INSERT … RETURNING id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.tx.QueryRowxContext(ctx, tx.tx.Rebind(q+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// queryer is what reads need: a *sqlx.DB or a *sqlx.Tx.
type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	Rebind(query string) string
}

func (s *Store) get(ctx context.Context, dst any, q string, args ...any) error {
	return s.q.GetContext(ctx, dst, s.q.Rebind(q), args...)
}

func (s *Store) sel(ctx context.Context, dst any, q string, args ...any) error {
	return s.q.SelectContext(ctx, dst, s.q.Rebind(q), args...)
}

// read returns a view of the store whose reads run inside this transaction
// (see txreads.go). Only its read methods may be used; anything that opens
// a transaction of its own is refused at run time, a backstop for what the
// interfaces of package ra already rule out by type.
func (tx *Tx) read() *Store {
	v := *tx.s
	v.q, v.inTx = tx.tx, true
	return &v
}

func notFoundOr(err error, format string, args ...any) error {
	return dbErr(err, fmt.Sprintf(format, args...))
}

// Redact hides the password in a database URL for logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Box returns the sealing box for personal data (nil when not configured).
func (s *Store) Box() *sealed.Box { return s.box }

// AfterCommit registers f to run once the transaction has committed (for
// waking workers; never for anything that must not be lost).
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }
