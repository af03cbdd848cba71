// Package ca owns what a certificate authority does for Sello: the Backend
// boundary that the RA forwards approved requests to, the public-servant
// certificate profile (rendered from verified data with go.step.sm/crypto
// x509util templates), CSR and key checks, and pre-issuance linting.
//
// The RA decides who someone is; a Backend only signs. A SignRequest therefore
// carries the CSR (for the public key and proof of possession only) together
// with the subject, e-mail addresses, validity and profile fixed by the RA.
// Nothing in the CSR's subject or extensions reaches the certificate.
package ca

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"math/big"
	"time"
)

// Backend is a CA that signs what the RA approved. Implementations: ca/local
// (embedded signer), ca/stepca and ca/cfssl (remote). Optional capabilities
// (CRLSigner, OCSPSigner) are discovered with type assertions.
type Backend interface {
	// Sign issues a certificate. The backend must not take identity data from
	// the CSR.
	Sign(ctx context.Context, req SignRequest) (*Issued, error)
	// Revoke tells the backend a certificate is revoked (remote CAs keep their
	// own records; the embedded signer has nothing to do).
	Revoke(ctx context.Context, req RevokeRequest) error
	// Chain returns the issuing CA certificate first, then up to the root.
	Chain(ctx context.Context) ([]*x509.Certificate, error)
}

// CRLSigner is implemented by backends that can sign CRLs with the issuing key.
type CRLSigner interface {
	SignCRL(ctx context.Context, tmpl *x509.RevocationList) ([]byte, error)
}

// OCSPSigner is implemented by backends that hold a key able to sign OCSP
// responses for the issuer.
type OCSPSigner interface {
	// OCSPIssuer returns the issuer certificate the responses are for.
	OCSPIssuer(ctx context.Context) (*x509.Certificate, error)
	SignOCSP(ctx context.Context, tbs OCSPTemplate) ([]byte, error)
}

// OCSPTemplate is the content of one OCSP response (see golang.org/x/crypto/ocsp.Response).
type OCSPTemplate struct {
	Serial           *big.Int
	Status           int // ocsp.Good, ocsp.Revoked, ocsp.Unknown
	RevokedAt        time.Time
	RevocationReason int
	ThisUpdate       time.Time
	NextUpdate       time.Time
}

// Subject is the verified identity of the holder, fixed by the RA from checked
// data only (RULES P1).
type Subject struct {
	CommonName             string   `json:"commonName"`
	GivenName              string   `json:"givenName,omitempty"`
	Surname                string   `json:"surname,omitempty"`
	SerialNumber           string   `json:"serialNumber,omitempty"` // ETSI EN 319 412-1 semantics identifier, e.g. PNOMX-<CURP>
	Title                  string   `json:"title,omitempty"`        // position (RULES P1)
	Organization           string   `json:"organization,omitempty"`
	OrganizationalUnit     []string `json:"organizationalUnit,omitempty"`
	OrganizationIdentifier string   `json:"organizationIdentifier,omitempty"` // e.g. GOVMX+JAL, VATPE-<RUC>
	Locality               string   `json:"locality,omitempty"`
	Province               string   `json:"province,omitempty"`
	Country                string   `json:"country,omitempty"`
}

// Profile is what a jurisdiction's policy says a certificate contains apart
// from the holder's data. Template, when set, is an x509util JSON template
// that replaces DefaultTemplate.
type Profile struct {
	Name                  string
	PolicyOID             string // dotted, e.g. 2.25.<uuid>.1.1
	UserNotice            string // limits of use (RULES P1), at most 200 characters
	CPSURI                string
	DocumentSigning       bool // add the RFC 9336 id-kp-documentSigning EKU
	OCSPURLs              []string
	IssuingCertificateURL []string
	CRLURLs               []string
	Template              string
}

// SignRequest is an approved request.
type SignRequest struct {
	CSR       *x509.CertificateRequest // already checked with ParseCSR
	Subject   Subject
	Emails    []string
	NotBefore time.Time
	NotAfter  time.Time
	Profile   Profile
}

// Issued is a signed certificate.
type Issued struct {
	Certificate *x509.Certificate
	DER         []byte
	Chain       []*x509.Certificate
}

// RevokeRequest names a certificate and the RFC 5280 reason code.
type RevokeRequest struct {
	Serial    *big.Int
	Reason    int
	RevokedAt time.Time
}

// IssuerID names an issuing CA certificate in the store (certificate serials
// are unique per issuer): the first 16 bytes of the SHA-256 of its DER, in hex.
func IssuerID(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:16])
}
