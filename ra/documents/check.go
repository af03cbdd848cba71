package documents

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// Check proves that data is a real file that kind accepts and returns its
// content type, read from the bytes and never taken from the client.
// declaredContentType is what the client said (a Content-Type header or the
// type a browser guessed); empty or "application/octet-stream" means "not
// declared". A declared type that disagrees with the bytes is refused: an
// upload that lies about its type is not a mistake to repair silently.
//
// Error types: Malformed for an unknown kind, an empty, damaged or
// implausibly small file; UnsupportedType for anything that is not a PDF,
// JPEG or PNG (HTML, executables…), a declared type that is not the real
// one, or a type the kind does not accept; TooLarge above the size limits.
// Details are bilingual (es / en), safe for clients, and never quote the
// content.
func Check(kind, declaredContentType string, data []byte) (contentType string, err error) {
	k, ok := normKind(kind)
	if !ok {
		return "", errs.New(errs.Malformed, "tipo de documento desconocido %q / unknown document kind %q", clip(kind), clip(kind))
	}
	r := rules[k]
	if len(data) == 0 {
		return "", errs.New(errs.Malformed, "el archivo de %s está vacío / the %s file is empty", k, k)
	}
	if len(data) > MaxUploadSize {
		return "", errs.New(errs.TooLarge, "el archivo de %s mide %d bytes y el máximo es %d / the %s file has %d bytes, the maximum is %d",
			k, len(data), MaxUploadSize, k, len(data), MaxUploadSize)
	}
	declared, err := declaredType(declaredContentType)
	if err != nil {
		return "", err
	}
	real := sniff(data)
	switch real {
	case PDF, JPEG, PNG:
	default:
		if declared != "" {
			return "", errs.New(errs.UnsupportedType,
				"el archivo de %s se declaró %s pero su contenido es %s; solo se aceptan PDF, JPEG y PNG / the %s file was declared %s but its content is %s; only PDF, JPEG and PNG are accepted",
				k, declared, real, k, declared, real)
		}
		return "", errs.New(errs.UnsupportedType,
			"el contenido del archivo de %s es %s; solo se aceptan PDF, JPEG y PNG / the %s file's content is %s; only PDF, JPEG and PNG are accepted",
			k, real, k, real)
	}
	if declared != "" && declared != real {
		return "", errs.New(errs.UnsupportedType,
			"el archivo de %s se declaró %s pero su contenido es %s / the %s file was declared %s but its content is %s",
			k, declared, real, k, declared, real)
	}
	if !accepts(r, real) {
		list := strings.Join(r.types, ", ")
		return "", errs.New(errs.UnsupportedType, "%s no acepta %s; acepta %s / %s does not accept %s; it accepts %s",
			k, real, list, k, real, list)
	}
	if limit := maxSize(real); int64(len(data)) > limit {
		return "", errs.New(errs.TooLarge, "el archivo %s de %s mide %d bytes y el máximo es %d / the %s %s file has %d bytes, the maximum is %d",
			real, k, len(data), limit, real, k, len(data), limit)
	}
	if real == PDF {
		err = checkPDF(k, data)
	} else {
		err = checkImage(k, r, real, data)
	}
	if err != nil {
		return "", err
	}
	return real, nil
}

func accepts(r rule, contentType string) bool {
	for _, t := range r.types {
		if t == contentType {
			return true
		}
	}
	return false
}

// declaredType normalises the client's content type; "" means undeclared.
func declaredType(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(s)
	if err != nil {
		return "", errs.New(errs.UnsupportedType, "tipo de contenido declarado ilegible %q / unreadable declared content type %q", clip(s), clip(s))
	}
	switch mt {
	case "application/octet-stream", "binary/octet-stream":
		return "", nil
	case "image/jpg", "image/pjpeg":
		return JPEG, nil
	case "application/x-pdf":
		return PDF, nil
	}
	return mt, nil
}

var (
	pdfMagic  = []byte("%PDF-")
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// sniff names the real type of data from its first bytes. For anything but
// the three accepted types it returns a description for the refusal.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, pdfMagic):
		return PDF
	case bytes.HasPrefix(data, jpegMagic):
		return JPEG
	case bytes.HasPrefix(data, pngMagic):
		return PNG
	case bytes.HasPrefix(data, []byte("MZ")):
		return "application/x-msdownload (ejecutable / executable)"
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		return "application/x-executable (ejecutable / executable)"
	case bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFA, 0xCE}), bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFA, 0xCF}),
		bytes.HasPrefix(data, []byte{0xCE, 0xFA, 0xED, 0xFE}), bytes.HasPrefix(data, []byte{0xCF, 0xFA, 0xED, 0xFE}),
		bytes.HasPrefix(data, []byte{0xCA, 0xFE, 0xBA, 0xBE}):
		return "application/x-mach-binary (ejecutable / executable)"
	case bytes.HasPrefix(data, []byte("#!")):
		return "text/x-shellscript (ejecutable / executable)"
	}
	mt, _, err := mime.ParseMediaType(http.DetectContentType(data))
	if err != nil {
		return "application/octet-stream"
	}
	return mt
}

// pdfTail is how far from the end a PDF's trailer must lie. The PDF
// specification puts "startxref", the offset and "%%EOF" on the last lines;
// 1 KiB tolerates the trailing whitespace and padding real tools leave.
const pdfTail = 1024

