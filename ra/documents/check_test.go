package documents_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra/documents"
)

func TestKindsAndTheirTypes(t *testing.T) {
	docs := []string{documents.PDF, documents.JPEG, documents.PNG}
	imgs := []string{documents.JPEG, documents.PNG}
	want := map[string][]string{
		"PROOF_OF_ADDRESS": docs, "APPOINTMENT_LETTER": docs, "PAYMENT_RECEIPT": docs, "POWER_OF_ATTORNEY": docs,
		"BIRTH_CERTIFICATE": docs, "CURP_PRINTOUT": docs, "TAX_STATUS_CERTIFICATE": docs, "REQUEST_LETTER": docs,
		"POLICE_REPORT": docs, "ID_COPY": docs, "REQUEST_FORM_SIGNED": docs, "AGREEMENT_SIGNED": docs,
		"PHOTO": imgs, "FINGERPRINTS": imgs, "HANDWRITTEN_SIGNATURE": imgs,
	}
	kinds := documents.Kinds()
	if len(kinds) != len(want) {
		t.Fatalf("Kinds() has %d kinds, want %d", len(kinds), len(want))
	}
	for _, k := range kinds {
		got := documents.AllowedTypes(k)
		slices.Sort(got)
		w := slices.Clone(want[k])
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s accepts %v, want %v", k, got, w)
		}
		if bio := k == "PHOTO" || k == "FINGERPRINTS" || k == "HANDWRITTEN_SIGNATURE"; documents.IsBiometric(k) != bio {
			t.Errorf("IsBiometric(%s) = %v", k, !bio)
		}
	}
	if documents.AllowedTypes("SELFIE") != nil {
		t.Error("an unknown kind has allowed types")
	}
}

func TestCheckAcceptsEachKind(t *testing.T) {
	for _, kind := range documents.Kinds() {
		for _, ct := range documents.AllowedTypes(kind) {
			data := properFile(t, kind, ct)
			for _, declared := range []string{ct, "", "application/octet-stream"} {
				got, err := documents.Check(kind, declared, data)
				if err != nil {
					t.Errorf("%s as %s (declared %q): %v", kind, ct, declared, err)
					continue
				}
				if got != ct {
					t.Errorf("%s: Check says %s, want %s", kind, got, ct)
				}
			}
		}
	}
	// Common spellings of a declared type are understood.
	for _, declared := range []string{"image/jpg", "image/pjpeg", "IMAGE/JPEG", "image/jpeg; q=1"} {
		if _, err := documents.Check(documents.Photo, declared, jpegOf(t, 300, 400, false)); err != nil {
			t.Errorf("declared %q: %v", declared, err)
		}
	}
	if _, err := documents.Check(documents.IDCopy, "application/pdf; charset=binary", minimalPDF("x", 0)); err != nil {
		t.Errorf("declared type with parameters: %v", err)
	}
	// A signature is a wide, short image.
	if _, err := documents.Check(documents.HandwrittenSignature, documents.PNG, pngOf(t, 600, 120, false)); err != nil {
		t.Errorf("signature 600x120: %v", err)
	}
	// Limits are inclusive.
	if _, err := documents.Check(documents.IDCopy, documents.PNG, pngOfSize(t, documents.MaxImageSize)); err != nil {
		t.Errorf("PNG of exactly %d bytes: %v", documents.MaxImageSize, err)
	}
	if _, err := documents.Check(documents.IDCopy, documents.PDF, pdfOfSize(t, documents.MaxPDFSize)); err != nil {
		t.Errorf("PDF of exactly %d bytes: %v", documents.MaxPDFSize, err)
	}
	if _, err := documents.Check(documents.IDCopy, documents.PDF, pdfOfSize(t, 6<<20)); err != nil {
		t.Errorf("a 6 MiB PDF is within the PDF limit: %v", err)
	}
}

