package receipt

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"rsc.io/qr"

	"github.com/sello-pki/sello/internal/errs"
)

// A4 portrait, millimetres.
const (
	pageH    = 297.0
	marginX  = 20.0
	contentW = 210.0 - 2*marginX
	footerH  = 38.0 // reserved at the bottom of every page for the footer
	labelW   = 58.0
	lineH    = 5.0
	qrSize   = 26.0
	// maxVerifyURL keeps the QR code's modules large enough to scan at
	// 150 dpi at qrSize (256 bytes no longer does).
	maxVerifyURL = 200
)

// frame is what every page of a document repeats: the authority heading it,
// the title, and the footer that leads to the online check (RULES G4).
type frame struct {
	title     string
	body      ReceivingBody
	folio     string
	code      string
	verifyURL string
}

// doc is one document being laid out; the forms only add sections, field
// rows, paragraphs, lists and signature lines.
type doc struct {
	pdf *fpdf.Fpdf
	l   language
	loc *time.Location
}

// newDoc starts a document dated at (used for the PDF metadata, so the same
// input gives the same file) and prints the first page's heading.
func newDoc(l language, tz string, f frame, at time.Time) (*doc, error) {
	if err := required(
		"folio", f.folio, "verification code", f.code, "verify URL", f.verifyURL,
		"authority", f.body.Authority, "organisation", f.body.Organisation); err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, errs.New(errs.Malformed, "document date: required")
	}
	loc, err := location(tz)
	if err != nil {
		return nil, err
	}
	if len(f.verifyURL) > maxVerifyURL {
		return nil, errs.New(errs.Malformed, "verify URL longer than %d bytes: its QR code would not scan from paper", maxVerifyURL)
	}
	code, err := qr.Encode(f.verifyURL, qr.M)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "verify URL cannot be encoded as a QR code")
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	d := &doc{pdf: pdf, l: l, loc: loc}
	pdf.SetMargins(marginX, 14, marginX)
	pdf.SetAutoPageBreak(true, footerH)
	pdf.AliasNbPages("{nb}") // before the fonts: fpdf keeps the alias's glyphs in the subset
	pdf.AddUTF8FontFromBytes(fontFamily, "", dejaVuSans)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", dejaVuSansBold)
	pdf.SetTitle(printable(f.title), true)
	pdf.SetAuthor(printable(f.body.Authority), true)
	pdf.SetSubject("Folio "+printable(f.folio), true)
	pdf.SetCreator("Sello", true)
	pdf.SetLang(l.code())
	pdf.SetCatalogSort(true) // resource dictionaries in a fixed order: same input, same bytes
	pdf.SetCreationDate(at.UTC())
	pdf.SetModificationDate(at.UTC())
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(code.PNG()))
	pdf.SetHeaderFunc(func() { d.header(f) })
	pdf.SetFooterFunc(func() { d.footer(f) })
	pdf.AddPage()
	return d, pdf.Error()
}

// composed returns the frame with its texts as the fonts print them
// (printable).
func (f frame) composed() frame {
	f.title, f.folio, f.code, f.verifyURL = printable(f.title), printable(f.folio), printable(f.code), printable(f.verifyURL)
	b := &f.body
	b.Authority, b.Organisation, b.Code, b.Unit = printable(b.Authority), printable(b.Organisation), printable(b.Code), printable(b.Unit)
	return f
}

func (d *doc) header(f frame) {
	p := d.pdf
	f = f.composed()
	p.SetFont(fontFamily, "B", 11)
	p.MultiCell(0, 5.5, f.body.Authority, "", "C", false)
	p.SetFont(fontFamily, "", 10)
	org := f.body.Organisation
	if f.body.Code != "" {
		org += " (" + f.body.Code + ")"
	}
	p.MultiCell(0, 5, org, "", "C", false)
	if f.body.Unit != "" {
		p.SetFont(fontFamily, "", 9)
		p.MultiCell(0, 4.5, f.body.Unit, "", "C", false)
	}
	p.Ln(1.5)
	y := p.GetY()
	p.SetLineWidth(0.4)
	p.Line(marginX, y, marginX+contentW, y)
	p.Ln(4)
	p.SetFont(fontFamily, "B", 15)
	p.MultiCell(0, 7, f.title, "", "C", false)
	p.SetFont(fontFamily, "", 10)
	p.CellFormat(0, 6, "Folio: "+f.folio, "", 1, "R", false, 0, "")
	p.Ln(2)
}

