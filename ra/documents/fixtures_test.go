package documents_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/sello-pki/sello/ra/documents"
)

// minimalPDF writes a one-page PDF by hand, with a correct cross-reference
// table, whose page shows text (uncompressed, so it can be searched for).
// pad adds a comment line of about that many bytes, to reach a size.
func minimalPDF(text string, pad int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	if pad > 0 {
		b.WriteString("%" + strings.Repeat("x", pad) + "\n")
	}
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

// pdfOfSize returns a valid PDF of exactly n bytes.
func pdfOfSize(t testing.TB, n int) []byte {
	t.Helper()
	pad := 0
	for range 5 {
		p := minimalPDF("size", pad)
		if len(p) == n {
			return p
		}
		pad += n - len(p)
	}
	t.Fatalf("cannot build a PDF of %d bytes", n)
	return nil
}

func picture(w, h int, grey bool) image.Image {
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

func pngOf(t testing.TB, w, h int, grey bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h, grey)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegOf(t testing.TB, w, h int, grey bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(w, h, grey), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngOfSize returns a valid 400x400 PNG of exactly n bytes: a private
// ancillary chunk, which decoders skip, pads it before IEND.
func pngOfSize(t testing.TB, n int) []byte {
	t.Helper()
	base := pngOf(t, 400, 400, false)
	const iend = 12 // length, "IEND", CRC
	head, tail := base[:len(base)-iend], base[len(base)-iend:]
	dataLen := n - len(base) - 12
	if dataLen < 0 {
		t.Fatalf("cannot build a PNG of %d bytes", n)
	}
	chunk := make([]byte, 8+dataLen+4)
	binary.BigEndian.PutUint32(chunk, uint32(dataLen))
	copy(chunk[4:], "zzPd")
	binary.BigEndian.PutUint32(chunk[8+dataLen:], crc32.ChecksumIEEE(chunk[4:8+dataLen]))
	out := append(append(append([]byte{}, head...), chunk...), tail...)
	if len(out) != n {
		t.Fatalf("PNG of %d bytes, want %d", len(out), n)
	}
	return out
}

// properFile returns a file kind accepts, of content type ct.
func properFile(t testing.TB, kind, ct string) []byte {
	t.Helper()
	grey := kind == documents.Fingerprints
	switch ct {
	case documents.PDF:
		return minimalPDF("Constancia de prueba", 0)
	case documents.JPEG:
		return jpegOf(t, 640, 480, grey)
	case documents.PNG:
		return pngOf(t, 640, 480, grey)
	}
	t.Fatalf("no proper file of type %s", ct)
	return nil
}
