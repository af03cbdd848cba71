package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// driverCode names the code a driver gave an error: "pg:23505", "sqlite:2067",
// or "" when the error carries none.
func driverCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "pg:" + pe.Code
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("sqlite:%d", se.Code())
	}
	return ""
}

// insertOrg inserts an organisation row directly, bypassing the store's checks.
func insertOrg(ctx context.Context, db *sqlx.DB, code string, name any, status string) error {
	_, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO organisations (code, name, policy_id, status, status_changed_at, created_at)
		VALUES (?, ?, 'jalisco', ?, ?, ?)`), code, name, status, storetest.Start, storetest.Start)
	return err
}

// dbErrCase provokes one real driver error; codes gives the code each
// dialect is expected to report (a dialect without one does not run the case).
type dbErrCase struct {
	name    string
	codes   map[store.Dialect]string
	want    errs.Type
	detail  string
	provoke func(t *testing.T, e *storetest.Env) error
}

var dbErrCases = []dbErrCase{
	{
		name: "unique", want: errs.Conflict, detail: "already exists",
		codes: map[store.Dialect]string{store.Postgres: "pg:23505", store.SQLite: "sqlite:2067"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			if err := insertOrg(ctx, e.Store.DB(), "SEP", "Secretaría", "accredited"); err != nil {
				t.Fatal(err)
			}
			return insertOrg(ctx, e.Store.DB(), "SEP", "Otra", "accredited")
		},
	},
	{
		name: "primary key", want: errs.Conflict, detail: "already exists",
		codes: map[store.Dialect]string{store.Postgres: "pg:23505", store.SQLite: "sqlite:1555"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			db := e.Store.DB()
			q := db.Rebind("INSERT INTO serials (issuer_id, serial, not_after, reserved_at) VALUES ('i', '0a', ?, ?)")
			if _, err := db.ExecContext(ctx, q, storetest.Start, storetest.Start); err != nil {
				t.Fatal(err)
			}
			_, err := db.ExecContext(ctx, q, storetest.Start, storetest.Start)
			return err
		},
	},
	{
		name: "foreign key", want: errs.Conflict, detail: "refers to a record",
		codes: map[store.Dialect]string{store.Postgres: "pg:23503", store.SQLite: "sqlite:787"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			db := e.Store.DB()
			_, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO agents (org_id, person_id, role, status, created_at, updated_at)
				VALUES (424242, 424242, 'agent', 'active', ?, ?)`), storetest.Start, storetest.Start)
			return err
		},
	},
	{
		name: "not null", want: errs.Internal, detail: "schema refuses",
		codes: map[store.Dialect]string{store.Postgres: "pg:23502", store.SQLite: "sqlite:1299"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			return insertOrg(ctx, e.Store.DB(), "SEP", nil, "accredited")
		},
	},
	{
		name: "check", want: errs.Internal, detail: "schema refuses",
		codes: map[store.Dialect]string{store.Postgres: "pg:23514", store.SQLite: "sqlite:275"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			return insertOrg(ctx, e.Store.DB(), "SEP", "Secretaría", "dissolved")
		},
	},
	{
		name: "data exception", want: errs.Internal, detail: "schema refuses",
		codes: map[store.Dialect]string{store.Postgres: "pg:22P02"}, // SQLite converts instead of refusing
		provoke: func(t *testing.T, e *storetest.Env) error {
			var n int
			return e.Store.DB().GetContext(ctx, &n, "SELECT CAST('x' AS INTEGER)")
		},
	},
	{
		name: "no such table", want: errs.Internal, detail: "does not match the database schema",
		codes: map[store.Dialect]string{store.Postgres: "pg:42P01", store.SQLite: "sqlite:1"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			var n int
			return e.Store.DB().GetContext(ctx, &n, "SELECT count(*) FROM no_such_table")
		},
	},
	{
		name: "serialization failure", want: errs.Unavailable, detail: "changed concurrently",
		codes:   map[store.Dialect]string{store.Postgres: "pg:40001"},
		provoke: provokeSerializationFailure,
	},
	{
		name: "deadlock", want: errs.Unavailable, detail: "changed concurrently",
		codes:   map[store.Dialect]string{store.Postgres: "pg:40P01"},
		provoke: provokeDeadlock,
	},
	{
		name: "busy", want: errs.Unavailable, detail: "changed concurrently",
		codes:   map[store.Dialect]string{store.SQLite: "sqlite:5"},
		provoke: provokeBusy,
	},
	{
		name: "busy snapshot", want: errs.Unavailable, detail: "changed concurrently",
		codes:   map[store.Dialect]string{store.SQLite: "sqlite:517"},
		provoke: provokeBusySnapshot,
	},
	{
		name: "statement timeout", want: errs.Unavailable, detail: "cancelled or timed out",
		codes: map[store.Dialect]string{store.Postgres: "pg:57014"},
		provoke: func(t *testing.T, e *storetest.Env) error {
			tx, err := e.Store.DB().BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 50"); err != nil {
				t.Fatal(err)
			}
			_, err = tx.ExecContext(ctx, "SELECT pg_sleep(5)")
			return err
		},
	},
}

