// Package sealed encrypts personal data and documents at rest with
// AES-256-GCM, and computes keyed blind indexes (HMAC-SHA-256) so that an
// identifier such as a CURP can be looked up without being stored in clear.
//
// A key file holds 32 random bytes, hex- or base64-encoded, or raw. Both the
// encryption key and the index key are derived from it with HKDF, each for
// its own purpose, so the index reveals nothing about the ciphertexts.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

const version = 1

// Box seals and opens data and computes blind indexes.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New returns a Box for a 32-byte master key.
func New(master []byte) (*Box, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("sealed: master key must be 32 bytes, got %d", len(master))
	}
	encKey, err := hkdf.Key(sha256.New, master, nil, "sello/sealed/aes-256-gcm/v1", 32)
	if err != nil {
		return nil, err
	}
	idxKey, err := hkdf.Key(sha256.New, master, nil, "sello/sealed/blind-index/v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, indexKey: idxKey}, nil
}

// LoadKeyFile reads a master key file (hex, base64 or 32 raw bytes).
func LoadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data key file: %w", err)
	}
	if len(b) == 32 {
		return b, nil
	}
	s := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, fmt.Errorf("data key file %s: want 32 bytes (raw, hex or base64)", path)
}

// NewKeyFile writes a fresh random master key, hex-encoded, mode 0600. It
// refuses to overwrite an existing file.
func NewKeyFile(path string) error {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(hex.EncodeToString(k) + "\n")
	return err
}

// Seal encrypts plaintext. aad binds the ciphertext to its context (e.g. the
// table and purpose) so a sealed value cannot be moved to another column.
func (b *Box) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("sealed: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+b.aead.Overhead())
	out = append(out, version)
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, plaintext, aad)
}

// RowAAD is the context of a value sealed in a database cell: its table,
// column and row id, then anything else the row says the value is (a
// document's kind and digest). A ciphertext copied into another row or
// column does not open there.
func RowAAD(table, column string, id int64, extra ...string) []byte {
	b := []byte("sello/" + table + "." + column + "/" + strconv.FormatInt(id, 10))
	for _, e := range extra {
		b = append(b, '/')
		b = append(b, e...)
	}
	return b
}

// ErrOpen is returned for a ciphertext that is corrupt, was sealed under
// another key or with another aad.
var ErrOpen = errors.New("sealed: cannot open (corrupt, wrong key or wrong context)")

// Open decrypts what Seal produced.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// Index returns the blind index of value in a namespace ("curp", "email"…).
// Callers normalise value first.
func (b *Box) Index(namespace, value string) string {
	m := hmac.New(sha256.New, b.indexKey)
	m.Write([]byte(namespace))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
