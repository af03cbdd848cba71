package ra_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestRA_DoesNotDependOnTheStore: the RA and its sub-packages (ra/api
// aside) reach storage only through the interfaces they own
// (storage.go), so that no use case can skip them; the concrete store is
// wired in by cmd/sello. Test files may still use store and storetest.
func TestRA_DoesNotDependOnTheStore(t *testing.T) {
	const module = "github.com/sello-pki/sello/"
	for _, root := range []string{"ra", "ra/documents", "ra/notify", "ra/receipt", "ra/appointment"} {
		seen := map[string]bool{}
		var walk func(path string, via []string)
		walk = func(path string, via []string) {
			if seen[path] || !strings.HasPrefix(path, module) {
				return
			}
			seen[path] = true
			if path == module+"store" || strings.HasPrefix(path, module+"store/") {
				t.Errorf("%s depends on %s through %s", root, path, strings.Join(via, " -> "))
				return
			}
			pkg, err := build.Import(path, ".", 0)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, imp := range pkg.Imports {
				walk(imp, append(via[:len(via):len(via)], strings.TrimPrefix(imp, module)))
			}
		}
		walk(module+root, []string{root})
		if len(seen) < 2 {
			t.Errorf("%s: walked %d packages; the walk does not see imports", root, len(seen))
		}
	}
}
