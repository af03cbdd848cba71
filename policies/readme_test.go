package policies

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// yamlKeyPaths walks t's yaml tags and returns every key path: nested structs
// join with ".", slices of structs add "[]" ("documents[].kind"), pointers are
// followed ("batch.weekday"). Untagged (unexported) fields are skipped.
func yamlKeyPaths(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		path := tag
		if prefix != "" {
			path = prefix + "." + tag
		}
		out = append(out, path)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			out = append(out, yamlKeyPaths(ft, path)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, yamlKeyPaths(ft.Elem(), path+"[]")...)
		}
	}
	return out
}

// tableRow matches the first cell of a markdown table row; every
// backticked token in it is a documented key.
var (
	tableRow   = regexp.MustCompile("^\\| ([^|]+) \\|")
	backticked = regexp.MustCompile("`([^`]+)`")
)

// rowKeys returns the backticked keys of a table row's first cell.
func rowKeys(line string) []string {
	m := tableRow.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	var out []string
	for _, k := range backticked.FindAllStringSubmatch(m[1], -1) {
		out = append(out, k[1])
	}
	return out
}

// readmeSection returns the lines of README.md under the "## " heading that
// starts with title, up to the next "## " heading.
func readmeSection(t *testing.T, readme, title string) []string {
	t.Helper()
	var out []string
	in := false
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## "+title)
			continue
		}
		if in {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		t.Fatalf("README.md has no section %q", title)
	}
	return out
}

// documentedKeys returns the keys in the first column of the tables of a
// section.
func documentedKeys(lines []string) map[string]bool {
	keys := map[string]bool{}
	for _, line := range lines {
		for _, k := range rowKeys(line) {
			keys[k] = true
		}
	}
	return keys
}

func readREADME(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestREADMEDocumentsEveryKey: every key of the Policy schema has a row in the
// key reference of README.md, and every row there is a real key.
func TestREADMEDocumentsEveryKey(t *testing.T) {
	readme := readREADME(t)
	paths := yamlKeyPaths(reflect.TypeOf(Policy{}), "")
	if len(paths) < 60 {
		t.Fatalf("the walk found only %d keys: %v", len(paths), paths)
	}
	for _, must := range []string{"id", "documents[].max_age_days", "batch.weekday", "status_reasons.extinction[].investigation_days", "conditions[].must"} {
		if !contains(paths, must) {
			t.Fatalf("the walk missed %s: %v", must, paths)
		}
	}
	documented := documentedKeys(readmeSection(t, readme, "Key reference"))
	for _, p := range paths {
		if !documented[p] {
			t.Errorf("README.md does not document the key `%s` in its key reference", p)
		}
		if !strings.Contains(readme, p) {
			t.Errorf("README.md never mentions %s", p)
		}
	}
	known := map[string]bool{}
	for _, p := range paths {
		known[p] = true
	}
	var stale []string
	for k := range documented {
		if !known[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("README.md documents keys the schema does not have: %v", stale)
	}
}

// TestREADMEDocumentsEveryCELVariable: every CEL variable has a row, with its
// type, in the CEL section of README.md, and every row is a real variable.
func TestREADMEDocumentsEveryCELVariable(t *testing.T) {
	readme := readREADME(t)
	vars := CELVariables()
	if len(vars) < 20 {
		t.Fatalf("only %d CEL variables: %v", len(vars), vars)
	}
	section := readmeSection(t, readme, "CEL conditions")
	rows := map[string]string{}
	for _, line := range section {
		for _, k := range rowKeys(line) {
			rows[k] = line
		}
	}
	env, err := celEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range env.Variables() {
		name := v.Name()
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("README.md does not mention the CEL variable `%s`", name)
		}
		row, ok := rows[name]
		if !ok {
			t.Errorf("README.md has no row for the CEL variable %s", name)
			continue
		}
		typ := strings.ReplaceAll(v.Type().String(), "google.protobuf.Timestamp", "timestamp")
		if !strings.Contains(row, "`"+typ+"`") {
			t.Errorf("README.md row for %s does not give its type `%s`: %s", name, typ, row)
		}
	}
	for name := range rows {
		if !contains(vars, name) {
			t.Errorf("README.md documents a CEL variable %s that does not exist", name)
		}
	}
}

// TestREADMEListsTheVocabularies: every value a closed vocabulary of check.go
// accepts is written in README.md, so an operator never has to read Go.
func TestREADMEListsTheVocabularies(t *testing.T) {
	readme := readREADME(t)
	var words []string
	for _, m := range []map[string]bool{idDocumentKinds, documentKinds, biometricKinds, identifierKinds, reasonIDs, publicFields} {
		for k := range m {
			words = append(words, k)
		}
	}
	for k := range CRLReasons {
		words = append(words, k)
	}
	for k := range weekdays {
		words = append(words, k)
	}
	for k := range serialNumberSchemes {
		words = append(words, k)
	}
	for _, w := range words {
		if !strings.Contains(readme, "`"+w+"`") {
			t.Errorf("README.md does not list the allowed value `%s`", w)
		}
	}
}

// The examples in README.md are real: the complete example policy loads.
func TestREADMEExamplePolicyLoads(t *testing.T) {
	readme := readREADME(t)
	const start = "```yaml\n# example: "
	i := strings.Index(readme, start)
	if i < 0 {
		t.Fatal("README.md has no complete example policy (a ```yaml block starting with \"# example: \")")
	}
	body := readme[i+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	p, err := Parse("README.md example", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "oaxaca" || len(p.Conditions) == 0 {
		t.Errorf("example policy %s with %d conditions", p.ID, len(p.Conditions))
	}
	// Every CEL example of the README compiles.
	for _, line := range readmeSection(t, readme, "CEL conditions") {
		if strings.HasPrefix(strings.TrimSpace(line), "must: ") || strings.HasPrefix(strings.TrimSpace(line), "when: ") {
			expr := strings.TrimSpace(strings.SplitN(strings.TrimSpace(line), ": ", 2)[1])
			if _, err := compileCondition(Condition{ID: "x", Rule: "R1", Must: expr}); err != nil {
				t.Errorf("README CEL example %q: %v", expr, err)
			}
		}
	}
}
