package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/config"
)

// issue 16: the default passphrase file sits in the data folder; serve
// warns (log and stderr), and says nothing once it is moved out.
func TestServeWarnsWhenThePassphraseIsInTheDataFolder(t *testing.T) {
	data, elsewhere := t.TempDir(), t.TempDir()
	t.Setenv(passphraseEnv, "")
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	cfg := &config.Config{DataDir: data, CAPassphraseFile: filepath.Join(data, "secrets", "ca.pass")}

	var logs, stderr bytes.Buffer
	warnPassphraseLocation(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), &stderr)
	if !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), "passphrase") {
		t.Errorf("no warning logged: %s", logs.String())
	}
	if strings.Count(stderr.String(), "WARNING") != 1 || !strings.Contains(stderr.String(), cfg.CAPassphraseFile) {
		t.Errorf("stderr: %q", stderr.String())
	}

	for name, setup := range map[string]func(){
		"file elsewhere": func() { cfg.CAPassphraseFile = filepath.Join(elsewhere, "ca.pass") },
		"environment":    func() { t.Setenv(passphraseEnv, "correct horse battery staple") },
		"systemd credential": func() {
			creds := t.TempDir()
			if err := os.WriteFile(filepath.Join(creds, credentialName), []byte("from-systemd-credential\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("CREDENTIALS_DIRECTORY", creds)
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.CAPassphraseFile = filepath.Join(data, "secrets", "ca.pass")
			t.Setenv(passphraseEnv, "")
			t.Setenv("CREDENTIALS_DIRECTORY", "")
			setup()
			logs.Reset()
			stderr.Reset()
			warnPassphraseLocation(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), &stderr)
			if logs.Len() != 0 || stderr.Len() != 0 {
				t.Errorf("warned although the passphrase is out of the data folder: %s %s", logs.String(), stderr.String())
			}
		})
	}
}

// A systemd credential ($CREDENTIALS_DIRECTORY/ca.pass) is read before the
// configured file, and no file is created in the data folder beside it.
func TestPassphraseFromSystemdCredential(t *testing.T) {
	data, creds := t.TempDir(), t.TempDir()
	t.Setenv(passphraseEnv, "")
	t.Setenv("CREDENTIALS_DIRECTORY", creds)
	cfg := &config.Config{DataDir: data, CAPassphraseFile: filepath.Join(data, "secrets", "ca.pass")}
	if err := os.WriteFile(filepath.Join(creds, credentialName), []byte("from-systemd-credential\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if created, err := ensurePassphrase(cfg); err != nil || created {
		t.Fatalf("ensurePassphrase = %v, %v", created, err)
	}
	if fileExists(cfg.CAPassphraseFile) {
		t.Fatal("a passphrase file was created in the data folder")
	}
	p, err := passphrase(cfg)
	if err != nil || string(p) != "from-systemd-credential" {
		t.Fatalf("passphrase = %q, %v", p, err)
	}
}
