package appointment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/clock"
)

func testCSVColumns() CSVColumns {
	return CSVColumns{ID: "num", Organisation: "org", Position: "puesto", Status: "estatus", Start: "inicio", End: "fin"}
}

const roster1 = "num,org,puesto,estatus,inicio,fin\n" +
	"1001,SEJ,Director de área,ACTIVO,2025-02-01,2027-01-31\n" +
	"1002,SEJ,Analista,LICENCIA,2024-06-01,\n" +
	"1003,SIOP,Jefe de departamento,BAJA,2019-01-01,2026-10-15\n" +
	"\"1004\",\"SIOP, Dirección General\",\"Coordinador \"\"B\"\"\",SUSPENDIDO,2023-03-01,\n"

// newTestRoster writes content and opens a CSV source on it.
func newTestRoster(t *testing.T, content string) (*CSVSource, string, *clock.Fake) {
	t.Helper()
	p := writeFile(t, t.TempDir(), "plantilla.csv", content)
	clk := newFakeClock()
	s, err := NewCSVSource("rh-tijuana", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, clk)
	if err != nil {
		t.Fatal(err)
	}
	return s, p, clk
}

func TestCSV_Lookup(t *testing.T) {
	s, _, clk := newTestRoster(t, roster1)
	ctx := context.Background()
	clk.Add(time.Second)
	emp := func(v string) PersonID { return PersonID{KindEmployee, v} }

	a, err := s.Lookup(ctx, emp("1001"))
	wantAppointment(t, a, err, Appointment{Person: emp("1001"), Organisation: "SEJ", Position: "Director de área",
		Status: Active, Start: day("2025-02-01"), End: day("2027-01-31"), Source: "rh-tijuana", CheckedAt: clk.Now()})
	if !a.CurrentAt(clk.Now()) {
		t.Fatal("an active appointment inside its term is not current")
	}
	a, err = s.Lookup(ctx, emp("1002"))
	wantAppointment(t, a, err, Appointment{Person: emp("1002"), Organisation: "SEJ", Position: "Analista",
		Status: OnLeave, Start: day("2024-06-01"), Source: "rh-tijuana", CheckedAt: clk.Now()})
	a, err = s.Lookup(ctx, emp("1003"))
	if err != nil || a.Status != Terminated {
		t.Fatalf("1003: %+v %v, want terminated", a, err)
	}
	a, err = s.Lookup(ctx, emp("1004"))
	if err != nil || a.Organisation != "SIOP, Dirección General" || a.Position != `Coordinador "B"` || a.Status != Suspended {
		t.Fatalf("quoted fields: %+v %v", a, err)
	}
	a, err = s.Lookup(ctx, emp("9999"))
	wantNotFound(t, a, err)
}

func TestCSV_ReloadsWhenTheFileChanges(t *testing.T) {
	s, p, clk := newTestRoster(t, roster1)
	ctx := context.Background()
	id := PersonID{KindEmployee, "1001"}

	// HR terminates 1001 and hires 1005.
	rewrite(t, p, strings.Replace(roster1, "1001,SEJ,Director de área,ACTIVO", "1001,SEJ,Director de área,BAJA", 1)+
		"1005,SEJ,Auxiliar,ACTIVO,2026-11-01,\n", time.Minute)

	clk.Add(time.Second) // before reload_interval: the file is not looked at
	if a, err := s.Lookup(ctx, id); err != nil || a.Status != Active {
		t.Fatalf("before the interval: %+v %v, want the old roster", a, err)
	}
	clk.Add(DefaultReloadInterval)
	if a, err := s.Lookup(ctx, id); err != nil || a.Status != Terminated {
		t.Fatalf("after the interval: %+v %v, want terminated", a, err)
	}
	if a, err := s.Lookup(ctx, PersonID{KindEmployee, "1005"}); err != nil || a.Position != "Auxiliar" {
		t.Fatalf("new hire: %+v %v", a, err)
	}
	if err := s.LastReloadError(); err != nil {
		t.Fatalf("LastReloadError after a good reload: %v", err)
	}
}

