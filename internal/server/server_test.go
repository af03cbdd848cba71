package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func selfSigned(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Unix(0, 0),
		NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// Each issuer's certificates are served under its own name; the root once.
func TestCAFilesPerIssuer(t *testing.T) {
	root, jal, caj := selfSigned(t, "root"), selfSigned(t, "jalisco"), selfSigned(t, "cajamarca")
	srv := httptest.NewServer(Handler(Options{Root: root, Registry: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler),
		Issuers: []Issuer{{Name: "jalisco", Chain: []*x509.Certificate{jal, root}}, {Name: "cajamarca", Chain: []*x509.Certificate{caj, root}}}}))
	defer srv.Close()
	for path, want := range map[string]string{"/ca/jalisco/issuing.crt": "jalisco", "/ca/cajamarca/issuing.crt": "cajamarca", "/ca/root.crt": "root"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c, err := x509.ParseCertificate(body)
		if resp.StatusCode != 200 || err != nil || c.Subject.CommonName != want || resp.Header.Get("Content-Type") != "application/pkix-cert" {
			t.Errorf("%s: %d %v %v", path, resp.StatusCode, err, resp.Header)
		}
	}
	for _, path := range []string{"/ca/zacatecas/issuing.crt", "/ca/jalisco/root.key", "/ca/issuing.crt"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}
