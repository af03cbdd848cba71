package receipt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/sello-pki/sello/internal/errs"
)

// JWSType is the "typ" header of a signed acknowledgement.
const JWSType = "sello-acknowledgement+jws"

var acceptedAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.RS256}

// Sign returns the acknowledgement as a compact JWS signed by key, with the
// signer's certificate chain (leaf first) in the x5c header so anyone holding
// the roots can check it later (RULES G4). The algorithm follows the key:
// ES256, ES384 or ES512 for ECDSA P-256, P-384 or P-521, RS256 for RSA.
func Sign(a Acknowledgement, key crypto.Signer, chain []*x509.Certificate) (string, error) {
	if key == nil || len(chain) == 0 || chain[0] == nil {
		return "", errs.New(errs.BadConfig, "acknowledgement signer: a key and its certificate chain are required")
	}
	alg, err := algorithmFor(key.Public())
	if err != nil {
		return "", err
	}
	if !samePublicKey(chain[0].PublicKey, key.Public()) {
		return "", errs.New(errs.BadConfig, "acknowledgement signer: the first certificate of the chain is not the key's")
	}
	x5c := make([]string, len(chain))
	for i, c := range chain {
		if c == nil {
			return "", errs.New(errs.BadConfig, "acknowledgement signer: chain[%d] is nil", i)
		}
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "acknowledgement: encode")
	}
	opts := (&jose.SignerOptions{}).WithType(JWSType).WithHeader("x5c", x5c)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: opaque{key: key, alg: alg}}, opts)
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "acknowledgement: signer")
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", errs.Wrap(errs.Unavailable, err, "acknowledgement: sign")
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "acknowledgement: serialise")
	}
	return out, nil
}

// Verify checks a signed acknowledgement: the signature must verify with the
// x5c leaf, and the leaf must chain to roots. The chain is checked at the
// filing time the acknowledgement states, because an acknowledgement is
// signed the moment the filing arrives and must stay checkable after the
// signing certificate expires. A payload that does not match its signature is
// errs.Malformed; a signer that does not chain to roots is errs.Unauthorized.
func Verify(jws string, roots *x509.CertPool) (Acknowledgement, error) {
	obj, err := jose.ParseSignedCompact(jws, acceptedAlgs)
	if err != nil {
		return Acknowledgement{}, errs.Wrap(errs.Malformed, err, "acknowledgement: not a signed acknowledgement")
	}
	if len(obj.Signatures) != 1 {
		return Acknowledgement{}, errs.New(errs.Malformed, "acknowledgement: exactly one signature expected")
	}
	if typ, _ := obj.Signatures[0].Protected.ExtraHeaders[jose.HeaderType].(string); typ != JWSType {
		return Acknowledgement{}, errs.New(errs.Malformed, "acknowledgement: typ %q, want %q", typ, JWSType)
	}
	chain, err := x5c(jws)
	if err != nil {
		return Acknowledgement{}, err
	}
	payload, err := obj.Verify(chain[0].PublicKey)
	if err != nil {
		return Acknowledgement{}, errs.Wrap(errs.Malformed, err, "acknowledgement: signature does not match its content")
	}
	var a Acknowledgement
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Acknowledgement{}, errs.Wrap(errs.Malformed, err, "acknowledgement: content")
	}
	if a.FiledAt.IsZero() {
		return Acknowledgement{}, errs.New(errs.Malformed, "acknowledgement: no filing time")
	}
	if roots == nil {
		return Acknowledgement{}, errs.New(errs.Unauthorized, "acknowledgement: no trusted roots")
	}
	if ku := chain[0].KeyUsage; ku != 0 && ku&x509.KeyUsageDigitalSignature == 0 {
		return Acknowledgement{}, errs.New(errs.Unauthorized, "acknowledgement: signer's certificate does not allow digital signatures")
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err = chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   a.FiledAt,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return Acknowledgement{}, errs.Wrap(errs.Unauthorized, err, "acknowledgement: signer is not trusted")
	}
	return a, nil
}

// x5c reads the certificate chain of the protected header. go-jose keeps
// its parsed copy private and only hands it out after a chain check at the
// wall-clock time, which is not the time an acknowledgement is judged at.
func x5c(compact string) ([]*x509.Certificate, error) {
	seg, _, _ := strings.Cut(compact, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "acknowledgement: header")
	}
	var h struct {
		X5c []string `json:"x5c"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "acknowledgement: header")
	}
	if len(h.X5c) == 0 {
		return nil, errs.New(errs.Malformed, "acknowledgement: no x5c certificate chain")
	}
	chain := make([]*x509.Certificate, len(h.X5c))
	for i, s := range h.X5c {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, errs.Wrap(errs.Malformed, err, "acknowledgement: x5c[%d]", i)
		}
		if chain[i], err = x509.ParseCertificate(der); err != nil {
			return nil, errs.Wrap(errs.Malformed, err, "acknowledgement: x5c[%d]", i)
		}
	}
	return chain, nil
}

func algorithmFor(pub crypto.PublicKey) (jose.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		case elliptic.P521():
			return jose.ES512, nil
		}
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return jose.RS256, nil
		}
	}
	return "", errs.New(errs.BadPublicKey, "acknowledgement signer: key type %T not supported (ECDSA P-256/384/521 or RSA >= 2048)", pub)
}

func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// opaque lets any crypto.Signer (an HSM key included) sign for go-jose, which
// only knows in-memory private keys natively.
type opaque struct {
	key crypto.Signer
	alg jose.SignatureAlgorithm
}

func (o opaque) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: o.key.Public(), Algorithm: string(o.alg), Use: "sig"}
}

func (o opaque) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{o.alg} }

func (o opaque) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	var h crypto.Hash
	switch alg {
	case jose.ES256, jose.RS256:
		h = crypto.SHA256
	case jose.ES384:
		h = crypto.SHA384
	case jose.ES512:
		h = crypto.SHA512
	default:
		return nil, errs.New(errs.Internal, "acknowledgement signer: algorithm %s", alg)
	}
	d := h.New()
	d.Write(payload)
	sig, err := o.key.Sign(rand.Reader, d.Sum(nil), h)
	if err != nil || alg == jose.RS256 {
		return sig, err
	}
	// crypto.Signer gives ECDSA signatures in ASN.1; JWS wants r||s, each
	// padded to the curve size (RFC 7518 §3.4).
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		return nil, err
	}
	size := (o.key.Public().(*ecdsa.PublicKey).Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}