func TestCSV_BrokenRewriteKeepsTheOldRoster(t *testing.T) {
	s, p, clk := newTestRoster(t, roster1)
	ctx := context.Background()
	id := PersonID{KindEmployee, "1001"}

	// A half-written export: line 3 has an unmapped status value.
	rewrite(t, p, "num,org,puesto,estatus,inicio,fin\n1001,SEJ,Director,BAJA,2025-02-01,\n1002,SEJ,Analista,???,2024-06-01,\n", time.Minute)
	clk.Add(DefaultReloadInterval)
	if a, err := s.Lookup(ctx, id); err != nil || a.Status != Active {
		t.Fatalf("after a broken rewrite: %+v %v, want the old roster (active)", a, err)
	}
	rerr := s.LastReloadError()
	if rerr == nil || !strings.Contains(rerr.Error(), "line 3") || !strings.Contains(rerr.Error(), `"???"`) {
		t.Fatalf("LastReloadError = %v, want line 3 and the value", rerr)
	}
	// Still broken at the next check: still the old roster, still the error.
	clk.Add(DefaultReloadInterval)
	if a, err := s.Lookup(ctx, id); err != nil || a.Status != Active || s.LastReloadError() == nil {
		t.Fatalf("second check: %+v %v %v", a, err, s.LastReloadError())
	}

	// The file disappears: the roster stays, the error says so.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	clk.Add(DefaultReloadInterval)
	if a, err := s.Lookup(ctx, id); err != nil || a.Status != Active {
		t.Fatalf("after the file disappeared: %+v %v", a, err)
	}
	if rerr := s.LastReloadError(); rerr == nil || !os.IsNotExist(unwrapAll(rerr)) {
		t.Fatalf("LastReloadError = %v, want a missing file", rerr)
	}

	// A good file comes back: it is used and the error clears.
	rewrite(t, p, strings.Replace(roster1, "1001,SEJ,Director de área,ACTIVO", "1001,SEJ,Director de área,SUSPENDIDO", 1), 2*time.Minute)
	clk.Add(DefaultReloadInterval)
	if a, err := s.Lookup(ctx, id); err != nil || a.Status != Suspended {
		t.Fatalf("after a good rewrite: %+v %v", a, err)
	}
	if err := s.LastReloadError(); err != nil {
		t.Fatalf("LastReloadError = %v after a good reload", err)
	}
}

