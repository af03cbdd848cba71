package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/ra/appointment"
)

// hrExamples returns the commented hr: examples of configs/sello.yaml as
// the YAML of an hr: list.
func hrExamples(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../../configs/sello.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "\nhr: []\n")
	if !ok {
		t.Fatal("configs/sello.yaml has no hr: [] section")
	}
	var b strings.Builder
	b.WriteString("hr:\n")
	for _, line := range strings.Split(after, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(strings.TrimPrefix(line, "#") + "\n")
	}
	return b.String()
}

// yamlKeys lists the yaml keys of a struct type, inlined structs included.
func yamlKeys(t reflect.Type) []string {
	var out []string
	for _, f := range reflect.VisibleFields(t) {
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, tag)
		if ft := f.Type; ft.Kind() == reflect.Struct && ft.PkgPath() != "time" {
			out = append(out, yamlKeys(ft)...)
		}
	}
	return out
}

// Issue 17: configs/sello.yaml documents every HR source kind (HTTP, SQL,
// CSV roster, LDAP) with every key, and each example loads.
func TestRule_R1_EveryHRSourceKindDocumentedWithEveryKey(t *testing.T) {
	body := hrExamples(t)
	p := filepath.Join(t.TempDir(), "sello.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, nil)
	if err != nil {
		t.Fatalf("the hr examples of configs/sello.yaml do not load: %v\n%s", err, body)
	}
	sections := map[string]reflect.Type{appointment.KindHTTP: reflect.TypeOf(appointment.HTTPConfig{}),
		appointment.KindSQL: reflect.TypeOf(appointment.SQLConfig{}), appointment.KindCSV: reflect.TypeOf(appointment.CSVConfig{}),
		appointment.KindLDAP: reflect.TypeOf(appointment.LDAPConfig{})}
	seen := map[string]bool{}
	for _, h := range c.HR {
		kind := h.Source.Kind
		seen[kind] = true
		typ, ok := sections[kind]
		if !ok {
			t.Errorf("%s: unknown kind %q", h.Key, kind)
			continue
		}
		// The example's own text, from its "kind:" line to the next entry.
		_, rest, _ := strings.Cut(body, "kind: "+kind+"\n")
		if i := strings.Index(rest, "\n  - policy:"); i >= 0 {
			rest = rest[:i]
		}
		for _, k := range yamlKeys(typ) {
			if !strings.Contains(rest, k+":") {
				t.Errorf("the %s example lacks key %s", kind, k)
			}
		}
		if h.Line == 0 {
			t.Errorf("%s: no line recorded", h.Key)
		}
	}
	for kind := range sections {
		if !seen[kind] {
			t.Errorf("configs/sello.yaml has no %s HR source example", kind)
		}
	}
}

// Issue 17: a relative csv.file (and every other file of an HR source) is
// relative to the configuration file's folder, as documented.
func TestRule_R1_HRRelativePathsResolveAgainstTheFile(t *testing.T) {
	p := write(t, "hr:\n  - policy: tijuana\n    source:\n      kind: csv\n      name: plantilla\n      csv:\n        file: rh/plantilla.csv\n"+
		"  - policy: jalisco\n    source:\n      kind: http\n      name: rh\n      http:\n        url: https://rh.example/{kind}/{id}\n        token_file: rh.token\n")
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	if got := c.HR[0].Source.CSV.File; got != filepath.Join(dir, "rh", "plantilla.csv") {
		t.Errorf("csv.file = %s, want it under %s", got, dir)
	}
	if got := c.HR[1].Source.HTTP.TokenFile; got != filepath.Join(dir, "rh.token") {
		t.Errorf("http.token_file = %s, want it under %s", got, dir)
	}
	// An error building the source names the file, the line and the key.
	_, err = appointment.New(c.HR[0].Source, clock.New())
	if err == nil {
		t.Fatal("a CSV source without columns and a missing file was accepted")
	}
	located := c.HRError(c.HR[0], err).Error()
	t.Log(located)
	if !strings.HasPrefix(located, p+":") || !strings.Contains(located, "hr[0].source") {
		t.Errorf("HR error does not name file, line and key: %s", located)
	}
	if strings.Count(located, "appointment source") > 1 {
		t.Errorf("HR error repeats itself: %s", located)
	}
}
