package documents_test

import (
	"slices"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra/documents"
)

// FuzzCheck: any bytes, kind and declared type give an answer, never a
// panic; an accepted file has a type its kind allows and passed the limits.
func FuzzCheck(f *testing.F) {
	f.Add(uint8(0), "application/pdf", minimalPDF("semilla", 0))
	f.Add(uint8(12), "image/png", pngOf(f, 200, 200, false))
	f.Add(uint8(13), "", pngOf(f, 200, 200, true))
	f.Add(uint8(12), "image/jpeg", jpegOf(f, 200, 200, false))
	f.Add(uint8(9), "application/pdf", []byte("<html></html>"))
	f.Add(uint8(9), "application/pdf", []byte("%PDF-1.4\nstartxref\n0\n%%EOF"))
	f.Add(uint8(1), "", []byte{})
	kinds := documents.Kinds()
	f.Fuzz(func(t *testing.T, k uint8, declared string, data []byte) {
		kind := kinds[int(k)%len(kinds)]
		ct, err := documents.Check(kind, declared, data)
		if err != nil {
			switch errs.TypeOf(err) {
			case errs.Malformed, errs.UnsupportedType, errs.TooLarge:
			default:
				t.Fatalf("untyped or unexpected error: %v", err)
			}
			if ct != "" {
				t.Fatalf("a refusal names a content type %q", ct)
			}
			return
		}
		if !slices.Contains(documents.AllowedTypes(kind), ct) {
			t.Fatalf("%s accepted as %s", kind, ct)
		}
		if len(data) == 0 || len(data) > documents.MaxUploadSize {
			t.Fatalf("accepted %d bytes", len(data))
		}
	})
}
