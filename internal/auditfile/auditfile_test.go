package auditfile

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/model"
)

func head(seq int64) model.AuditHead {
	return model.AuditHead{Seq: seq, Hash: "h", At: time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC), KeyID: "k", Signature: []byte{1, 2}}
}

// Each signed head is appended to the heads file and becomes the state; the
// state (0600) never moves back to an older head, and a missing state file
// reads as "nothing signed yet".
func TestSignedAppendsHeadsAndKeepsTheLatestState(t *testing.T) {
	dir := t.TempDir()
	f := &Files{State: filepath.Join(dir, "secrets", "audit.state"), Heads: filepath.Join(dir, "audit-heads.jsonl")}
	if st, err := ReadState(f.State); err != nil || st != nil {
		t.Fatalf("no state file: %v, %v", st, err)
	}
	for _, s := range []int64{5, 10, 7} {
		if err := f.Signed(head(s)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := ReadState(f.State)
	if err != nil || st == nil || st.Seq != 10 || !st.At.Equal(head(10).At) || string(st.Signature) != "\x01\x02" {
		t.Fatalf("state %+v, %v; want the head at 10", st, err)
	}
	for _, p := range []string{f.State, f.Heads} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", p, fi.Mode(), err)
		}
	}
	heads, err := ReadHeads(f.Heads)
	if err != nil || len(heads) != 3 || heads[0].Seq != 5 || heads[1].Seq != 10 || heads[2].Seq != 7 {
		t.Fatalf("heads %+v, %v", heads, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "secrets", ".audit.state.*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestBrokenFilesAreErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x")
	os.WriteFile(p, []byte("{\"seq\":1}\nnot json\n"), 0o600)
	if _, err := ReadHeads(p); err == nil {
		t.Error("a heads file with a broken line was read")
	}
	if _, err := ReadState(p); err == nil {
		t.Error("a broken state file was read")
	}
	if _, err := ReadHeads(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing heads file was read")
	}
}
