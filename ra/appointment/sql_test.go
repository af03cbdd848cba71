package appointment

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// The HR table as a Zacatecas payroll system might keep it.
const plazasDDL = `CREATE TABLE plazas (
	curp         VARCHAR(18) NOT NULL,
	dependencia  VARCHAR(100),
	puesto       VARCHAR(100),
	estatus      VARCHAR(20),
	fecha_inicio DATE,
	fecha_fin    DATE,
	clave        INTEGER
)`

const plazasQuery = `SELECT dependencia AS organisation, puesto AS position, estatus AS status,
       fecha_inicio AS start, fecha_fin AS "end"
FROM plazas WHERE curp = ?`

var plazasRows = []string{
	`('ACTIVE01', 'Secretaría de Finanzas', 'Jefe de departamento', 'ACTIVO', '2025-02-01', '2027-01-31', 10)`,
	`('LEAVE01', 'Secretaría de Finanzas', 'Analista', 'LICENCIA', '2024-06-01', NULL, 11)`,
	`('TERM01', 'SEDUZAC', 'Docente', 'BAJA', '2019-01-01', '2026-10-15', 12)`,
	`('TWICE01', 'SEDUZAC', 'Docente', 'ACTIVO', '2020-01-01', NULL, 13)`,
	`('TWICE01', 'SEFIN', 'Auditor', 'ACTIVO', '2021-01-01', NULL, 14)`,
	`('ODD01', 'SEFIN', 'Auditor', 'JUBILADO', '2021-01-01', NULL, 15)`,
	`('NOPOS01', 'SEFIN', NULL, 'ACTIVO', '2021-01-01', NULL, 16)`,
	`('NOSTART01', 'SEFIN', 'Auditor', 'ACTIVO', NULL, NULL, 17)`,
}

