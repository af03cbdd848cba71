package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// The chain key is never made by a command that cannot re-key: without it
// they stop and say how to create it; init and serve create it as <file>.new
// (0600), which is used again until re-keying puts it in place.
func TestChainKeyCreatedOnlyByInitAndServe(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{AuditChainKeyFile: filepath.Join(dir, "secrets", "audit-chain.key")}
	if _, err := loadChainKey(cfg, false); !errs.Has(err, errs.BadConfig) || !strings.Contains(err.Error(), "sello serve") {
		t.Fatalf("no chain key, no re-keying: %v", err)
	}
	ck, err := loadChainKey(cfg, true)
	if err != nil || len(ck.key) != 32 || ck.pending != cfg.AuditChainKeyFile+".new" {
		t.Fatalf("created: %+v, %v", ck, err)
	}
	if fi, err := os.Stat(ck.pending); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("pending key file: %v, %v", fi, err)
	}
	again, err := loadChainKey(cfg, true)
	if err != nil || !bytes.Equal(again.key, ck.key) {
		t.Fatalf("an interrupted re-keying must reuse the pending key: %v", err)
	}
	if err := os.Rename(ck.pending, cfg.AuditChainKeyFile); err != nil {
		t.Fatal(err)
	}
	inPlace, err := loadChainKey(cfg, false)
	if err != nil || inPlace.pending != "" || !bytes.Equal(inPlace.key, ck.key) {
		t.Fatalf("key in place: %+v, %v", inPlace, err)
	}
}

// The verification report is told in the operator's language.
func TestAuditReportInSpanishAndEnglish(t *testing.T) {
	cfg := &config.Config{CheckpointEveryEntries: 1000, CheckpointInterval: 10 * time.Minute, CheckpointSlack: 5 * time.Minute}
	rep := &model.AuditReport{Entries: 12, Head: 12, Checkpoints: 2, Keyed: true, LastSigned: 10, Tail: 2, StateSeq: 10, Heads: 2}
	var en, es bytes.Buffer
	printAuditReport(&en, errs.English, cfg, rep, "heads.jsonl")
	printAuditReport(&es, errs.Spanish, cfg, rep, "heads.jsonl")
	if !strings.Contains(en.String(), "audit log intact: 12 entries, 2 signed checkpoints") || !strings.Contains(en.String(), "2 exported heads in heads.jsonl match") {
		t.Errorf("English report:\n%s", en.String())
	}
	enLines, esLines := strings.Split(en.String(), "\n"), strings.Split(es.String(), "\n")
	for i := range enLines {
		if enLines[i] != "" && enLines[i] == esLines[i] {
			t.Errorf("line %d not translated: %q", i, enLines[i])
		}
	}
	p := &model.AuditProblem{Seq: 10, Kind: "state", Detail: "x", Cause: errs.New(errs.Conflict, "the signature does not verify")}
	if got := errs.MessageOf(auditProblemError(p), errs.Spanish); got != "bitácora: entrada 10: state: la firma no se verifica" {
		t.Errorf("Spanish problem: %q", got)
	}
}