// checkPDF proves data has a PDF's header and trailer. It is no PDF parser:
// it refuses files that merely start with "%PDF-" (a truncated upload, or
// something else wearing a PDF header) without judging the objects inside.
func checkPDF(kind string, data []byte) error {
	damaged := func(what string) error {
		return errs.New(errs.Malformed, "el PDF de %s está incompleto o dañado (%s) / the %s PDF is incomplete or damaged (%s)",
			kind, what, kind, what)
	}
	if len(data) < 8 || !isDigit(data[5]) || data[6] != '.' || !isDigit(data[7]) {
		return damaged("encabezado %PDF-n.n / %PDF-n.n header")
	}
	tail := data[max(0, len(data)-pdfTail):]
	eof := bytes.LastIndex(tail, []byte("%%EOF"))
	if eof < 0 {
		return damaged("%%EOF")
	}
	sx := bytes.LastIndex(tail[:eof], []byte("startxref"))
	if sx < 0 {
		return damaged("startxref")
	}
	// The offset of the cross-reference section follows startxref.
	rest := bytes.TrimLeft(tail[sx+len("startxref"):eof], " \t\r\n\f\x00")
	var off int64
	n := 0
	for n < len(rest) && isDigit(rest[n]) && n < 19 {
		off = off*10 + int64(rest[n]-'0')
		n++
	}
	if n == 0 || off >= int64(len(data)) {
		return damaged("startxref")
	}
	return nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// checkImage decodes the image header to prove it is a real JPEG or PNG and
// checks its dimensions. It never decodes the pixels.
func checkImage(kind string, r rule, contentType string, data []byte) error {
	var (
		cfg    image.Config
		err    error
		ending bool
		name   = "PNG"
	)
	if contentType == JPEG {
		name = "JPEG"
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
		// End Of Image marker; a missing one means the upload was cut.
		ending = bytes.LastIndex(data, []byte{0xFF, 0xD9}) >= len(jpegMagic)
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
		ending = bytes.LastIndex(data, []byte("IEND")) >= len(pngMagic)
	}
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "el archivo de %s no es una imagen %s legible / the %s file is not a readable %s image",
			kind, name, kind, name)
	}
	if !ending {
		return errs.New(errs.Malformed, "la imagen %s de %s está incompleta / the %s %s image is incomplete (truncated)",
			name, kind, kind, name)
	}
	short, long := min(cfg.Width, cfg.Height), max(cfg.Width, cfg.Height)
	if short < r.minShort || long < r.minLong {
		return errs.New(errs.Malformed,
			"la imagen de %s mide %dx%d px y debe medir al menos %dx%d px / the %s image is %dx%d px and must be at least %dx%d px",
			kind, cfg.Width, cfg.Height, r.minShort, r.minLong, kind, cfg.Width, cfg.Height, r.minShort, r.minLong)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return errs.New(errs.TooLarge, "la imagen de %s mide %dx%d px, más de %d píxeles / the %s image is %dx%d px, more than %d pixels",
			kind, cfg.Width, cfg.Height, MaxImagePixels, kind, cfg.Width, cfg.Height, MaxImagePixels)
	}
	if r.grey && !isGrey(cfg.ColorModel) {
		return errs.New(errs.UnsupportedType,
			"las huellas dactilares deben ser una imagen en escala de grises, no a color / fingerprints must be a grey-scale image, not colour")
	}
	return nil
}

func isGrey(m color.Model) bool {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return true
	}
	p, ok := m.(color.Palette)
	if !ok || len(p) == 0 {
		return false
	}
	for _, c := range p {
		r, g, b, _ := c.RGBA()
		if r != g || g != b {
			return false
		}
	}
	return true
}

// clip shortens a client-supplied string before it goes into an error detail.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// readChunk is the size of the pieces ReadLimited reads into.
const readChunk = 32 << 10

// ReadLimited reads r to the end and returns its bytes, or a TooLarge error
// as soon as r yields more than limit bytes. It reads at most limit+1 bytes
// and, for a stream over the limit, allocates no more than limit+1 bytes of
// buffers in all (it reads into pieces that it joins only once the stream
// has ended within the limit), so an endless or huge upload costs no more
// than the limit.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		return nil, errs.New(errs.Internal, "documents: negative read limit %d", limit)
	}
	var (
		pieces [][]byte
		total  int64
	)
	for {
		piece := make([]byte, min(limit+1-total, readChunk))
		n, err := fill(r, piece)
		total += int64(n)
		pieces = append(pieces, piece[:n])
		if total > limit {
			return nil, errs.New(errs.TooLarge, "el archivo excede el máximo de %d bytes / the file exceeds the maximum of %d bytes", limit, limit)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errs.Wrap(errs.Malformed, err, "no se pudo leer el archivo / the file could not be read")
		}
	}
	if len(pieces) == 1 {
		return pieces[0], nil
	}
	out := make([]byte, 0, total)
	for _, p := range pieces {
		out = append(out, p...)
	}
	return out, nil
}

// fill reads into p until it is full (nil error) or r ends (io.EOF) or
// fails. A reader that keeps returning nothing and no error is an error.
func fill(r io.Reader, p []byte) (int, error) {
	n, idle := 0, 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m > 0 {
			idle = 0
		} else if idle++; idle >= 100 {
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}
