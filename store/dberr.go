package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sello-pki/sello/internal/errs"
)

// failure is what went wrong in the database, whichever the driver.
type failure int

const (
	failOther      failure = iota // the database is down, full or unreachable
	failDuplicate                 // a unique or primary key already holds the value
	failReference                 // a foreign key points at no row, or a row is still referred to
	failInvalid                   // NOT NULL, CHECK or a data exception: the store let a bad value through
	failContention                // serialization failure, deadlock, lock wait: another transaction won
	failCancelled                 // statement timeout, cancel or interrupt
	failSchema                    // no such table or column, bad SQL: a bug, or a database not migrated
)

// dbErr turns driver errors into typed errors. It classifies them by the
// drivers' codes (PostgreSQL's SQLSTATE, SQLite's extended result codes),
// never by their messages, which change with driver versions and locales.
func dbErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(errs.NotFound, "%s not found", what)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errs.Wrap(errs.Unavailable, err, "%s: request cancelled or timed out", what)
	}
	switch classify(err) {
	case failDuplicate:
		return errs.Wrap(errs.Conflict, err, "%s already exists", what)
	case failReference:
		return errs.Wrap(errs.Conflict, err, "%s refers to a record that does not exist, or is still referred to", what)
	case failContention:
		// Retrying the whole transaction is the cure: the caller may try
		// again (503), and it is never mistaken for a duplicate (409).
		return errs.Wrap(errs.Unavailable, err, "%s was changed concurrently; try again", what)
	case failCancelled:
		return errs.Wrap(errs.Unavailable, err, "%s: request cancelled or timed out", what)
	case failInvalid:
		return errs.Wrap(errs.Internal, err, "%s: a value the database schema refuses", what)
	case failSchema:
		return errs.Wrap(errs.Internal, err, "%s: the statement does not match the database schema", what)
	}
	return errs.Wrap(errs.Unavailable, err, "database error on %s", what)
}

func classify(err error) failure {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return classifyPostgres(pe.Code)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return classifySQLite(se.Code())
	}
	return failOther
}

// classifyPostgres reads a SQLSTATE (PostgreSQL manual, appendix A).
func classifyPostgres(code string) failure {
	switch code {
	case "23505": // unique_violation
		return failDuplicate
	case "23503": // foreign_key_violation
		return failReference
	case "23502", "23514": // not_null_violation, check_violation
		return failInvalid
	case "40001", "40P01", "55P03": // serialization_failure, deadlock_detected, lock_not_available
		return failContention
	case "57014": // query_canceled (statement_timeout or a cancel request)
		return failCancelled
	}
	if len(code) == 5 {
		switch code[:2] {
		case "22": // data exception
			return failInvalid
		case "42": // syntax error or access rule violation (undefined table or column)
			return failSchema
		}
	}
	return failOther
}

// classifySQLite reads an extended result code (https://sqlite.org/rescode.html);
// the low byte is the primary code.
func classifySQLite(code int) failure {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return failDuplicate
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return failReference
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
		return failInvalid
	}
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED: // includes BUSY_SNAPSHOT: a stale read snapshot
		return failContention
	case sqlite3.SQLITE_INTERRUPT:
		return failCancelled
	case sqlite3.SQLITE_CONSTRAINT:
		return failInvalid
	case sqlite3.SQLITE_ERROR: // no such table or column, syntax error
		return failSchema
	}
	return failOther
}