func TestCSV_BOMAndDelimiter(t *testing.T) {
	p := writeFile(t, t.TempDir(), "r.csv", "\ufeffnum;org;puesto;estatus;inicio;fin\r\n1001;SEJ;Director;ACTIVO;2025-02-01;\r\n")
	s, err := NewCSVSource("r", CSVConfig{File: p, Delimiter: ";", IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatalf("a roster with a BOM (Excel's UTF-8 export) is refused: %v", err)
	}
	if a, err := s.Lookup(context.Background(), PersonID{KindEmployee, "1001"}); err != nil || a.Organisation != "SEJ" {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestCSV_OptionalEndColumn(t *testing.T) {
	p := writeFile(t, t.TempDir(), "r.csv", "num,org,puesto,estatus,inicio\n1001,SEJ,Director,ACTIVO,2025-02-01\n")
	cols := testCSVColumns()
	cols.End = ""
	s, err := NewCSVSource("r", CSVConfig{File: p, IDKind: KindEmployee, Columns: cols, Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := s.Lookup(context.Background(), PersonID{KindEmployee, "1001"}); err != nil || !a.End.IsZero() {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestCSV_BadFilesAreRefused(t *testing.T) {
	h := "num,org,puesto,estatus,inicio,fin\n"
	tests := []struct {
		name, content string
		want          []string
	}{
		{"duplicate id", h + "1001,SEJ,A,ACTIVO,2025-02-01,\n1002,SEJ,B,ACTIVO,2025-02-01,\n1001,SEJ,C,BAJA,2025-02-01,\n",
			[]string{"line 4", `"1001"`, "line 2"}},
		{"empty file", "", []string{"no header"}},
		{"missing column", "num,org,puesto,estatus,inicio\n", []string{"line 1", `"fin"`}},
		{"duplicate header", "num,org,puesto,estatus,inicio,fin,org\n", []string{"line 1", `"org"`}},
		{"wrong field count", h + "1001,SEJ,A,ACTIVO,2025-02-01\n", []string{"line 2"}},
		{"bad quote", h + "1001,\"SEJ,A,ACTIVO,2025-02-01,\n", []string{"line 2"}},
		{"unmapped status", h + "1001,SEJ,A,ACTIVO,2025-02-01,\n1002,SEJ,B,JUBILADO,2025-02-01,\n", []string{"line 3", `"JUBILADO"`}},
		{"bad date", h + "1001,SEJ,A,ACTIVO,01/02/2025,\n", []string{"line 2", "01/02/2025"}},
		{"missing position", h + "1001,SEJ,,ACTIVO,2025-02-01,\n", []string{"line 2", "position"}},
		{"empty id", h + ",SEJ,A,ACTIVO,2025-02-01,\n", []string{"line 2", "id"}},
		{"not UTF-8", h + "1001,SEJ,Direcci\xf3n,ACTIVO,2025-02-01,\n", []string{"UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "r.csv", tt.content)
			s, err := NewCSVSource("r", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, newFakeClock())
			if s != nil {
				t.Fatal("a bad roster built a source")
			}
			wantConfigError(t, err, "csv.file")
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	_, err := NewCSVSource("r", CSVConfig{File: filepath.Join(t.TempDir(), "nope.csv"), IDKind: KindEmployee, Columns: testCSVColumns(), Mapping: testMapping()}, newFakeClock())
	wantConfigError(t, err, "nope.csv")
}

func TestCSV_ConfigIsChecked(t *testing.T) {
	p := writeFile(t, t.TempDir(), "r.csv", "num,org,puesto,estatus,inicio,fin\n")
	cols := func(f func(*CSVColumns)) CSVColumns { c := testCSVColumns(); f(&c); return c }
	tests := []struct {
		name string
		cfg  CSVConfig
		key  string
	}{
		{"no file", CSVConfig{IDKind: KindEmployee, Columns: testCSVColumns()}, "csv.file"},
		{"no id_kind", CSVConfig{File: p, Columns: testCSVColumns()}, "csv.id_kind"},
		{"bad id_kind", CSVConfig{File: p, IDKind: "NSS", Columns: testCSVColumns()}, "csv.id_kind"},
		{"no id column", CSVConfig{File: p, IDKind: KindEmployee, Columns: cols(func(c *CSVColumns) { c.ID = "" })}, "csv.columns.id"},
		{"no status column", CSVConfig{File: p, IDKind: KindEmployee, Columns: cols(func(c *CSVColumns) { c.Status = "" })}, "csv.columns.status"},
		{"same header twice", CSVConfig{File: p, IDKind: KindEmployee, Columns: cols(func(c *CSVColumns) { c.End = "inicio" })}, "csv.columns.end"},
		{"long delimiter", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), Delimiter: ";;"}, "csv.delimiter"},
		{"negative interval", CSVConfig{File: p, IDKind: KindEmployee, Columns: testCSVColumns(), ReloadInterval: -time.Second}, "csv.reload_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Mapping = testMapping()
			_, err := NewCSVSource("r", tt.cfg, newFakeClock())
			wantConfigError(t, err, tt.key)
		})
	}
}

func TestCSV_ConcurrentLookupsDuringReloads(t *testing.T) {
	s, p, clk := newTestRoster(t, roster1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			rewrite(t, p, roster1+"2000,SEJ,X,ACTIVO,2025-01-01,\n", time.Duration(i+1)*time.Minute)
			clk.Add(DefaultReloadInterval)
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		if a, err := s.Lookup(context.Background(), PersonID{KindEmployee, "1001"}); err != nil || a.Status != Active {
			t.Fatalf("%+v %v", a, err)
		}
	}
}

// rewrite replaces the file's content and moves its mtime forward by d, so a
// rewrite within the file system's timestamp granularity is still seen.
func rewrite(t *testing.T, p, content string, d time.Duration) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Error(err)
		return
	}
	mt := time.Now().Add(d)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Error(err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

// FuzzParseRoster checks that any file either fails or yields a roster whose
// every entry would be trusted by R1 for good reasons.
func FuzzParseRoster(f *testing.F) {
	f.Add([]byte(roster1))
	f.Add([]byte("\ufeffnum,org,puesto,estatus,inicio,fin\n1,a,b,ACTIVO,2020-01-01,2019-01-01\n"))
	f.Add([]byte("num,org,puesto,estatus,inicio,fin\n\"1\n\",a,b,BAJA,2020-01-01T00:00:00Z,\n"))
	m, err := newMapper("csv", "fuzz", testMapping(), newFakeClock())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roster, err := parseRoster(data, ',', testCSVColumns(), KindEmployee, m)
		if err != nil {
			return
		}
		for id, a := range roster {
			if id == "" || a.Organisation == "" || a.Position == "" || !a.Status.Valid() || a.Start.IsZero() ||
				(!a.End.IsZero() && a.End.Before(a.Start)) {
				t.Fatalf("untrustworthy entry %q: %+v", id, a)
			}
			if a.Person.check() != nil {
				t.Fatalf("entry %q has an unusable id", id)
			}
		}
	})
}

// RULES R3: a roster may give the holder's name (columns.name, optional),
// which the RA compares with the applicant's.
func TestRule_R3_CSVNameColumn(t *testing.T) {
	p := writeFile(t, t.TempDir(), "r.csv", "num,nombre,org,puesto,estatus,inicio\n1001, Juan Pérez ,SEJ,Director,ACTIVO,2025-02-01\n")
	cols := testCSVColumns()
	cols.End, cols.Name = "", "nombre"
	s, err := NewCSVSource("r", CSVConfig{File: p, IDKind: KindEmployee, Columns: cols, Mapping: testMapping()}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := s.Lookup(context.Background(), PersonID{KindEmployee, "1001"}); err != nil || a.Name != "Juan Pérez" {
		t.Fatalf("%+v %v, want the name Juan Pérez", a, err)
	}
	cols.Name = "apellidos"
	if _, err := NewCSVSource("r", CSVConfig{File: p, IDKind: KindEmployee, Columns: cols, Mapping: testMapping()}, newFakeClock()); err == nil {
		t.Fatal("a name column missing from the file was accepted")
	}
}
