package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// issue 16: the SQLite database and its -wal and -shm files are readable by
// their owner only, whatever the umask; an existing database is tightened.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "sello.db")
	s, err := store.Open(ctx, "sqlite:"+path, clock.NewFake(storetest.Start))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil { // writes: the -wal and -shm exist now
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder has mode %v, want 0700", fi.Mode().Perm())
	}
	s.Close()

	// A database created by an older version with the umask's mode.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	s, err = store.Open(ctx, "sqlite:"+path, clock.NewFake(storetest.Start))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing database left at mode %v", fi.Mode().Perm())
	}
}
