// Package auditfile keeps the audit checkpoint key's records outside the
// database: its state (the last head it signed) and the exported heads
// (every head it signed). A database writer who deletes checkpoints,
// truncates the chain or rewrites it cannot touch these; sello audit verify
// compares the chain with them.
package auditfile

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Files is a store.CheckpointSink writing both records. Use it by pointer:
// its lock keeps one process's checkpoints (the timer's and every N
// entries') from writing the state out of order.
type Files struct {
	mu sync.Mutex

	// State is the key's state file: one JSON head, replaced atomically,
	// mode 0600. It never moves back to an older head.
	State string
	// Heads is the append-only heads file, one JSON line per signed head;
	// empty for none.
	Heads string
}

// Signed records h: appended to the heads file, then made the state.
func (f *Files) Signed(h model.AuditHead) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if f.Heads != "" {
		if err := appendLine(f.Heads, line); err != nil {
			return errs.Wrap(errs.Unavailable, err, "audit heads file %s", f.Heads)
		}
	}
	cur, err := ReadState(f.State)
	if err != nil {
		return err
	}
	if cur != nil && cur.Seq >= h.Seq {
		return nil // another process already recorded a later head
	}
	if err := writeAtomic(f.State, append(line, '\n')); err != nil {
		return errs.Wrap(errs.Unavailable, err, "audit key state file %s", f.State)
	}
	return nil
}

// ReadState returns the head the state file holds, or nil when there is no
// state file (the key has signed nothing yet).
func ReadState(path string) (*model.AuditHead, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "audit key state file %s", path)
	}
	var h model.AuditHead
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "audit key state file %s is not a signed head", path)
	}
	return &h, nil
}

// ReadHeads returns every head in a heads file, in file order.
func ReadHeads(path string) ([]model.AuditHead, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "audit heads file")
	}
	defer fh.Close()
	var heads []model.AuditHead
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var h model.AuditHead
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			return nil, errs.Wrap(errs.Malformed, err, "audit heads file %s, line %d", path, n)
		}
		heads = append(heads, h)
	}
	if err := sc.Err(); err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "audit heads file %s", path)
	}
	return heads, nil
}

// appendLine appends one line with a single write, so that two processes
// appending at once do not interleave their lines.
func appendLine(path string, line []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.Write(append(line, '\n')); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// writeAtomic replaces path with body: a 0600 temporary file in the same
// folder, synced, then renamed over it, so a crash leaves the old state or
// the new one, never half of either.
func writeAtomic(path string, body []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
