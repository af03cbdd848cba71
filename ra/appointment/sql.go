package appointment

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// sqlColumns are the columns a SQL source's query must return, by name.
var sqlColumns = []string{"organisation", "position", "status", "start", "end"}

// SQLConfig configures a source that runs one query against HR's database.
type SQLConfig struct {
	// Driver is "sqlite" (modernc.org/sqlite) or "pgx" (PostgreSQL).
	Driver string `yaml:"driver"`
	// DSN is the data source name; DSNFile names a file holding it instead,
	// for DSNs that carry a password. Exactly one of them is set.
	DSN     string `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	// Query has exactly one placeholder, written '?', for the identifier
	// value, and returns the columns organisation, position, status, start
	// and "end" (end may be NULL), e.g.
	//   SELECT dependencia AS organisation, puesto AS position,
	//          estatus AS status, fecha_inicio AS start, fecha_fin AS "end"
	//   FROM plazas WHERE curp = ?
	Query string `yaml:"query"`
	// IDKind is the kind of identifier the query's placeholder expects.
	IDKind string `yaml:"id_kind"`
	// NameColumn, optional, names one more column the query returns: the
	// holder's full name, which the RA checks the applicant's name agrees
	// with (RULES R3), e.g. name_column: nombre with
	//   SELECT ..., nombre_completo AS nombre FROM plazas WHERE curp = ?
	NameColumn string `yaml:"name_column"`
	// Timeout bounds one lookup (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	Mapping `yaml:",inline"`
}

// SQLSource looks appointments up with a SQL query.
type SQLSource struct {
	m       *mapper
	db      *sqlx.DB
	query   string
	idKind  string
	nameCol string // lower case; "" when the query returns no name
	timeout time.Duration
}

// NewSQLSource checks cfg and returns a source named name. It does not
// connect: a database that is down makes lookups Unavailable, not start-up
// fail. Close releases the connections.
func NewSQLSource(name string, cfg SQLConfig, clk clock.Clock) (*SQLSource, error) {
	const sec = "sql"
	m, err := newMapper(sec, name, cfg.Mapping, clk)
	if err != nil {
		return nil, err
	}
	s := &SQLSource{m: m, idKind: cfg.IDKind, nameCol: strings.ToLower(cfg.NameColumn)}
	var bind int
	switch cfg.Driver {
	case "sqlite":
		bind = sqlx.QUESTION
	case "pgx":
		bind = sqlx.DOLLAR
	case "":
		return nil, badConfig(sec, "driver", "required: sqlite or pgx")
	default:
		return nil, badConfig(sec, "driver", "%q; want sqlite or pgx", cfg.Driver)
	}
	dsn := cfg.DSN
	switch {
	case cfg.DSN != "" && cfg.DSNFile != "":
		return nil, badConfig(sec, "dsn", "set dsn or dsn_file, not both")
	case cfg.DSNFile != "":
		b, err := os.ReadFile(cfg.DSNFile)
		if err != nil {
			return nil, badConfig(sec, "dsn_file", "cannot read: %v", err)
		}
		dsn = strings.TrimSpace(string(b))
		if dsn == "" {
			return nil, badConfig(sec, "dsn_file", "%s is empty", cfg.DSNFile)
		}
	case dsn == "":
		return nil, badConfig(sec, "dsn", "required (or dsn_file)")
	}
	q := strings.TrimSpace(cfg.Query)
	if q == "" {
		return nil, badConfig(sec, "query", "required")
	}
	if n := strings.Count(q, "?"); n != 1 {
		return nil, badConfig(sec, "query", "must have exactly one ? placeholder for the identifier, found %d", n)
	}
	if first := strings.ToUpper(strings.Fields(q)[0]); first != "SELECT" && first != "WITH" {
		return nil, badConfig(sec, "query", "must be a SELECT (or WITH ... SELECT)")
	}
	s.query = sqlx.Rebind(bind, q)
	if cfg.IDKind == "" {
		return nil, badConfig(sec, "id_kind", "required: the identifier kind the query expects (CURP, RFC, DNI or EMPLOYEE)")
	}
	if !validKind(cfg.IDKind) {
		return nil, badConfig(sec, "id_kind", "%q; want CURP, RFC, DNI or EMPLOYEE", cfg.IDKind)
	}
	if s.timeout, err = checkPositive(sec, "timeout", cfg.Timeout, DefaultTimeout); err != nil {
		return nil, err
	}
	if cfg.NameColumn != "" {
		if strings.TrimSpace(cfg.NameColumn) != cfg.NameColumn || strings.ContainsFunc(cfg.NameColumn, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return nil, badConfig(sec, "name_column", "%q has surrounding blanks or control characters", cfg.NameColumn)
		}
		for _, c := range sqlColumns {
			if s.nameCol == c {
				return nil, badConfig(sec, "name_column", "%q is already the %s column", cfg.NameColumn, c)
			}
		}
	}
	if cfg.Driver == "pgx" {
		// database/sql would only find out at the first lookup, and report
		// a config mistake as the source being down.
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, badConfig(sec, "dsn", "not a PostgreSQL DSN the pgx driver accepts")
		}
	}
	db, err := sqlx.Open(cfg.Driver, dsn)
	if err != nil {
		// The cause may quote the DSN and its password: keep it out.
		return nil, badConfig(sec, "dsn", "the %s driver refuses this DSN", cfg.Driver)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.db = db
	return s, nil
}

// Name returns the source's name.
func (s *SQLSource) Name() string { return s.m.source }

// Close closes the database handle; later lookups are Unavailable.
func (s *SQLSource) Close() error { return s.db.Close() }

// Lookup runs the query for id and maps the single row it must return.
func (s *SQLSource) Lookup(ctx context.Context, id PersonID) (Appointment, error) {
	if err := id.check(); err != nil {
		return Appointment{}, err
	}
	if id.Kind != s.idKind {
		return Appointment{}, errs.New(errs.Malformed, "HR source %q is keyed by %s, not %s", s.m.source, s.idKind, id.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, s.query, id.Value)
	if err != nil {
		return Appointment{}, s.m.down(err, "query failed")
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return Appointment{}, s.m.down(err, "query failed")
	}
	index, err := s.columnIndex(cols)
	if err != nil {
		return Appointment{}, err
	}
	var found []any
	n := 0
	for rows.Next() {
		n++
		if n > 1 {
			return Appointment{}, s.m.unavailable("ambiguous: more than one row for this %s", id.Kind)
		}
		found = make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range found {
			ptrs[i] = &found[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return Appointment{}, s.m.down(err, "reading the row failed")
		}
	}
	if err := rows.Err(); err != nil {
		return Appointment{}, s.m.down(err, "query failed")
	}
	if n == 0 {
		return Appointment{}, s.m.notFound(id)
	}
	var text [3]string
	for i, col := range sqlColumns[:3] {
		v, ok := sqlText(found[index[col]])
		if !ok {
			return Appointment{}, s.m.unavailable("column %s has an unexpected type %T", col, found[index[col]])
		}
		text[i] = v
	}
	r := raw{organisation: text[0], position: text[1], status: text[2], start: found[index["start"]], end: found[index["end"]]}
	if s.nameCol != "" {
		v, ok := sqlText(found[index[s.nameCol]])
		if !ok {
			return Appointment{}, s.m.unavailable("column %s has an unexpected type %T", s.nameCol, found[index[s.nameCol]])
		}
		r.name = v
	}
	return s.m.build(id, r)
}

// columnIndex checks that the query returns exactly sqlColumns, and the
// name column when one is configured.
func (s *SQLSource) columnIndex(cols []string) (map[string]int, error) {
	index := make(map[string]int, len(cols))
	for i, c := range cols {
		index[strings.ToLower(c)] = i
	}
	want := append([]string(nil), sqlColumns...)
	if s.nameCol != "" {
		want = append(want, s.nameCol)
	}
	named := append([]string(nil), want...) // in the documented order, for the message
	got := make([]string, 0, len(index))
	for c := range index {
		got = append(got, c)
	}
	sort.Strings(want)
	sort.Strings(got)
	if len(cols) != len(want) || strings.Join(got, ",") != strings.Join(want, ",") {
		return nil, s.m.unavailable("the query returns columns %v; want exactly %v", cols, named)
	}
	return index, nil
}

// sqlText reads a text column: strings, bytes and integers (organisation
// codes) are text; NULL is empty; anything else is refused.
func sqlText(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case []byte:
		return string(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	}
	return "", false
}
