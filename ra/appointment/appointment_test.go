package appointment

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/sello-pki/sello/internal/errs"
)

func TestRule_R1_CurrentAt(t *testing.T) {
	start, end := day("2026-01-01"), day("2027-01-01")
	base := Appointment{Organisation: "SEJ", Position: "Director", Status: Active, Start: start, End: end}
	with := func(f func(*Appointment)) Appointment { a := base; f(&a); return a }
	tests := []struct {
		name string
		a    Appointment
		at   time.Time
		want bool
	}{
		{"active inside the term", base, testNow, true},
		{"active at its first instant", base, start, true},
		{"active before its start", base, start.Add(-time.Second), false},
		{"active at its end (exclusive)", base, end, false},
		{"active after its end", base, end.Add(time.Hour), false},
		{"open-ended", with(func(a *Appointment) { a.End = time.Time{} }), day("2040-01-01"), true},
		{"on leave", with(func(a *Appointment) { a.Status = OnLeave }), testNow, false},
		{"suspended", with(func(a *Appointment) { a.Status = Suspended }), testNow, false},
		{"terminated", with(func(a *Appointment) { a.Status = Terminated }), testNow, false},
		{"no start date", with(func(a *Appointment) { a.Start = time.Time{} }), testNow, false},
		{"zero appointment", Appointment{}, testNow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.CurrentAt(tt.at); got != tt.want {
				t.Fatalf("CurrentAt(%s) = %v, want %v", tt.at.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestRule_R1_TerminatedIsNotCurrent(t *testing.T) {
	// Terminated is an answer, not an error: a CSV roster says so and the
	// appointment comes back with its dates, yet it is never current.
	dir := t.TempDir()
	p := writeFile(t, dir, "r.csv", "num,org,puesto,estatus,inicio,fin\n7,SEJ,Director,BAJA,2020-01-01,\n")
	s, err := NewCSVSource("roster", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Lookup(context.Background(), PersonID{KindEmployee, "7"})
	if err != nil {
		t.Fatalf("terminated must not be an error: %v", err)
	}
	if a.Status != Terminated || a.CurrentAt(testNow) {
		t.Fatalf("status %s, current %v; want terminated and not current", a.Status, a.CurrentAt(testNow))
	}
}

func TestPersonIDIsChecked(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "r.csv", "num,org,puesto,estatus,inicio,fin\n7,SEJ,Director,ACTIVO,2020-01-01,\n")
	s, err := NewCSVSource("roster", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []PersonID{
		{"", "7"}, {"PASSPORT", "7"}, {KindEmployee, ""}, {KindEmployee, " 7"}, {KindEmployee, "7\n"},
		{KindEmployee, "7\x00"}, {KindCURP, "7"}, // the roster is keyed by employee number
	} {
		a, err := s.Lookup(context.Background(), id)
		wantType(t, err, errs.Malformed)
		if a != (Appointment{}) {
			t.Fatalf("%q: non-zero appointment with an error", id)
		}
	}
}

func TestStatusMapAndDateLayoutAreChecked(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "r.csv", "num,org,puesto,estatus,inicio,fin\n")
	tests := []struct {
		name string
		v    Mapping
		key  string
	}{
		{"missing status_map", Mapping{}, "status_map"},
		{"unknown status", Mapping{StatusMap: map[string]Status{"ACTIVO": Active, "X": "retired"}}, "status_map"},
		{"nothing is active", Mapping{StatusMap: map[string]Status{"BAJA": Terminated}}, "status_map"},
		{"blank key", Mapping{StatusMap: map[string]Status{"ACTIVO": Active, " ": Terminated}}, "status_map"},
		{"bad layout", Mapping{StatusMap: testStatusMap(), DateLayout: "dd/mm/yyyy"}, "date_layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCSVSource("roster", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: tt.v}, newFakeClock())
			wantConfigError(t, err, tt.key)
		})
	}
	if _, err := NewCSVSource("", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, newFakeClock()); err == nil {
		t.Fatal("a source without a name was accepted")
	}
	if _, err := NewCSVSource("roster", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, nil); err == nil {
		t.Fatal("a source without a clock was accepted")
	}
}

func TestDates(t *testing.T) {
	m, err := newMapper("csv", "t", Mapping{StatusMap: testStatusMap(), DateLayout: "02/01/2006"}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	id := PersonID{KindCURP, "X"}
	a, err := m.build(id, raw{organisation: "O", position: "P", status: "ACTIVO", start: "15/01/2026", end: "2026-12-31T18:00:00-06:00"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Start.Equal(day("2026-01-15")) || !a.End.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("start %s end %s", a.Start, a.End)
	}
	for name, r := range map[string]raw{
		"bad start":           {organisation: "O", position: "P", status: "ACTIVO", start: "2026-01-15"},
		"missing start":       {organisation: "O", position: "P", status: "ACTIVO"},
		"bad end":             {organisation: "O", position: "P", status: "ACTIVO", start: "15/01/2026", end: "mañana"},
		"end before start":    {organisation: "O", position: "P", status: "ACTIVO", start: "15/01/2026", end: "14/01/2026"},
		"unmapped status":     {organisation: "O", position: "P", status: "JUBILADO", start: "15/01/2026"},
		"status in lowercase": {organisation: "O", position: "P", status: "activo", start: "15/01/2026"},
		"blank organisation":  {organisation: "  ", position: "P", status: "ACTIVO", start: "15/01/2026"},
		"no position":         {organisation: "O", status: "ACTIVO", start: "15/01/2026"},
		"no status":           {organisation: "O", position: "P", start: "15/01/2026"},
		"start is a number":   {organisation: "O", position: "P", status: "ACTIVO", start: int64(20260115)},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := m.build(id, r)
			wantUnavailable(t, a, err)
		})
	}
	_, err = m.build(id, raw{organisation: "O", position: "P", status: "JUBILADO", start: "15/01/2026"})
	if !strings.Contains(err.Error(), `"JUBILADO"`) {
		t.Fatalf("the error does not name the unmapped value: %v", err)
	}
	if !isType(err, errs.Unavailable) {
		t.Fatal("errors.Is does not match the Unavailable sentinel")
	}
}

func TestNewRefusesKindAndSectionMismatch(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "r.csv", "num,org,puesto,estatus,inicio,fin\n")
	csvCfg := &CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}
	sqlCfg := &SQLConfig{Driver: "sqlite", DSN: filepath.Join(dir, "x.db"), Query: "SELECT 1 WHERE ? = 1", IDKind: KindCURP, Mapping: testMapping()}
	tests := []struct {
		name string
		cfg  Config
		key  string
	}{
		{"no kind", Config{Name: "x", CSV: csvCfg}, "kind"},
		{"unknown kind", Config{Kind: "soap", Name: "x", CSV: csvCfg}, "soap"},
		{"section missing", Config{Kind: KindSQL, Name: "x", CSV: csvCfg}, "sql"},
		{"extra section", Config{Kind: KindCSV, Name: "x", CSV: csvCfg, SQL: sqlCfg}, "sql"},
		{"another extra section", Config{Kind: KindCSV, Name: "x", CSV: csvCfg, LDAP: &LDAPConfig{}}, "ldap"},
		{"bad section", Config{Kind: KindCSV, Name: "x", CSV: &CSVConfig{}}, "csv.status_map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg, newFakeClock())
			wantConfigError(t, err, tt.key)
			if s != nil {
				t.Fatalf("New returned a non-nil Source with an error: %#v", s)
			}
		})
	}
	s, err := New(Config{Kind: KindCSV, Name: "x", CSV: csvCfg}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*CSVSource); !ok {
		t.Fatalf("New built %T for kind csv", s)
	}
}

// The YAML below is the shape documented for operators; it must decode
// strictly (unknown keys refused, as the config loader does) and build.
func TestConfigYAML(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rh.token", "s3cr3t-token\n")
	writeFile(t, dir, "ldap.pass", "secret\n")
	writeFile(t, dir, "plantilla.csv", "num_empleado,dependencia,puesto,estatus,fecha_inicio,fecha_fin\n")
	statusMap := `
    status_map:
      ACTIVO: active
      LICENCIA: on_leave
      SUSPENDIDO: suspended
      BAJA: terminated
    date_layout: "2006-01-02"`
	docs := map[string]string{
		"http": `
kind: http
name: rh-jalisco
http:
    url: http://127.0.0.1:8080/api/v1/servidores/{kind}/{id}
    token_file: DIR/rh.token
    timeout: 3s
    fields:
      organisation: data.dependencia
      position: data.puesto
      status: data.estatus
      start: data.fecha_inicio
      end: data.fecha_fin` + statusMap,
		"sql": `
kind: sql
name: rh-zacatecas
sql:
    driver: sqlite
    dsn: DIR/rh.db
    id_kind: CURP
    query: >-
      SELECT dependencia AS organisation, puesto AS position, estatus AS status,
             fecha_inicio AS start, fecha_fin AS "end" FROM plazas WHERE curp = ?
    timeout: 5s` + statusMap,
		"csv": `
kind: csv
name: rh-tijuana
csv:
    file: DIR/plantilla.csv
    id_kind: EMPLOYEE
    columns:
      id: num_empleado
      organisation: dependencia
      position: puesto
      status: estatus
      start: fecha_inicio
      end: fecha_fin
    reload_interval: 2s` + statusMap,
		"ldap": `
kind: ldap
name: ad-cajamarca
ldap:
    url: ldap://127.0.0.1:389
    bind_dn: cn=sello,ou=servicios,dc=cajamarca,dc=gob,dc=pe
    password_file: DIR/ldap.pass
    base_dn: ou=personal,dc=cajamarca,dc=gob,dc=pe
    filter: (&(objectClass=user)(employeeID={id}))
    id_kind: DNI
    attributes:
      organisation: department
      position: title
      status: employeeType
      start: extensionAttribute1
      end: extensionAttribute2
    ad_user_account_control: true
    timeout: 5s` + statusMap,
	}
	for kind, doc := range docs {
		t.Run(kind, func(t *testing.T) {
			var cfg Config
			doc = strings.ReplaceAll(doc, "DIR", dir)
			if err := yaml.UnmarshalWithOptions([]byte(doc), &cfg, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
				t.Fatalf("decode: %v", yaml.FormatError(err, false, true))
			}
			if cfg.Kind != kind {
				t.Fatalf("kind %q", cfg.Kind)
			}
			s, err := New(cfg, newFakeClock())
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := s.(interface{ Close() error }); ok {
				c.Close()
			}
			if n := s.(interface{ Name() string }).Name(); n != cfg.Name {
				t.Fatalf("Name() = %q, want %q", n, cfg.Name)
			}
			// The inlined values and the durations are read.
			switch kind {
			case "http":
				if cfg.HTTP.Timeout != 3*time.Second || cfg.HTTP.StatusMap["LICENCIA"] != OnLeave || cfg.HTTP.Fields.End != "data.fecha_fin" {
					t.Fatalf("decoded %+v", cfg.HTTP)
				}
			case "csv":
				if cfg.CSV.ReloadInterval != 2*time.Second || cfg.CSV.DateLayout != "2006-01-02" {
					t.Fatalf("decoded %+v", cfg.CSV)
				}
			case "ldap":
				if !cfg.LDAP.ADUserAccountControl || cfg.LDAP.StatusMap["BAJA"] != Terminated {
					t.Fatalf("decoded %+v", cfg.LDAP)
				}
			}
		})
	}
	var cfg Config
	bad := "kind: csv\nname: x\ncsv:\n  file: x.csv\n  reload_intervall: 2s\n"
	if err := yaml.UnmarshalWithOptions([]byte(bad), &cfg, yaml.DisallowUnknownField(), yaml.Strict()); err == nil {
		t.Fatal("an unknown key was accepted")
	}
}
