package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sello-pki/sello/internal/server"
	"github.com/sello-pki/sello/ra/web"
)

// scLink is a link Sello handed out, and where it was found.
type scLink struct {
	URL, Where string
}

var scURL = regexp.MustCompile(`https?://[^\s"'<>]+`)

// collectLinks records every URL in text (an e-mail's parts, a PDF's text).
func (h *scHarness) collectLinks(where, text string) {
	for _, u := range scURL.FindAllString(text, -1) {
		h.links = append(h.links, scLink{URL: strings.TrimRight(u, ".,;:)"), Where: where})
	}
}

// collectPDFLinks decodes the QR code of every page of the PDF in file, as
// a phone scanning the paper would (pdftoppm at 150 dpi, zbarimg), and
// records where it leads. A printed document carries its online check as a
// QR code and prints the same address in text (RULES G4), which may wrap
// over lines: text is compared with its blanks removed.
func (h *scHarness) collectPDFLinks(path, file, text string) {
	h.t.Helper()
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		h.t.Fatalf("pdftoppm is needed to scan the QR codes: install poppler-utils: %v", err)
	}
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		h.t.Fatalf("zbarimg is needed to scan the QR codes: install zbar-tools: %v", err)
	}
	prefix := filepath.Join(h.t.TempDir(), "page")
	if out, err := exec.Command(pdftoppm, "-png", "-r", "150", file, prefix).CombinedOutput(); err != nil {
		h.t.Fatalf("pdftoppm %s: %v\n%s", path, err, out)
	}
	pages, _ := filepath.Glob(prefix + "*.png")
	found := 0
	for _, p := range pages {
		// zbarimg exits 4 when a page has no code: only the first page
		// carries one.
		out, _ := exec.Command(zbarimg, "--raw", "-q", p).Output()
		for _, line := range strings.Fields(string(out)) {
			h.links = append(h.links, scLink{URL: line, Where: "QR code of " + path})
			found++
			if !strings.Contains(strings.Join(strings.Fields(text), ""), line) {
				h.t.Errorf("%s: its QR code leads to %s, which the page does not print:\n%s", path, line, text)
			}
		}
	}
	if found == 0 {
		h.t.Errorf("%s has no QR code that scans (RULES G4)", path)
	}
}

// scProtocolPaths are endpoints the approval e-mail gives for software,
// not for a browser: EST and ACME clients, whose front ends come with
// their own issues and which answer their protocols, not a GET.
var scProtocolPaths = []string{"/.well-known/est", "/acme/"}

// followLinks follows every link handed out so far through the server's
// real handler on an HTTPS listener, as the person who receives it would,
// and expects a page (200). Each leads to the portal's HTTPS base (it shows
// personal data), and the plain listener refuses it.
func (h *scHarness) followLinks() {
	h.t.Helper()
	handler := server.Handler(server.Options{DB: h.store, Registry: prometheus.NewRegistry(), API: h.api,
		Web: web.New(h.ra, nil), Logger: slog.New(slog.DiscardHandler), HTTPSURL: scPortalURL})
	tlsSrv := httptest.NewTLSServer(handler)
	defer tlsSrv.Close()
	plainSrv := httptest.NewServer(handler)
	defer plainSrv.Close()
	kinds := map[string]bool{}
	seen := map[string]bool{}
	for _, l := range h.links {
		if seen[l.URL] {
			continue
		}
		seen[l.URL] = true
		u, err := url.Parse(l.URL)
		if err != nil {
			h.t.Errorf("%s: link %q does not parse: %v", l.Where, l.URL, err)
			continue
		}
		if protocolPath(u.Path) {
			continue
		}
		if !strings.HasPrefix(l.URL, scPortalURL+"/") {
			h.t.Errorf("%s: link %s is not under the portal's HTTPS base %s", l.Where, l.URL, scPortalURL)
			continue
		}
		kinds[strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 2)[0]+"/"+map[bool]string{true: "query", false: ""}[u.RawQuery != ""]] = true
		for _, lang := range []string{"", "en"} {
			target := tlsSrv.URL + u.RequestURI()
			if lang != "" {
				target += map[bool]string{true: "&", false: "?"}[u.RawQuery != ""] + "lang=" + lang
			}
			resp, err := tlsSrv.Client().Get(target)
			if err != nil {
				h.t.Fatalf("%s: GET %s: %v", l.Where, l.URL, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				h.t.Errorf("%s: GET %s (lang %q) = %d %s\n%s", l.Where, l.URL, lang, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		}
		resp, err := plainSrv.Client().Get(plainSrv.URL + u.RequestURI())
		if err != nil {
			h.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			h.t.Errorf("%s: the plain listener answers %s with %d: personal data is served over HTTPS only", l.Where, l.URL, resp.StatusCode)
		}
	}
	// The scenario hands out each kind of link: the online check (from the
	// e-mails with its code, and from paper), the e-mail verification and
	// the status page.
	for _, k := range []string{"verificar/query", "verificar/", "solicitud/query", "solicitud/"} {
		if !kinds[k] {
			h.t.Errorf("no %s link was handed out; links: %v", k, h.links)
		}
	}
}

func protocolPath(p string) bool {
	for _, pre := range scProtocolPaths {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}
