package local

import (
	"context"
	"crypto/rand"
	"crypto/x509"

	"golang.org/x/crypto/ocsp"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
)

// SignCRL signs a CRL with the issuing key. The caller (the CRL updater)
// decides its number, dates and entries; an empty SignatureAlgorithm means
// the issuer's.
func (s *Signer) SignCRL(ctx context.Context, tmpl *x509.RevocationList) ([]byte, error) {
	if tmpl == nil {
		return nil, errs.New(errs.Malformed, "no CRL template")
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "request cancelled")
	}
	t := *tmpl
	if t.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		t.SignatureAlgorithm = s.sigAlg
	}
	der, err := x509.CreateRevocationList(rand.Reader, &t, s.issuer, s.key)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "cannot sign the CRL")
	}
	return der, nil
}

// OCSPIssuer returns the issuer certificate the OCSP responses are for.
func (s *Signer) OCSPIssuer(context.Context) (*x509.Certificate, error) {
	return s.issuer, nil
}

// SignOCSP signs one OCSP response directly with the issuing key (no
// delegated responder certificate, so none is included). Whether a status may
// be answered (RULES F5: never "good" for a serial that was not issued) is
// the responder's decision, not the signer's.
func (s *Signer) SignOCSP(ctx context.Context, tbs ca.OCSPTemplate) ([]byte, error) {
	if tbs.Serial == nil || tbs.Serial.Sign() <= 0 {
		return nil, errs.New(errs.Malformed, "OCSP response without a positive serial number")
	}
	switch tbs.Status {
	case ocsp.Good, ocsp.Unknown:
	case ocsp.Revoked:
		if tbs.RevokedAt.IsZero() {
			return nil, errs.New(errs.Malformed, "revoked OCSP response without a revocation time")
		}
	default:
		return nil, errs.New(errs.Malformed, "OCSP status %d is not good, revoked or unknown", tbs.Status)
	}
	if tbs.ThisUpdate.IsZero() {
		return nil, errs.New(errs.Malformed, "OCSP response without thisUpdate")
	}
	if !tbs.NextUpdate.IsZero() && !tbs.NextUpdate.After(tbs.ThisUpdate) {
		return nil, errs.New(errs.Malformed, "OCSP nextUpdate is not after thisUpdate")
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "request cancelled")
	}
	der, err := ocsp.CreateResponse(s.issuer, s.issuer, ocsp.Response{
		Status:             tbs.Status,
		SerialNumber:       tbs.Serial,
		ThisUpdate:         tbs.ThisUpdate,
		NextUpdate:         tbs.NextUpdate,
		RevokedAt:          tbs.RevokedAt,
		RevocationReason:   tbs.RevocationReason,
		SignatureAlgorithm: s.sigAlg,
	}, s.key)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot sign the OCSP response")
	}
	return der, nil
}
