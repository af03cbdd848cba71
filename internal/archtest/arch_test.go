// Package archtest checks the module's dependency rules with the go tool
// (ARCHITECTURE.md, issue 15): the front ends and the RA reach storage only
// through interfaces they own, and only the store speaks to a database driver.
package archtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	module = "github.com/sello-pki/sello"
	store  = module + "/store"
)

// frontEnds are the protocol adapters over ra; those that exist are checked.
var frontEnds = []string{module + "/ra/api", module + "/ra/web", module + "/ra/est", module + "/ra/acme"}

// driverImports are the database drivers and SQL toolkits only store may use.
var driverImports = []string{
	"github.com/jmoiron/sqlx",
	"github.com/jackc/pgx",
	"modernc.org/sqlite",
	"github.com/lib/pq",
	"github.com/mattn/go-sqlite3",
}

// goTool returns the go command of the toolchain that runs the test: go test
// puts its GOROOT/bin first on PATH, and asking that go for its GOROOT
// resolves a wrapper or toolchain switcher to the real toolchain, so go list
// sees the same standard library and module as the build.
func goTool(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	root, err := exec.Command(gobin, "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	exe := "go"
	if filepath.Ext(gobin) == ".exe" {
		exe = "go.exe"
	}
	p := filepath.Join(strings.TrimSpace(string(root)), "bin", exe)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("go env GOROOT names %s, which has no go command: %v", root, err)
	}
	return p
}

// goList runs go list with args and returns its output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goTool(t), append([]string{"list"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// imports maps each package to its direct imports.
type imports map[string][]string

// importGraph lists pkgs and everything they depend on, with the imports of
// each (test files excluded: tests may use the store to set up).
func importGraph(t *testing.T, pkgs ...string) imports {
	g := imports{}
	for _, line := range goList(t, append([]string{"-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, pkgs...)...) {
		f := strings.Fields(line)
		g[f[0]] = f[1:]
	}
	return g
}

// pathTo returns the shortest import chain from pkg to target, or nil.
func (g imports) pathTo(pkg, target string) []string {
	prev := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append(chain, strings.TrimPrefix(p, module+"/"))
			}
			slices.Reverse(chain)
			return chain
		}
		for _, q := range g[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

// modulePackages lists the module's packages.
func modulePackages(t *testing.T) []string {
	return goList(t, module+"/...")
}

// assertNoStore fails for each package of pkgs that depends on store,
// showing the chain of imports that leads there.
func assertNoStore(t *testing.T, pkgs []string) {
	t.Helper()
	g := importGraph(t, pkgs...)
	for _, p := range pkgs {
		if chain := g.pathTo(p, store); chain != nil {
			t.Errorf("%s depends on store: %s", strings.TrimPrefix(p, module+"/"), strings.Join(chain, " -> "))
		}
	}
}

// TestFrontEndsDoNotDependOnStore: a front end decodes, calls ra and
// encodes; it reaches no storage, not even through ra (issue 15: ra/api
// imports no store package).
func TestFrontEndsDoNotDependOnStore(t *testing.T) {
	all := modulePackages(t)
	var present []string
	for _, fe := range frontEnds {
		if slices.Contains(all, fe) {
			present = append(present, fe)
		}
	}
	if !slices.Contains(present, module+"/ra/api") {
		t.Fatalf("ra/api is not among the module's packages %v: the front-end list is out of date", all)
	}
	assertNoStore(t, present)
}

// TestRADoesNotDependOnStore: ra and its sub-packages other than the front
// ends depend on small interfaces they own, never on the concrete store.
func TestRADoesNotDependOnStore(t *testing.T) {
	var core []string
	for _, p := range modulePackages(t) {
		if (p == module+"/ra" || strings.HasPrefix(p, module+"/ra/")) && !slices.Contains(frontEnds, p) {
			core = append(core, p)
		}
	}
	if !slices.Contains(core, module+"/ra") {
		t.Fatal("package ra is not among the module's packages")
	}
	assertNoStore(t, core)
}

// TestOnlyStoreImportsDatabaseDrivers: no SQL outside store, so no package
// outside it imports a database driver or sqlx. The one exception is the
// SQL appointment source, which queries the HR system's own database (RULES
// R1), not Sello's.
func TestOnlyStoreImportsDatabaseDrivers(t *testing.T) {
	lines := goList(t, "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", module+"/...")
	if len(lines) < 2 {
		t.Fatalf("go list found %d packages", len(lines))
	}
	for _, line := range lines {
		f := strings.Fields(line)
		pkg, imps := f[0], f[1:]
		if pkg == store || strings.HasPrefix(pkg, store+"/") || pkg == module+"/ra/appointment" {
			continue
		}
		for _, imp := range imps {
			for _, d := range driverImports {
				if imp == d || strings.HasPrefix(imp, d+"/") {
					t.Errorf("%s imports %s: only store may use a database driver or sqlx", strings.TrimPrefix(pkg, module+"/"), imp)
				}
			}
		}
	}
}
