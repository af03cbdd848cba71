package store_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// column is what both dialects must agree on: a type family and nullability.
type column struct {
	family  string // integer, text, binary, time
	notNull bool
}

func (c column) String() string {
	null := "NULL"
	if c.notNull {
		null = "NOT NULL"
	}
	return c.family + " " + null
}

// schema maps table -> column -> column.
type schema map[string]map[string]column

func (s schema) add(table, name string, c column) {
	if s[table] == nil {
		s[table] = map[string]column{}
	}
	s[table][name] = c
}

// sqliteFamily and postgresFamily name the type family of a declared type;
// an unknown type is kept as is, so it shows up as a difference.
func sqliteFamily(t string) string {
	switch strings.ToUpper(t) {
	case "INTEGER":
		return "integer"
	case "TEXT":
		return "text"
	case "BLOB":
		return "binary"
	case "DATETIME":
		return "time"
	}
	return "sqlite " + t
}

func postgresFamily(t string) string {
	switch t {
	case "bigint", "integer", "smallint":
		return "integer"
	case "text", "character varying":
		return "text"
	case "bytea":
		return "binary"
	case "timestamp with time zone", "timestamp without time zone":
		return "time"
	}
	return "postgres " + t
}

func sqliteSchema(t *testing.T) schema {
	db := storetest.Open(t, store.SQLite).Store.DB()
	var tables []string
	if err := db.SelectContext(ctx, &tables, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"); err != nil {
		t.Fatal(err)
	}
	s := schema{}
	for _, table := range tables {
		var cols []struct {
			CID     int     `db:"cid"`
			Name    string  `db:"name"`
			Type    string  `db:"type"`
			NotNull bool    `db:"notnull"`
			Default *string `db:"dflt_value"`
			PK      int     `db:"pk"`
		}
		if err := db.SelectContext(ctx, &cols, "SELECT * FROM pragma_table_info(?)", table); err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			// A primary key column is never NULL in practice (an INTEGER
			// PRIMARY KEY is the rowid), though the pragma says notnull = 0.
			s.add(table, c.Name, column{family: sqliteFamily(c.Type), notNull: c.NotNull || c.PK > 0})
		}
	}
	return s
}

func postgresSchema(t *testing.T) schema {
	db := storetest.Open(t, store.Postgres).Store.DB()
	var cols []struct {
		Table    string `db:"table_name"`
		Name     string `db:"column_name"`
		Type     string `db:"data_type"`
		Nullable string `db:"is_nullable"`
	}
	if err := db.SelectContext(ctx, &cols, `SELECT table_name, column_name, data_type, is_nullable
		FROM information_schema.columns WHERE table_schema = current_schema()`); err != nil {
		t.Fatal(err)
	}
	s := schema{}
	for _, c := range cols {
		s.add(c.Table, c.Name, column{family: postgresFamily(c.Type), notNull: c.Nullable == "NO"})
	}
	return s
}

// TestSchemasAgreeAcrossDialects migrates a fresh SQLite and a fresh
// PostgreSQL database and checks that, after all migrations, they have the
// same tables, the same columns, and columns of the same type family and
// nullability: the two migration sets are written by hand and must not drift.
func TestSchemasAgreeAcrossDialects(t *testing.T) {
	lite, pg := sqliteSchema(t), postgresSchema(t)
	if len(lite) < 5 || len(pg) < 5 {
		t.Fatalf("too few tables read (SQLite %d, PostgreSQL %d): the schema query is wrong", len(lite), len(pg))
	}
	var diffs []string
	for _, table := range slices.Sorted(maps.Keys(lite)) {
		if pg[table] == nil {
			diffs = append(diffs, fmt.Sprintf("table %s: only in SQLite", table))
		}
	}
	for _, table := range slices.Sorted(maps.Keys(pg)) {
		lc := lite[table]
		if lc == nil {
			diffs = append(diffs, fmt.Sprintf("table %s: only in PostgreSQL", table))
			continue
		}
		pc := pg[table]
		for _, name := range slices.Sorted(maps.Keys(lc)) {
			if _, ok := pc[name]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: only in SQLite", table, name))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(pc)) {
			l, ok := lc[name]
			switch {
			case !ok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: only in PostgreSQL", table, name))
			case l != pc[name]:
				diffs = append(diffs, fmt.Sprintf("%s.%s: SQLite %s, PostgreSQL %s", table, name, l, pc[name]))
			}
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("the SQLite and PostgreSQL schemas differ:\n%s", strings.Join(diffs, "\n"))
	}
}
