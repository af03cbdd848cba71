package receipt

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

const testTZ = "America/Mexico_City"

// mx returns a wall-clock time in Mexico City.
func mx(t *testing.T, y int, m time.Month, d, hh, mm, ss int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(testTZ)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, hh, mm, ss, 0, loc)
}

// tool finds an external program the tests need, or fails with how to get it.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install it with `sudo apt-get install -y %s` (Debian/Ubuntu)", name, pkg)
	}
	return p
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return out
}

func writePDF(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var spaces = regexp.MustCompile(`[ \t]+`)

// pdfText is what a reader of the printed page sees, as pdftotext -layout
// extracts it, with runs of blanks squeezed to one so that assertions do not
// depend on column positions.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := tool(t, "pdftotext", "poppler-utils")
	out := run(t, bin, "-layout", "-enc", "UTF-8", writePDF(t, pdf), "-")
	return spaces.ReplaceAllString(string(out), " ")
}

// qrOnPage renders one page at 150 dpi, as a cheap scan would, and decodes
// the QR code on it.
func qrOnPage(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	pdftoppm := tool(t, "pdftoppm", "poppler-utils")
	zbarimg := tool(t, "zbarimg", "zbar-tools")
	in := writePDF(t, pdf)
	prefix := filepath.Join(t.TempDir(), "page")
	pg := strconv.Itoa(page)
	run(t, pdftoppm, "-png", "-r", "150", "-f", pg, "-l", pg, "-singlefile", in, prefix)
	return strings.TrimSpace(string(run(t, zbarimg, "--raw", "-q", prefix+".png")))
}

// wantAll fails for every snippet missing from text.
func wantAll(t *testing.T, text string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if !strings.Contains(text, s) {
			t.Errorf("printed text lacks %q", s)
		}
	}
	if t.Failed() {
		t.Logf("printed text:\n%s", text)
	}
}

func wantNone(t *testing.T, text string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if strings.Contains(text, s) {
			t.Errorf("printed text must not contain %q", s)
		}
	}
}
