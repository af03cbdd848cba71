package main

import (
	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/ra"
)

// pendingKeys are the keys openApp decrypts while it opens the store and the
// issuers. Every key at rest is PKCS#8 encrypted with PBKDF2-SHA256 at
// 600,000 iterations (go.step.sm/crypto/pemutil): about 0.2 s per key on one
// core and 1.5 to 3.5 s under the race detector, and a server opens four
// (audit, root, acknowledgement signer, one per local issuer). Decrypting
// them one after the other made the start of `sello serve` under -race take
// most of half a minute; opened side by side, start-up waits for the slowest
// chain (audit key, then the issuers) instead of the sum.
type pendingKeys struct {
	done chan struct{}
	root *local.Root
	rerr error
	ack  *ra.AckSigner
}

// startKeys begins decrypting the root and the acknowledgement signer of a's
// data folder with pass. Only a's configuration is read.
func startKeys(a *app, pass []byte) *pendingKeys {
	k := &pendingKeys{done: make(chan struct{})}
	ackDone := make(chan struct{})
	go func() {
		defer close(ackDone)
		if s, err := loadAckSigner(a, pass); err == nil {
			k.ack = s // a missing or unreadable signer is made anew by ensureAckSigner
		}
	}()
	dir := a.cfg.CADir
	go func() {
		defer close(k.done)
		k.root, k.rerr = openRoot(dir, pass)
		<-ackDone
	}()
	return k
}

// wait blocks until both keys are open; a nil k has nothing to wait for.
func (k *pendingKeys) wait() {
	if k != nil {
		<-k.done
	}
}

// rootErr waits for the root, installs it in a and returns its error.
func (k *pendingKeys) rootErr(a *app) error {
	k.wait()
	if k.rerr != nil {
		return k.rerr
	}
	if k.root != nil {
		setRoot(a, k.root)
	}
	return nil
}

// ackSigner waits for the acknowledgement signer; nil if it could not be opened.
func (k *pendingKeys) ackSigner() *ra.AckSigner {
	k.wait()
	return k.ack
}
