package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// consoleStoreUses are the only things cmd/sello may do with the store
// itself (issue 15: it opens the store and hands it to ra): migrate it,
// report its dialect, and close it. Everything else is an ra method, which
// authorises its actor.
var consoleStoreUses = map[string]bool{"Migrate": true, "PendingMigrations": true, "Dialect": true, "Close": true}

// TestConsoleOnlyOpensTheStore parses cmd/sello's non-test files and
// refuses any selector on an app's store field (a.store.X) other than
// consoleStoreUses.
func TestConsoleOnlyOpensTheStore(t *testing.T) {
	f := strings.Fields(goList(t, "-f", "{{.Dir}}{{range .GoFiles}} {{.}}{{end}}", module+"/cmd/sello")[0])
	dir, files := f[0], f[1:]
	if len(files) == 0 {
		t.Fatalf("go list found no Go files in %s", dir)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, name := range files {
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			inner, ok := sel.X.(*ast.SelectorExpr)
			if !ok || inner.Sel.Name != "store" {
				return true
			}
			seen[sel.Sel.Name] = true
			if !consoleStoreUses[sel.Sel.Name] {
				t.Errorf("%s: cmd/sello uses the store's %s directly: make it an ra method that authorises its actor",
					fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	// The console does open and close the store: if this walk saw no Close,
	// it does not see the selectors it is meant to check.
	if !seen["Close"] {
		var got []string
		for s := range seen {
			got = append(got, s)
		}
		sort.Strings(got)
		t.Errorf("found no a.store.Close in cmd/sello (saw %v): the check does not see the store's selectors", got)
	}
}