func TestCheckRefuses(t *testing.T) {
	pdf := minimalPDF("Comprobante", 0)
	html := []byte("<!DOCTYPE html><html><head><title>factura.pdf</title></head><body><script>alert(1)</script></body></html>")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 200)...)
	elf := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 200)...)
	photo := pngOf(t, 400, 400, false)
	cut := func(b []byte, n int) []byte { return b[:len(b)-n] }
	brokenPNG := append(append([]byte{}, photo[:8]...), bytes.Repeat([]byte{0x42}, 500)...)
	brokenJPEG := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0x13}, 500)...)
	cases := []struct {
		name     string
		kind     string
		declared string
		data     []byte
		want     errs.Type
		detail   []string // substrings the client-safe detail must contain
	}{
		{"empty", documents.IDCopy, documents.PDF, nil, errs.Malformed, []string{"vacío", "empty"}},
		{"unknown kind", "SELFIE", documents.JPEG, photo, errs.Malformed, []string{"desconocido", "unknown document kind"}},
		{"PNG declared as PDF", documents.ProofOfAddress, documents.PDF, photo, errs.UnsupportedType,
			[]string{"se declaró application/pdf pero su contenido es image/png", "declared application/pdf but its content is image/png"}},
		{"JPEG declared as PNG", documents.Photo, documents.PNG, jpegOf(t, 400, 400, false), errs.UnsupportedType,
			[]string{"image/png", "image/jpeg"}},
		{"PDF declared as JPEG", documents.IDCopy, documents.JPEG, pdf, errs.UnsupportedType, []string{"application/pdf", "image/jpeg"}},
		{"HTML named .pdf", documents.PaymentReceipt, documents.PDF, html, errs.UnsupportedType,
			[]string{"text/html", "only PDF, JPEG and PNG"}},
		{"HTML undeclared", documents.PaymentReceipt, "", html, errs.UnsupportedType, []string{"text/html"}},
		{"Windows executable as PDF", documents.IDCopy, documents.PDF, exe, errs.UnsupportedType, []string{"executable"}},
		{"ELF executable as PDF", documents.IDCopy, documents.PDF, elf, errs.UnsupportedType, []string{"executable"}},
		{"script as PDF", documents.IDCopy, documents.PDF, []byte("#!/bin/sh\nrm -rf /\n"), errs.UnsupportedType, []string{"executable"}},
		{"plain text", documents.IDCopy, "", []byte("CURP PEXJ800101HJCRXN07"), errs.UnsupportedType, []string{"text/plain"}},
		{"PDF for a photo", documents.Photo, documents.PDF, pdf, errs.UnsupportedType, []string{"PHOTO no acepta application/pdf"}},
		{"PDF for fingerprints", documents.Fingerprints, "", pdf, errs.UnsupportedType, []string{"FINGERPRINTS does not accept"}},
		{"PDF header, no trailer", documents.IDCopy, documents.PDF, []byte("%PDF-1.7\n<html><body>hola</body></html>\n"), errs.Malformed,
			[]string{"%%EOF"}},
		{"truncated PDF", documents.IDCopy, documents.PDF, pdf[:len(pdf)/2], errs.Malformed, []string{"incompleto", "incomplete"}},
		{"PDF without startxref", documents.IDCopy, documents.PDF, []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), errs.Malformed,
			[]string{"startxref"}},
		{"PDF startxref past the end", documents.IDCopy, documents.PDF, []byte("%PDF-1.4\nstartxref\n99999\n%%EOF\n"), errs.Malformed,
			[]string{"startxref"}},
		{"bad PDF version", documents.IDCopy, documents.PDF, []byte("%PDF-x\nstartxref\n0\n%%EOF\n"), errs.Malformed, []string{"header"}},
		{"PNG magic, garbage", documents.Photo, documents.PNG, brokenPNG, errs.Malformed, []string{"not a readable PNG"}},
		{"JPEG magic, garbage", documents.Photo, documents.JPEG, brokenJPEG, errs.Malformed, []string{"not a readable JPEG"}},
		{"truncated PNG", documents.Photo, documents.PNG, cut(photo, 12), errs.Malformed, []string{"truncated"}},
		{"truncated JPEG", documents.Photo, documents.JPEG, cut(jpegOf(t, 400, 400, false), 2), errs.Malformed, []string{"truncated"}},
		{"photo 10x10", documents.Photo, documents.PNG, pngOf(t, 10, 10, false), errs.Malformed,
			[]string{"10x10", "at least 200x200"}},
		{"photo 199x400", documents.Photo, documents.JPEG, jpegOf(t, 199, 400, false), errs.Malformed, []string{"199x400"}},
		{"tiny ID scan", documents.IDCopy, documents.PNG, pngOf(t, 64, 64, false), errs.Malformed, []string{"64x64"}},
		{"colour fingerprints PNG", documents.Fingerprints, documents.PNG, pngOf(t, 400, 400, false), errs.UnsupportedType,
			[]string{"grey-scale"}},
		{"colour fingerprints JPEG", documents.Fingerprints, documents.JPEG, jpegOf(t, 400, 400, false), errs.UnsupportedType,
			[]string{"escala de grises"}},
		{"image 5 MiB + 1", documents.IDCopy, documents.PNG, pngOfSize(t, documents.MaxImageSize+1), errs.TooLarge,
			[]string{"5242881", "5242880"}},
		{"photo 5 MiB + 1", documents.Photo, "", pngOfSize(t, documents.MaxImageSize+1), errs.TooLarge, nil},
		{"PDF 10 MiB + 1", documents.IDCopy, documents.PDF, pdfOfSize(t, documents.MaxPDFSize+1), errs.TooLarge, []string{"10485760"}},
		{"unreadable declared type", documents.IDCopy, "pdf please", pdf, errs.UnsupportedType, []string{"declared content type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, err := documents.Check(c.kind, c.declared, c.data)
			if err == nil {
				t.Fatalf("accepted as %s", ct)
			}
			if got := errs.TypeOf(err); got != c.want {
				t.Fatalf("error type %s, want %s (%v)", got, c.want, err)
			}
			var e *errs.Error
			errors.As(err, &e)
			for _, s := range c.detail {
				if !strings.Contains(e.Detail, s) {
					t.Errorf("detail %q lacks %q", e.Detail, s)
				}
			}
			if !strings.Contains(e.Detail, " / ") {
				t.Errorf("detail %q is not bilingual (es / en)", e.Detail)
			}
		})
	}
}

