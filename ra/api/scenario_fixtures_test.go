package api

// What the scenarios feed the API: the files an agent uploads, identifiers,
// the holder's CSR and the policy's closing time.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/policies/validate"
	"github.com/sello-pki/sello/ra/documents"
)

// ---------------------------------------------------------------------------
// Files an agent uploads: real PDF, PNG and JPEG bytes.

// scPDF writes a one-page PDF by hand with a correct cross-reference
// table.
func scPDF(text string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	content := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET\n", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func scPicture(w, h int, grey bool) image.Image {
	if grey {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetGray(x, y, color.Gray{Y: uint8((x*7 + y*13) % 256)})
			}
		}
		return img
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: uint8(x ^ y), A: 255})
		}
	}
	return img
}

func scPNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func scJPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// scCapture returns a real capture for a biometric kind: a 320x320 colour JPEG
// photo, a 300x300 grey-scale PNG of fingerprints, a 400x150 PNG signature.
func scCapture(kind string) (contentType, filename string, data []byte) {
	switch kind {
	case documents.Photo:
		return "image/jpeg", "foto.jpg", scJPEG(scPicture(320, 320, false))
	case documents.Fingerprints:
		return "image/png", "huellas.png", scPNG(scPicture(300, 300, true))
	case documents.HandwrittenSignature:
		return "image/png", "firma.png", scPNG(scPicture(400, 150, false))
	}
	panic("no capture for " + kind)
}

// ---------------------------------------------------------------------------
// Identifiers and keys.

// scCURP completes a 17-character CURP prefix with its check digit (RULES F1).
func scCURP(t *testing.T, first17 string) string {
	t.Helper()
	d, err := validate.CURPCheckDigit(first17)
	if err != nil {
		t.Fatal(err)
	}
	c := first17 + string(d)
	if _, err := validate.ParseCURP(c); err != nil {
		t.Fatalf("CURP %s: %v", c, err)
	}
	return c
}

// scCSR is the holder's CSR, made on their own device (RULES P3); its
// subject is ignored by the RA.
func scCSR(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "lo que sea"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// scClosing returns the policy's closing time on the given day.
func scClosing(t *testing.T, p *policies.Policy, y int, m time.Month, d int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(p.CalendarSpec.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	var hh, mm int
	if _, err := fmt.Sscanf(p.CalendarSpec.Close, "%d:%d", &hh, &mm); err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}
