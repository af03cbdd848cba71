package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// progress draws a progress bar on a terminal-like writer for long jobs.
type progress struct {
	w     io.Writer
	label string
	shown bool
}

func newProgress(w io.Writer, label string) *progress { return &progress{w: w, label: label} }

func (p *progress) update(done, total int64) {
	if total <= 0 {
		return
	}
	pct := float64(done) / float64(total)
	if pct > 1 {
		pct = 1
	}
	n := int(pct * 30)
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", n), strings.Repeat(".", 30-n), done, total)
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

func readPublicKey(path string) (crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "key file")
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errs.New(errs.Malformed, "%s is not PEM", path)
	}
	return x509.ParsePKIXPublicKey(blk.Bytes)
}