// TestDBErrClassifiesDriverCodes provokes each driver error for real, on a
// fresh store of each dialect, and checks both the code the driver reported
// and the typed error it maps to.
func TestDBErrClassifiesDriverCodes(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			for _, c := range dbErrCases {
				code, ok := c.codes[d]
				if !ok {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					err := c.provoke(t, storetest.Open(t, d))
					if got := driverCode(err); got != code {
						t.Fatalf("provoked %q (%v), want %s", got, err, code)
					}
					mapped := store.DBErr(err, "thing")
					var te *errs.Error
					if !errors.As(mapped, &te) || te.Type != c.want || !strings.Contains(te.Detail, c.detail) {
						t.Fatalf("%s mapped to %v, want %s mentioning %q", code, mapped, c.want, c.detail)
					}
					if !errors.Is(mapped, err) {
						t.Fatalf("the driver error is not kept as the cause of %v", mapped)
					}
				})
			}
		})
	}
}

// TestDBErrCancelledContext: a query whose context ends is Unavailable on
// both databases (SQLite interrupts it, pgx cancels it).
func TestDBErrCancelledContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		q := "SELECT pg_sleep(5)"
		if e.Store.Dialect() == store.SQLite {
			q = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
		}
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := e.Store.DB().ExecContext(cctx, q)
		if err == nil {
			t.Fatal("the query outlived its context")
		}
		if got := store.DBErr(err, "thing"); !errs.Has(got, errs.Unavailable) || !strings.Contains(got.Error(), "cancelled or timed out") {
			t.Fatalf("%v mapped to %v, want unavailable (cancelled or timed out)", err, got)
		}
	})
}

// TestDBErrDuplicateThroughTheStore: the mapping is what a store method
// returns, not only what DBErr would say.
func TestDBErrDuplicateThroughTheStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		create := func() error {
			return e.Store.InTx(ctx, func(tx *store.Tx) error {
				return tx.CreateOrganisation(ctx, &store.Organisation{Code: "SEP-JAL", Name: "Secretaría", PolicyID: "jalisco"})
			})
		}
		if err := create(); err != nil {
			t.Fatal(err)
		}
		if err := create(); !errs.Has(err, errs.Conflict) {
			t.Fatalf("second organisation with the same code: %v, want conflict", err)
		}
	})
}

// provokeSerializationFailure: a REPEATABLE READ transaction updates a row
// that another transaction changed after its snapshot was taken.
func provokeSerializationFailure(t *testing.T, e *storetest.Env) error {
	db := e.Store.DB()
	if err := insertOrg(ctx, db, "SEP", "Secretaría", "accredited"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var name string
	if err := tx.GetContext(ctx, &name, "SELECT name FROM organisations WHERE code = 'SEP'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "UPDATE organisations SET name = 'Otra' WHERE code = 'SEP'"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "UPDATE organisations SET name = 'Tercera' WHERE code = 'SEP'")
	return err
}

// provokeDeadlock: two transactions lock two rows in opposite orders;
// PostgreSQL aborts one of them.
func provokeDeadlock(t *testing.T, e *storetest.Env) error {
	db := e.Store.DB()
	for _, code := range []string{"A", "B"} {
		if err := insertOrg(ctx, db, code, code, "accredited"); err != nil {
			t.Fatal(err)
		}
	}
	var txs [2]*sqlx.Tx
	for i, first := range []string{"A", "B"} {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "UPDATE organisations SET name = 'x' WHERE code = $1", first); err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i, second := range []string{"B", "A"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = txs[i].ExecContext(ctx, "UPDATE organisations SET name = 'y' WHERE code = $1", second)
			if results[i] != nil {
				txs[i].Rollback() // releases the locks, so the other one proceeds
			}
		}()
	}
	wg.Wait()
	return errors.Join(results[0], results[1])
}

// openSQLite opens a second handle on the store's SQLite file that gives up
// at once on a lock and begins transactions deferred.
func openSQLite(t *testing.T, e *storetest.Env) *sql.DB {
	path := strings.TrimPrefix(e.DSN, "sqlite:")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

// provokeBusy: a write, from a handle that does not wait, while the store
// holds the write lock.
func provokeBusy(t *testing.T, e *storetest.Env) error {
	holder, err := e.Store.DB().BeginTxx(ctx, nil) // _txlock=immediate: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	other := openSQLite(t, e)
	_, err = other.ExecContext(ctx, `INSERT INTO organisations (code, name, policy_id, status, status_changed_at, created_at)
		VALUES ('SEP', 'Secretaría', 'jalisco', 'accredited', ?, ?)`, storetest.Start, storetest.Start)
	return err
}

// provokeBusySnapshot: a deferred transaction reads, another connection
// commits a write, and the first then tries to write from its stale snapshot.
func provokeBusySnapshot(t *testing.T, e *storetest.Env) error {
	other := openSQLite(t, e)
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM organisations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := insertOrg(ctx, e.Store.DB(), "SEP", "Secretaría", "accredited"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO organisations (code, name, policy_id, status, status_changed_at, created_at)
		VALUES ('OTRA', 'Otra', 'jalisco', 'accredited', ?, ?)`, storetest.Start, storetest.Start)
	return err
}
