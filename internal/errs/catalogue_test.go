package errs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// literalFormat is one format string passed to errs.New or errs.Wrap.
type literalFormat struct {
	format string
	where  string
}

// moduleRoot finds the directory holding go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// moduleFormats walks every non-test Go file of the module and returns the
// literal formats of errs.New and errs.Wrap calls.
func moduleFormats(t *testing.T) []literalFormat {
	t.Helper()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var out []literalFormat
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inErrs := f.Name.Name == "errs" && filepath.Dir(path) == filepath.Join(root, "internal", "errs")
		local := errsImportName(f)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn := calledErrsFunc(call, local, inErrs)
			idx := map[string]int{"New": 1, "Wrap": 2, "Limited": 1}[fn]
			if idx == 0 || len(call.Args) <= idx {
				return true
			}
			if s, ok := stringLiteral(call.Args[idx]); ok {
				rel, _ := filepath.Rel(root, path)
				out = append(out, literalFormat{format: s, where: fmt.Sprintf("%s:%d", rel, fset.Position(call.Pos()).Line)})
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// errsImportName returns the name the file uses for the errs package, or "".
func errsImportName(f *ast.File) string {
	for _, imp := range f.Imports {
		if imp.Path.Value == `"github.com/sello-pki/sello/internal/errs"` {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "errs"
		}
	}
	return ""
}

// calledErrsFunc returns "New" or "Wrap" when call calls errs.New or errs.Wrap.
func calledErrsFunc(call *ast.CallExpr, local string, inErrs bool) string {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && local != "" && x.Name == local {
			return fn.Sel.Name
		}
	case *ast.Ident:
		if inErrs {
			return fn.Name
		}
	}
	return ""
}

// stringLiteral evaluates a string literal or a concatenation of them.
func stringLiteral(e ast.Expr) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringLiteral(v.X)
	case *ast.BinaryExpr:
		if v.Op != token.ADD {
			return "", false
		}
		l, ok1 := stringLiteral(v.X)
		r, ok2 := stringLiteral(v.Y)
		return l + r, ok1 && ok2
	}
	return "", false
}

var verbRE = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?(\*|\d+)?(\.(\*|\d+)?)?[a-zA-Z%]`)

// verbs lists a format's verbs in order, %% excluded.
func verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// TestCatalogue_EveryFormatHasSpanish fails when an errs.New or errs.Wrap
// literal in shipped code has no Spanish entry, so an untranslated error
// cannot be merged. The failure prints the missing entries ready to paste
// into catalogue_es.go.
func TestCatalogue_EveryFormatHasSpanish(t *testing.T) {
	found := moduleFormats(t)
	if len(found) < 100 {
		t.Fatalf("found only %d formats: the walker is broken", len(found))
	}
	missing := map[string][]string{}
	for _, f := range found {
		if _, ok := spanish[f.format]; !ok {
			missing[f.format] = append(missing[f.format], f.where)
		}
	}
	if len(missing) == 0 {
		return
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\t// %s\n\t%s: %s,\n", strings.Join(missing[k], ", "), strconv.Quote(k), strconv.Quote(""))
	}
	t.Errorf("%d error formats have no Spanish entry; add to internal/errs/catalogue_es.go and translate:\n%s", len(keys), b.String())
}

// TestCatalogue_VerbsMatch fails when a Spanish entry's fmt verbs differ in
// number, kind or order from its English key, which would garble or panic
// the rendered message.
func TestCatalogue_VerbsMatch(t *testing.T) {
	for en, es := range spanish {
		if es == "" {
			t.Errorf("empty Spanish entry for %q", en)
			continue
		}
		if !slices.Equal(verbs(en), verbs(es)) {
			t.Errorf("verbs differ:\n  en %q %v\n  es %q %v", en, verbs(en), es, verbs(es))
		}
	}
}

func TestVerbs(t *testing.T) {
	got := verbs("a %s, %d%% and %-5.2f %[1]q %v")
	want := []string{"%s", "%d", "%-5.2f", "%[1]q", "%v"}
	if !slices.Equal(got, want) {
		t.Fatalf("verbs = %v, want %v", got, want)
	}
}
