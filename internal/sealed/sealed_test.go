package sealed

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTripAndTamper(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data.key")
	if err := NewKeyFile(p); err != nil {
		t.Fatal(err)
	}
	if err := NewKeyFile(p); err == nil {
		t.Fatal("NewKeyFile overwrote an existing key")
	}
	k, err := LoadKeyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	pt := []byte(`{"curp":"LOHM800101MJCPRR06"}`)
	ct := b.Seal(pt, []byte("people.pii"))
	if bytes.Contains(ct, []byte("LOHM")) {
		t.Fatal("ciphertext contains plaintext")
	}
	got, err := b.Open(ct, []byte("people.pii"))
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(ct, []byte("documents")); err != ErrOpen {
		t.Fatalf("open with other aad: %v", err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := b.Open(ct, []byte("people.pii")); err != ErrOpen {
		t.Fatalf("open tampered: %v", err)
	}
	k2 := make([]byte, 32)
	b2, _ := New(k2)
	if _, err := b2.Open(b.Seal(pt, nil), nil); err != ErrOpen {
		t.Fatal("opened under another key")
	}
	if b.Index("curp", "A") == b.Index("rfc", "A") || b.Index("curp", "A") != b.Index("curp", "A") {
		t.Fatal("index must be deterministic and namespaced")
	}
	if b.Index("curp", "A") == b2.Index("curp", "A") {
		t.Fatal("index must depend on the key")
	}
	os.WriteFile(filepath.Join(dir, "bad.key"), []byte("short"), 0o600)
	if _, err := LoadKeyFile(filepath.Join(dir, "bad.key")); err == nil {
		t.Fatal("short key accepted")
	}
}
