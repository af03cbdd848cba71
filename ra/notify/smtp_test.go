package notify

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

func TestConfig_Validate(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "smtp.pass")
	ok := Config{Host: "smtp.example.gob.mx", Port: 587, Username: "sello", PasswordFile: pw,
		From: "Sello <no-reply@example.gob.mx>", TLS: TLSStartTLS, Timeout: 30 * time.Second}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for _, c := range []struct {
		name string
		mod  func(*Config)
		want []string // each named key must appear in the error
	}{
		{"no host", func(c *Config) { c.Host = "" }, []string{"smtp.host: required"}},
		{"host with port", func(c *Config) { c.Host = "smtp.example.gob.mx:587" }, []string{"smtp.host", "smtp.port"}},
		{"host URL", func(c *Config) { c.Host = "smtp://smtp.example.gob.mx" }, []string{"smtp.host"}},
		{"port zero", func(c *Config) { c.Port = 0 }, []string{"smtp.port"}},
		{"port too big", func(c *Config) { c.Port = 70000 }, []string{"smtp.port"}},
		{"no tls mode", func(c *Config) { c.TLS = "" }, []string{"smtp.tls: required"}},
		{"bad tls mode", func(c *Config) { c.TLS = "ssl" }, []string{"smtp.tls", `"ssl"`}},
		{"no from", func(c *Config) { c.From = "" }, []string{"smtp.from: required"}},
		{"bad from", func(c *Config) { c.From = "Sello" }, []string{"smtp.from"}},
		{"from without FQDN", func(c *Config) { c.From = "no-reply@localhost" }, []string{"smtp.from"}},
		{"username without password", func(c *Config) { c.PasswordFile = "" }, []string{"smtp.password_file"}},
		{"password without username", func(c *Config) { c.Username = "" }, []string{"smtp.username"}},
		{"credentials in clear", func(c *Config) { c.TLS = TLSNone }, []string{"smtp.username", "clear text"}},
		{"no timeout", func(c *Config) { c.Timeout = 0 }, []string{"smtp.timeout"}},
		{"huge timeout", func(c *Config) { c.Timeout = time.Hour }, []string{"smtp.timeout"}},
		{"several problems", func(c *Config) { c.Host, c.Port, c.TLS = "", 0, "x" }, []string{"smtp.host", "smtp.port", "smtp.tls"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.mod(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !errs.Has(err, errs.BadConfig) {
				t.Errorf("error type %s", errs.TypeOf(err))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if _, err := NewSMTPSender(cfg, clock.New()); err == nil {
				t.Error("NewSMTPSender accepted it")
			}
		})
	}
	// Plain relay without credentials; IPv6 literal host.
	relay := Config{Host: "::1", Port: 25, From: "no-reply@example.gob.mx", TLS: TLSNone, Timeout: time.Second}
	if err := relay.Validate(); err != nil {
		t.Errorf("relay config refused: %v", err)
	}
}

func TestNewSMTPSender_PasswordFile(t *testing.T) {
	dir := t.TempDir()
	c := Config{Host: "127.0.0.1", Port: 587, Username: "sello", From: "no-reply@example.gob.mx", TLS: TLSStartTLS, Timeout: time.Second}
	c.PasswordFile = filepath.Join(dir, "missing")
	if _, err := NewSMTPSender(c, clock.New()); err == nil || !strings.Contains(err.Error(), "smtp.password_file") {
		t.Errorf("missing password file: %v", err)
	}
	c.PasswordFile = filepath.Join(dir, "empty")
	os.WriteFile(c.PasswordFile, []byte("\n"), 0o600)
	if _, err := NewSMTPSender(c, clock.New()); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty password file: %v", err)
	}
	if _, err := NewSMTPSender(smtpConfig(25), nil); err == nil {
		t.Error("nil clock accepted")
	}
}

func TestSMTPSender_StartTLSWithAuth(t *testing.T) {
	cert, pool := testCert(t)
	sk := &sink{t: t, user: "sello", pass: "s3cr3t-contraseña", tls: &tls.Config{Certificates: []tls.Certificate{cert}}}
	sk.start("127.0.0.1:0")
	pw := filepath.Join(t.TempDir(), "smtp.pass")
	if err := os.WriteFile(pw, []byte("s3cr3t-contraseña\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(tMonday)
	c := Config{Host: "127.0.0.1", Port: sk.port, Username: "sello", PasswordFile: pw,
		From: "Sello <no-reply@example.gob.mx>", TLS: TLSStartTLS, Timeout: 5 * time.Second}
	s := newSMTPSender(t, c, clk, WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	r := Rendered{To: rcptAddr, Subject: "Acuse de recibo: ñandú", Text: "Texto con acentos: á é í ó ú ñ ¿?\n", HTML: "<p>Texto con acentos: á é í ó ú ñ</p>\n"}
	if err := s.Send(context.Background(), r); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := sk.messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != "sello" {
		t.Fatalf("sink got %+v, want one message over TLS from user sello", msgs)
	}
	p := parseMail(t, msgs[0].Data)
	if p.Subject != r.Subject || p.Text != r.Text || p.HTML != r.HTML {
		t.Errorf("round trip changed the message:\n%q\n%q\n%q", p.Subject, p.Text, p.HTML)
	}
	if d, err := p.Header.Date(); err != nil || !d.Equal(tMonday) {
		t.Errorf("Date %v (%v), want the fake clock's %v", d, err, tMonday)
	}

	// A wrong password is refused, and a server without STARTTLS is not
	// used in the clear.
	os.WriteFile(pw, []byte("wrong"), 0o600)
	bad := newSMTPSender(t, c, clk, WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}))
	if err := bad.Send(context.Background(), r); err == nil {
		t.Error("wrong password accepted")
	}
	plain := &sink{t: t}
	plain.start("127.0.0.1:0")
	c.Port = plain.port
	os.WriteFile(pw, []byte("s3cr3t-contraseña"), 0o600)
	noTLS := newSMTPSender(t, c, clk, WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}))
	if err := noTLS.Send(context.Background(), r); err == nil || !errs.Has(err, errs.Unavailable) {
		t.Errorf("server without STARTTLS: %v", err)
	}
	if n := len(plain.messages()); n != 0 {
		t.Errorf("sent %d messages in the clear", n)
	}
	// An untrusted certificate is refused.
	c.Port = sk.port
	untrusted := newSMTPSender(t, c, clk)
	if err := untrusted.Send(context.Background(), r); err == nil {
		t.Error("untrusted certificate accepted")
	}
	if n := len(sk.messages()); n != 1 {
		t.Errorf("sink has %d messages, want still 1", n)
	}
}

func TestSMTPSender_ImplicitTLS(t *testing.T) {
	cert, pool := testCert(t)
	sk := &sink{t: t, tls: &tls.Config{Certificates: []tls.Certificate{cert}}, implicit: true}
	sk.start("127.0.0.1:0")
	c := Config{Host: "127.0.0.1", Port: sk.port, From: "Sello <no-reply@example.gob.mx>", TLS: TLSImplicit, Timeout: 5 * time.Second}
	s := newSMTPSender(t, c, clock.NewFake(tMonday), WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}))
	if err := s.Send(context.Background(), Rendered{To: rcptAddr, Subject: "s", Text: "t\n", HTML: "<p>h</p>\n"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if msgs := sk.messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Fatalf("sink got %+v, want one message over TLS", msgs)
	}
}