func (d *doc) footer(f frame) {
	p := d.pdf
	f = f.composed()
	top := pageH - footerH + 4
	p.SetLineWidth(0.2)
	p.Line(marginX, top-2, marginX+contentW, top-2)
	p.ImageOptions("qr", marginX, top, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	x, w := marginX+qrSize+4, contentW-qrSize-4
	p.SetXY(x, top+1)
	p.SetFont(fontFamily, "B", 8.5)
	p.CellFormat(w, 4.5, fmt.Sprintf("%s %s  ·  %s %d %s {nb}", "Folio:", f.folio,
		d.l.pick("Página", "Page"), p.PageNo(), d.l.pick("de", "of")), "", 2, "L", false, 0, "")
	p.SetFont(fontFamily, "", 8.5)
	p.CellFormat(w, 4.5, d.l.pick("Código de verificación: ", "Verification code: ")+f.code, "", 2, "L", false, 0, "")
	p.SetFont(fontFamily, "", 7.5)
	p.MultiCell(w, 3.6, d.l.pick(
		"Verifique la integridad y autenticidad de este documento escaneando el código QR o capturando el código de verificación en:",
		"Check this document's integrity and authenticity by scanning the QR code or entering the verification code at:"),
		"", "L", false)
	p.SetX(x)
	p.MultiCell(w, 3.6, f.verifyURL, "", "L", false)
}

// section starts a titled block, on a new page if its first rows would not fit.
func (d *doc) section(title string) {
	p := d.pdf
	title = printable(title)
	d.ensure(18)
	p.Ln(1.5)
	p.SetFont(fontFamily, "B", 10.5)
	p.SetFillColor(230, 233, 238)
	p.CellFormat(0, 6, " "+title, "", 1, "L", true, 0, "")
	p.Ln(1)
}

// field prints one "label: value" row; long values wrap inside their column.
func (d *doc) field(label, value string) {
	p := d.pdf
	label, value = printable(label), printable(value)
	if strings.TrimSpace(value) == "" {
		value = "—"
	}
	p.SetFont(fontFamily, "", 9.5)
	h := float64(len(p.SplitText(value, contentW-labelW))) * lineH
	p.SetFont(fontFamily, "B", 9.5)
	if lh := float64(len(p.SplitText(label, labelW))) * lineH; lh > h {
		h = lh
	}
	d.ensure(h)
	x, y := p.GetXY()
	p.MultiCell(labelW, lineH, label, "", "L", false)
	p.SetXY(x+labelW, y)
	p.SetFont(fontFamily, "", 9.5)
	p.MultiCell(contentW-labelW, lineH, value, "", "L", false)
	p.SetXY(x, y+h+0.8)
}

// para prints running text.
func (d *doc) para(text string) {
	text = printable(text)
	d.pdf.SetFont(fontFamily, "", 9.5)
	d.pdf.MultiCell(0, lineH, text, "", "J", false)
	d.pdf.Ln(1)
}

// note prints a smaller remark, e.g. why two times differ.
func (d *doc) note(text string) {
	text = printable(text)
	d.pdf.SetFont(fontFamily, "", 8.5)
	d.pdf.SetX(marginX + labelW)
	d.pdf.MultiCell(contentW-labelW, 4.2, text, "", "L", false)
	d.pdf.Ln(1)
}

// numbered prints a numbered list; each item may have a bold lead ("Art. 58").
func (d *doc) numbered(items []listItem) {
	p := d.pdf
	for i, it := range items {
		it.lead, it.text = printable(it.lead), printable(it.text)
		text := it.text
		p.SetFont(fontFamily, "", 9.5)
		n := len(p.SplitText(text, contentW-10))
		if it.lead != "" {
			n += len(p.SplitText(it.lead, contentW-10))
		}
		h := float64(n) * lineH
		d.ensure(h)
		x, y := p.GetXY()
		p.CellFormat(9, lineH, fmt.Sprintf("%d.", i+1), "", 0, "R", false, 0, "")
		p.SetXY(x+10, y)
		if it.lead != "" {
			p.SetFont(fontFamily, "B", 9.5)
			p.MultiCell(contentW-10, lineH, it.lead, "", "L", false)
			p.SetX(x + 10)
			p.SetFont(fontFamily, "", 9.5)
		}
		p.MultiCell(contentW-10, lineH, text, "", "J", false)
		p.SetX(x)
		p.Ln(1)
	}
}

type listItem struct{ lead, text string }

// signature is one signature line: who signs and, below, in what capacity.
type signature struct{ name, role string }

// signatures prints one or two signature lines side by side, kept together.
func (d *doc) signatures(sigs ...signature) {
	p := d.pdf
	d.ensure(30)
	p.Ln(14)
	y := p.GetY()
	w := contentW / float64(max(len(sigs), 2)) // a lone signature is centred at half width
	left := marginX + (contentW-w*float64(len(sigs)))/2
	for i, s := range sigs {
		s.name, s.role = printable(s.name), printable(s.role)
		x := left + float64(i)*w
		p.SetLineWidth(0.3)
		p.Line(x+6, y, x+w-6, y)
		p.SetXY(x+3, y+1)
		p.SetFont(fontFamily, "B", 9)
		p.MultiCell(w-6, 4.5, s.name, "", "C", false)
		p.SetX(x + 3)
		p.SetFont(fontFamily, "", 8.5)
		p.MultiCell(w-6, 4.2, s.role, "", "C", false)
	}
	p.SetXY(marginX, y+14)
}

// ensure starts a new page when h millimetres would run into the footer.
func (d *doc) ensure(h float64) {
	if d.pdf.GetY()+h > pageH-footerH {
		d.pdf.AddPage()
	}
}

func (d *doc) when(t time.Time) string { return d.l.when(t, d.loc) }

func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "render PDF")
	}
	return buf.Bytes(), nil
}

// required refuses empty fields, named in pairs (name, value, ...), so a
// printed document never leaves out what its rule asks for.
func required(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			missing = append(missing, pairs[i])
		}
	}
	if len(missing) > 0 {
		return errs.New(errs.Malformed, "missing: %s", strings.Join(missing, ", "))
	}
	return nil
}
