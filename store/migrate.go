package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

//go:embed migrations
var migrationsFS embed.FS

// migrationLock is the PostgreSQL advisory lock key taken while migrating, so
// several nodes starting together apply each migration once.
const migrationLock = 0x53454c4c4f // "SELLO"

// Migrate applies the embedded migrations not yet applied and returns their
// names. It is idempotent.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	dir := "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)

	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, dbErr(err, "migration")
	}
	defer conn.Close()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
			return nil, dbErr(err, "migration lock")
		}
		defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return nil, dbErr(err, "schema_migrations")
	}
	var applied []string
	for _, name := range names {
		var n int
		if err := conn.GetContext(ctx, &n, s.db.Rebind("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), name); err != nil {
			return applied, dbErr(err, "schema_migrations")
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(migrationsFS, dir+"/"+name)
		if err != nil {
			return applied, err
		}
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return applied, dbErr(err, "migration")
		}
		for _, stmt := range splitSQL(string(body)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"),
			name, s.Now().Format("2006-01-02T15:04:05.000000Z")); err != nil {
			tx.Rollback()
			return applied, dbErr(err, "schema_migrations")
		}
		if err := tx.Commit(); err != nil {
			return applied, dbErr(err, "migration commit")
		}
		applied = append(applied, name)
	}
	// Inside the advisory lock, so two nodes do not re-seal at once.
	if done, err := s.resealLegacy(ctx); err != nil {
		return applied, err
	} else if done {
		applied = append(applied, resealStep)
	}
	return applied, nil
}

// splitSQL splits a migration file on semicolons at line ends, dropping
// comment-only statements. Migrations contain no procedural bodies.
func splitSQL(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// PendingMigrations lists the embedded migrations not yet applied.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	entries, err := fs.ReadDir(migrationsFS, "migrations/"+string(s.dialect))
	if err != nil {
		return nil, err
	}
	var applied []string
	if err := s.sel(ctx, &applied, "SELECT version FROM schema_migrations"); err != nil {
		return nil, errs.New(errs.BadConfig, "the database has no schema yet: run `sello migrate`")
	}
	done := map[string]bool{}
	for _, v := range applied {
		done[v] = true
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") && !done[e.Name()] {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	if !done[resealStep] {
		out = append(out, resealStep)
	}
	return out, nil
}
