package main

import (
	"crypto/tls"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The HTTPS listener that `sello serve` builds offers only AEAD suites with
// ECDHE under TLS 1.2: a client that offers nothing but CBC-SHA1 (or any
// other non-AEAD suite) gets no handshake; AEAD suites and TLS 1.3 work.
func TestServe_TLS12OffersOnlyAEADSuites(t *testing.T) {
	data := filepath.Join(t.TempDir(), "sello-data")
	t.Setenv("SELLO_LISTEN_HTTP", "127.0.0.1:0")
	t.Setenv("SELLO_LISTEN_HTTPS", "127.0.0.1:0")
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	_, httpsURL, _ := startServe(t, data)
	addr := strings.TrimPrefix(httpsURL, "https://")

	dial := func(cfg *tls.Config) (*tls.ConnectionState, error) {
		cfg.InsecureSkipVerify = true // the suite is under test here, not the chain
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		st := c.ConnectionState()
		return &st, nil
	}
	if _, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}); err == nil {
		t.Fatal("a TLS 1.2 handshake with ECDHE-ECDSA-AES128-CBC-SHA succeeded")
	}
	aead := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if slices.Contains(aead, s.ID) || !slices.Contains(s.SupportedVersions, tls.VersionTLS12) {
			continue
		}
		if st, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{s.ID}}); err == nil {
			t.Errorf("a TLS 1.2 handshake with %s succeeded (negotiated %s)", s.Name, tls.CipherSuiteName(st.CipherSuite))
		}
	}
	st, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: aead})
	if err != nil {
		t.Fatalf("a TLS 1.2 client offering AEAD suites: %v", err)
	}
	if !slices.Contains(aead, st.CipherSuite) {
		t.Errorf("TLS 1.2 negotiated %s", tls.CipherSuiteName(st.CipherSuite))
	}
	if st, err := dial(&tls.Config{MinVersion: tls.VersionTLS13}); err != nil || st.Version != tls.VersionTLS13 {
		t.Fatalf("TLS 1.3: %+v %v", st, err)
	}
}