// sqlDatabase creates the plazas table in a fresh database of dialect d and
// returns the driver name and DSN a source uses to reach it.
func sqlDatabase(t *testing.T, d store.Dialect) (driver, dsn string) {
	t.Helper()
	dsn = storetest.DSN(t, d)
	driver = "pgx"
	if d == store.SQLite {
		driver, dsn = "sqlite", strings.TrimPrefix(dsn, "sqlite:")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(plazasDDL); err != nil {
		t.Fatalf("%s: %v", d, err)
	}
	for _, r := range plazasRows {
		if _, err := db.Exec(`INSERT INTO plazas (curp, dependencia, puesto, estatus, fecha_inicio, fecha_fin, clave) VALUES ` + r); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	return driver, dsn
}

func newSQLTest(t *testing.T, driver, dsn, query string) *SQLSource {
	t.Helper()
	s, err := NewSQLSource("rh-zacatecas", SQLConfig{Driver: driver, DSN: dsn, Query: query, IDKind: KindCURP, Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func eachDialect(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

func TestSQL_Lookup(t *testing.T) {
	eachDialect(t, func(t *testing.T, d store.Dialect) {
		driver, dsn := sqlDatabase(t, d)
		ctx := context.Background()
		// Dates come back as time.Time from DATE columns and as strings when
		// cast to text: both are read.
		for name, q := range map[string]string{
			"dates": plazasQuery,
			"text dates": `SELECT dependencia AS organisation, puesto AS position, estatus AS status,
       CAST(fecha_inicio AS TEXT) AS start, CAST(fecha_fin AS TEXT) AS "end" FROM plazas WHERE curp = ?`,
		} {
			t.Run(name, func(t *testing.T) {
				s := newSQLTest(t, driver, dsn, q)
				a, err := s.Lookup(ctx, curp("ACTIVE01"))
				wantAppointment(t, a, err, Appointment{Person: curp("ACTIVE01"), Organisation: "Secretaría de Finanzas",
					Position: "Jefe de departamento", Status: Active, Start: day("2025-02-01"), End: day("2027-01-31"),
					Source: "rh-zacatecas", CheckedAt: testNow})
				if !a.CurrentAt(testNow) {
					t.Fatal("not current")
				}
				a, err = s.Lookup(ctx, curp("LEAVE01"))
				wantAppointment(t, a, err, Appointment{Person: curp("LEAVE01"), Organisation: "Secretaría de Finanzas",
					Position: "Analista", Status: OnLeave, Start: day("2024-06-01"), Source: "rh-zacatecas", CheckedAt: testNow})
				a, err = s.Lookup(ctx, curp("TERM01"))
				if err != nil || a.Status != Terminated || !a.End.Equal(day("2026-10-15")) {
					t.Fatalf("terminated: %+v %v", a, err)
				}
				a, err = s.Lookup(ctx, curp("NOBODY"))
				wantNotFound(t, a, err)
				for _, id := range []string{"TWICE01", "ODD01", "NOPOS01", "NOSTART01"} {
					a, err := s.Lookup(ctx, curp(id))
					wantUnavailable(t, a, err)
				}
				_, err = s.Lookup(ctx, curp("TWICE01"))
				if !strings.Contains(err.Error(), "ambiguous") {
					t.Fatalf("two rows: %v, want ambiguous", err)
				}
				// An injection attempt is a value, not SQL.
				a, err = s.Lookup(ctx, curp("x' OR '1'='1"))
				wantNotFound(t, a, err)
			})
		}
		// An integer organisation code is text to us.
		s := newSQLTest(t, driver, dsn, `SELECT clave AS organisation, puesto AS position, estatus AS status,
			fecha_inicio AS start, fecha_fin AS "end" FROM plazas WHERE curp = ?`)
		if a, err := s.Lookup(ctx, curp("ACTIVE01")); err != nil || a.Organisation != "10" {
			t.Fatalf("integer organisation: %+v %v", a, err)
		}
	})
}

func TestRule_R1_SQLDatabaseDownIsUnavailable(t *testing.T) {
	eachDialect(t, func(t *testing.T, d store.Dialect) {
		driver, dsn := sqlDatabase(t, d)
		ctx := context.Background()

		// Closed: the handle is gone.
		s := newSQLTest(t, driver, dsn, plazasQuery)
		if _, err := s.Lookup(ctx, curp("ACTIVE01")); err != nil {
			t.Fatal(err)
		}
		s.Close()
		a, err := s.Lookup(ctx, curp("ACTIVE01"))
		wantUnavailable(t, a, err)

		// The query's shape is wrong: missing, extra or unknown columns.
		for _, q := range []string{
			`SELECT dependencia AS organisation, puesto AS position, estatus AS status, fecha_inicio AS start FROM plazas WHERE curp = ?`,
			`SELECT dependencia AS organisation, puesto AS position, estatus AS status, fecha_inicio AS start, fecha_fin AS "end", clave FROM plazas WHERE curp = ?`,
			`SELECT * FROM plazas WHERE curp = ?`,
			`SELECT dependencia AS organisation, puesto AS position, estatus AS status, fecha_inicio AS start, fecha_fin AS "end" FROM no_such_table WHERE curp = ?`,
			`SELECT dependencia AS organisation, puesto AS position, fecha_inicio AS status, fecha_inicio AS start, fecha_fin AS "end" FROM plazas WHERE curp = ?`,
		} {
			a, err := newSQLTest(t, driver, dsn, q).Lookup(ctx, curp("ACTIVE01"))
			wantUnavailable(t, a, err)
		}
	})

	// Nothing listens there.
	s := newSQLTest(t, "pgx", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", plazasQuery)
	a, err := s.Lookup(context.Background(), curp("ACTIVE01"))
	wantUnavailable(t, a, err)
	if strings.Contains(err.Error(), "ACTIVE01") {
		t.Fatalf("the error carries the identifier: %v", err)
	}
	// A SQLite file in a folder that does not exist cannot be opened.
	s = newSQLTest(t, "sqlite", filepath.Join(t.TempDir(), "missing", "hr.db"), plazasQuery)
	a, err = s.Lookup(context.Background(), curp("ACTIVE01"))
	wantUnavailable(t, a, err)
	// A query that outlives the timeout.
	slow, err := NewSQLSource("slow", SQLConfig{Driver: "pgx", DSN: storetest.DSN(t, store.Postgres), IDKind: KindCURP,
		Query:   `SELECT 'a' AS organisation, 'b' AS position, 'ACTIVO' AS status, '2020-01-01' AS start, NULL AS "end" FROM pg_sleep(5) WHERE ? <> ''`,
		Timeout: 300 * time.Millisecond, Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	start := time.Now()
	a, err = slow.Lookup(context.Background(), curp("ACTIVE01"))
	wantUnavailable(t, a, err)
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("lookup took %s with a 300ms timeout", el)
	}
}

func TestSQL_ConfigIsChecked(t *testing.T) {
	dir := t.TempDir()
	dsnFile := writeFile(t, dir, "dsn", "postgres://sello:pa55word@db.example/hr\n")
	ok := func(f func(*SQLConfig)) SQLConfig {
		c := SQLConfig{Driver: "sqlite", DSN: filepath.Join(dir, "hr.db"), Query: plazasQuery, IDKind: KindCURP, Mapping: testMapping()}
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  SQLConfig
		key  string
	}{
		{"no driver", ok(func(c *SQLConfig) { c.Driver = "" }), "sql.driver"},
		{"unknown driver", ok(func(c *SQLConfig) { c.Driver = "mysql" }), "sql.driver"},
		{"no dsn", ok(func(c *SQLConfig) { c.DSN = "" }), "sql.dsn"},
		{"dsn and dsn_file", ok(func(c *SQLConfig) { c.DSNFile = dsnFile }), "sql.dsn"},
		{"missing dsn_file", ok(func(c *SQLConfig) { c.DSN, c.DSNFile = "", filepath.Join(dir, "nope") }), "sql.dsn_file"},
		{"bad pgx dsn", ok(func(c *SQLConfig) { c.Driver, c.DSN = "pgx", "postgres://sello:pa55word@db.example:notaport/hr" }), "sql.dsn"},
		{"no query", ok(func(c *SQLConfig) { c.Query = "" }), "sql.query"},
		{"no placeholder", ok(func(c *SQLConfig) { c.Query = "SELECT 1" }), "sql.query"},
		{"two placeholders", ok(func(c *SQLConfig) { c.Query = plazasQuery + " OR rfc = ?" }), "sql.query"},
		{"not a select", ok(func(c *SQLConfig) { c.Query = "DELETE FROM plazas WHERE curp = ?" }), "sql.query"},
		{"no id_kind", ok(func(c *SQLConfig) { c.IDKind = "" }), "sql.id_kind"},
		{"negative timeout", ok(func(c *SQLConfig) { c.Timeout = -1 }), "sql.timeout"},
		{"no status_map", ok(func(c *SQLConfig) { c.StatusMap = nil }), "sql.status_map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSQLSource("rh", tt.cfg, newFakeClock())
			wantConfigError(t, err, tt.key)
			if s != nil {
				t.Fatal("a source was returned with an error")
			}
			if strings.Contains(err.Error(), "pa55word") {
				t.Fatalf("the error leaks the DSN's password: %v", err)
			}
		})
	}
	// dsn_file alone is fine, and the source is keyed by its id_kind.
	s, err := NewSQLSource("rh", ok(func(c *SQLConfig) { c.Driver, c.DSN, c.DSNFile = "pgx", "", dsnFile }), newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.Lookup(context.Background(), PersonID{KindRFC, "XAXX010101000"})
	wantType(t, err, errs.Malformed)
	if a != (Appointment{}) {
		t.Fatal("non-zero appointment")
	}
}

// RULES R3: a SQL source may return the holder's name in the column
// name_column names (optional), which the RA compares with the applicant's.
func TestRule_R3_SQLNameColumn(t *testing.T) {
	eachDialect(t, func(t *testing.T, d store.Dialect) {
		driver, dsn := sqlDatabase(t, d)
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{`ALTER TABLE plazas ADD COLUMN nombre_completo VARCHAR(200)`,
			`UPDATE plazas SET nombre_completo = ' José Ángel Núñez ' WHERE curp = 'ACTIVE01'`} {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", d, err)
			}
		}
		db.Close()
		ctx := context.Background()
		named := `SELECT dependencia AS organisation, puesto AS position, estatus AS status,
       fecha_inicio AS start, fecha_fin AS "end", nombre_completo AS nombre FROM plazas WHERE curp = ?`
		cfg := SQLConfig{Driver: driver, DSN: dsn, Query: named, IDKind: KindCURP, NameColumn: "nombre", Mapping: testMapping()}
		s, err := NewSQLSource("rh-zacatecas", cfg, newFakeClock())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		a, err := s.Lookup(ctx, curp("ACTIVE01"))
		if err != nil || a.Name != "José Ángel Núñez" || a.Status != Active {
			t.Fatalf("%+v %v, want the name José Ángel Núñez", a, err)
		}
		// A NULL name is no name, not a doubt.
		if a, err := s.Lookup(ctx, curp("LEAVE01")); err != nil || a.Name != "" || a.Status != OnLeave {
			t.Fatalf("NULL name: %+v %v", a, err)
		}

		// Off by default: the usual query gives no name.
		plain := newSQLTest(t, driver, dsn, plazasQuery)
		if a, err := plain.Lookup(ctx, curp("ACTIVE01")); err != nil || a.Name != "" {
			t.Fatalf("without name_column: %+v %v, want no name", a, err)
		}

		// name_column set but the query does not return it: the answer
		// is not what the operator configured, so it is a doubt.
		cfg.Query = plazasQuery
		missing, err := NewSQLSource("rh-zacatecas", cfg, newFakeClock())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { missing.Close() })
		a, err = missing.Lookup(ctx, curp("ACTIVE01"))
		wantUnavailable(t, a, err)
		if !strings.Contains(err.Error(), "nombre") {
			t.Fatalf("error %v does not name the missing column", err)
		}
	})
	// The name column cannot be one of the fixed columns.
	_, err := NewSQLSource("rh", SQLConfig{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "hr.db"), Query: plazasQuery,
		IDKind: KindCURP, NameColumn: "Status", Mapping: testMapping()}, newFakeClock())
	wantConfigError(t, err, "sql.name_column")
}
