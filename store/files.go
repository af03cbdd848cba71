package store

import (
	"os"

	"github.com/sello-pki/sello/internal/errs"
)

// secureSQLiteFiles makes the database files readable by their owner only
// (they hold the blind indexes, the sealed data and the audit log). It
// creates a missing database file 0600 before SQLite opens it: SQLite gives
// the -wal and -shm files it creates the mode of the database file. The
// files of an existing database are tightened to 0600.
func secureSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return errs.Wrap(errs.BadConfig, err, "database: cannot create %s", path)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !os.IsNotExist(err) {
			return errs.Wrap(errs.BadConfig, err, "database: cannot restrict %s to its owner", p)
		}
	}
	return nil
}
