package ra

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// RecordServerCertificate records the HTTPS server's own certificate, which
// the deployment's root signed outside any issuer's backend, like every
// certificate before it is used: its serial is reserved under issuerID (the
// root's ca.IssuerID), then the certificate and its "tls.issue" audit entry
// (naming the requested names) commit together. Only the system and the
// console may record it.
func (r *RA) RecordServerCertificate(ctx context.Context, a Actor, issuerID string, der []byte, names []string) error {
	if a.Kind != ActorSystem && a.Kind != ActorCLI {
		return r.refuse(ctx, a, "tls.issue", "issuer:"+issuerID,
			errs.New(errs.Forbidden, "only the server itself or the console may record the HTTPS server's certificate"))
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "HTTPS server certificate")
	}
	// Reserved on its own first, as a CA backend reserves before signing: the
	// certificate is already signed, so its serial stays taken even if the
	// recording below fails.
	if err := r.store.ReserveSerial(ctx, issuerID, cert.SerialNumber, cert.NotAfter); err != nil {
		return err
	}
	keyFP, _ := ca.KeyFingerprint(cert.PublicKey)
	sum := sha256.Sum256(der)
	rec := &model.Certificate{IssuerID: issuerID, Serial: model.SerialHex(cert.SerialNumber), Subject: cert.Subject.String(),
		KeyFingerprint: keyFP, CertFingerprint: hex.EncodeToString(sum[:]), NotBefore: cert.NotBefore, NotAfter: cert.NotAfter, DER: der}
	return r.store.InTx(ctx, func(tx Tx) error {
		if err := tx.InsertCertificate(ctx, rec); err != nil {
			return err
		}
		_, err := tx.Audit(ctx, model.Event{Actor: a.String(), Action: "tls.issue", Object: "cert:" + issuerID + "/" + rec.Serial,
			Outcome: model.OutcomeOK, Details: map[string]any{"names": names, "certSHA256": rec.CertFingerprint}})
		return err
	})
}
