package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/sello-pki/sello/internal/config"
)

const (
	// passphraseEnv holds the CA passphrase itself.
	passphraseEnv = "SELLO_CA_PASSPHRASE"
	// credentialName is the systemd credential Sello reads the passphrase
	// from (LoadCredential=ca.pass:/path, or LoadCredentialEncrypted=),
	// found in $CREDENTIALS_DIRECTORY.
	credentialName = "ca.pass"
)

// passSource says where the CA passphrase comes from, first found first:
// the environment, a systemd credential, the configured file
// (ca.local.passphrase_file, by default inside the data folder).
type passSource struct {
	env        bool
	credential bool   // file is $CREDENTIALS_DIRECTORY/ca.pass
	file       string // the file read when not env
}

func passphraseSource(cfg *config.Config) passSource {
	if os.Getenv(passphraseEnv) != "" {
		return passSource{env: true}
	}
	if dir := os.Getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		if p := filepath.Join(dir, credentialName); fileExists(p) {
			return passSource{credential: true, file: p}
		}
	}
	return passSource{file: cfg.CAPassphraseFile}
}

// insideDataDir reports whether the passphrase is read from a file in the
// data folder, beside the keys it decrypts: a copy of the folder (a backup,
// a snapshot) then holds everything needed to sign.
func insideDataDir(cfg *config.Config, src passSource) bool {
	if src.env || src.credential || cfg.DataDir == "" {
		return false
	}
	dir, err1 := filepath.Abs(cfg.DataDir)
	file, err2 := filepath.Abs(src.file)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(dir, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// warnPassphraseLocation logs, and writes once to stderr for whoever
// started the server by hand, that the CA passphrase sits in the data
// folder. The default keeps the one-command start; the README says how to
// move it out.
func warnPassphraseLocation(cfg *config.Config, log *slog.Logger, stderr io.Writer) {
	src := passphraseSource(cfg)
	if !insideDataDir(cfg, src) {
		return
	}
	log.Warn("the CA key passphrase is in the data folder, beside the encrypted keys: a copy of the folder can sign; "+
		"set SELLO_CA_PASSPHRASE, a systemd credential "+credentialName+", or ca.local.passphrase_file outside the folder",
		"passphrase_file", src.file, "data_dir", cfg.DataDir)
	fmt.Fprintf(stderr, "WARNING: the CA key passphrase (%s) is inside the data folder (%s), beside the keys it decrypts.\n"+
		"         Move it out: SELLO_CA_PASSPHRASE, systemd LoadCredential=%s:<file>, or ca.local.passphrase_file (see README).\n",
		src.file, cfg.DataDir, credentialName)
}