// The detail never quotes the file, and a client's free text is clipped.
func TestCheckDetailNeverQuotesContent(t *testing.T) {
	secret := "PEXJ800101HJCRXN07 Juan Pérez, Av. Juárez 100"
	for _, data := range [][]byte{[]byte(secret), []byte("<html>" + secret + "</html>"), []byte("%PDF-1.4\n" + secret)} {
		_, err := documents.Check(documents.IDCopy, documents.PDF, data)
		if err == nil || strings.Contains(err.Error(), "PEXJ") || strings.Contains(err.Error(), "Juan") {
			t.Errorf("error %v quotes the content", err)
		}
	}
	_, err := documents.Check(strings.Repeat("K", 5000), "", []byte("x"))
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("an endless kind is echoed whole: %d bytes", len(err.Error()))
	}
}

// endless yields bytes forever and counts them.
type endless struct{ n int64 }

func (r *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	r.n += int64(len(p))
	return len(p), nil
}

type trickle struct{ r io.Reader }

// Read returns one byte at a time, as a slow network does.
func (t trickle) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return t.r.Read(p[:1])
}

func TestReadLimited(t *testing.T) {
	const limit = 100_000
	data := bytes.Repeat([]byte("0123456789"), limit/10)
	got, err := documents.ReadLimited(bytes.NewReader(data), limit)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("exactly the limit: %d bytes, %v", len(got), err)
	}
	got, err = documents.ReadLimited(trickle{bytes.NewReader(data[:1234])}, limit)
	if err != nil || !bytes.Equal(got, data[:1234]) {
		t.Fatalf("byte by byte: %d bytes, %v", len(got), err)
	}
	if got, err := documents.ReadLimited(bytes.NewReader(nil), limit); err != nil || len(got) != 0 {
		t.Fatalf("empty stream: %d bytes, %v", len(got), err)
	}
	if _, err := documents.ReadLimited(bytes.NewReader(append(data, 'x')), limit); !errs.Has(err, errs.TooLarge) {
		t.Fatalf("limit + 1: %v, want TooLarge", err)
	}
	if _, err := documents.ReadLimited(bytes.NewReader([]byte("x")), 0); !errs.Has(err, errs.TooLarge) {
		t.Fatalf("limit 0: %v, want TooLarge", err)
	}
	if _, err := documents.ReadLimited(io.MultiReader(bytes.NewReader(data[:10]), errReader{}), limit); !errs.Has(err, errs.Malformed) {
		t.Fatalf("failing reader: %v, want Malformed", err)
	}
	if _, err := documents.ReadLimited(stuck{}, limit); err == nil {
		t.Fatal("a reader that never progresses was read forever")
	}
	if _, err := documents.ReadLimited(bytes.NewReader(nil), -1); err == nil {
		t.Fatal("negative limit accepted")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }

// An endless upload is cut at limit+1 bytes and costs no more memory than that.
func TestReadLimitedNeverReadsBeyondTheLimit(t *testing.T) {
	const limit = 4 << 20
	r := &endless{}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := documents.ReadLimited(r, limit)
	runtime.ReadMemStats(&after)
	if !errs.Has(err, errs.TooLarge) {
		t.Fatalf("endless stream: %v, want TooLarge", err)
	}
	if r.n > limit+1 {
		t.Errorf("read %d bytes of an endless stream, limit %d", r.n, limit)
	}
	// limit+1 bytes of buffers, plus the slice headers that hold them.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit+1+64<<10 {
		t.Errorf("allocated %d bytes for a limit of %d", alloc, limit)
	}
}
