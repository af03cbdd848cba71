package ca

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/pem"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
)

func FuzzParseCSR(f *testing.F) {
	p256, _, rsa2048 := testKeys(f)
	csr := mustCSR(f, p256, pkix.Name{CommonName: "fuzz"}, "fuzz@example.gob.mx")
	f.Add(csrPEM(csr))
	f.Add(csr.Raw)
	f.Add(csrPEM(mustCSR(f, rsa2048, pkix.Name{CommonName: "fuzz rsa"})))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: csr.Raw}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: newTestIssuer(f).cert.Raw}))
	f.Add(newTestIssuer(f).cert.Raw)
	garbage := make([]byte, 64)
	if _, err := rand.Read(garbage); err != nil {
		f.Fatal(err)
	}
	f.Add(garbage)
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x80})
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseCSR(data)
		if err != nil {
			if got != nil {
				t.Fatal("a CSR and an error")
			}
			if typ := errs.TypeOf(err); typ != errs.BadCSR && typ != errs.BadPublicKey {
				t.Fatalf("error of type %s: %v", typ, err)
			}
			return
		}
		// Whatever is accepted is a signed request for an acceptable key.
		if err := got.CheckSignature(); err != nil {
			t.Fatalf("accepted a CSR whose signature does not verify: %v", err)
		}
		if err := CheckKey(got.PublicKey); err != nil {
			t.Fatalf("accepted a CSR with a refused key: %v", err)
		}
	})
}
