package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that records
// what it accepts.
type sink struct {
	t    testing.TB
	port int

	// rcpt, when set, may refuse a RCPT TO; n counts RCPT commands from 1.
	rcpt func(n int, to string) error
	// user and pass, when set, make the server require AUTH PLAIN.
	user, pass string
	// tls, when set, is offered by STARTTLS or, with implicit, from the
	// first byte.
	tls      *tls.Config
	implicit bool

	mu    sync.Mutex
	msgs  []sinkMsg
	rcpts int
	srv   *smtp.Server
}

type sinkMsg struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

// start serves on addr ("127.0.0.1:0" for a random port, or the address of
// an earlier run to restart on the same port).
func (s *sink) start(addr string) {
	s.t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatalf("sink listen on %s: %v", addr, err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	if s.implicit {
		l = tls.NewListener(l, s.tls)
	}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.EnableSMTPUTF8 = true
	if !s.implicit {
		srv.TLSConfig = s.tls
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(l)
	s.t.Cleanup(func() { srv.Close() })
}

func (s *sink) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *sink) stop() {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	srv.Close()
}

func (s *sink) messages() []sinkMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMsg(nil), s.msgs...)
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &sinkSession{s: s, tls: isTLS}, nil
}

type sinkSession struct {
	s      *sink
	tls    bool
	user   string
	from   string
	to     []string
	authed bool
}

var _ smtp.AuthSession = (*sinkSession)(nil)

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	if ss.s.user == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.user || password != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.authed, ss.user = true, username
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	ss.s.rcpts++
	n, hook := ss.s.rcpts, ss.s.rcpt
	ss.s.mu.Unlock()
	if hook != nil {
		if err := hook(n, to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, sinkMsg{From: ss.from, To: ss.to, Data: b, TLS: ss.tls, User: ss.user})
	ss.s.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset() { ss.from, ss.to = "", nil }

func (ss *sinkSession) Logout() error { return nil }

// parsedMail is a received e-mail decoded the way a mail client would.
type parsedMail struct {
	Header    mail.Header
	Subject   string
	Text      string
	HTML      string
	TextType  string // media type parameters included
	HTMLType  string
	Multipart string
}

// parseMail decodes raw with net/mail and mime/multipart, undoing RFC 2047
// words, quoted-printable and base64.
func parseMail(t testing.TB, raw []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	var p parsedMail
	p.Header = msg.Header
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	p.Multipart = mt
	if !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("content type %q, want multipart", mt)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		// multipart.Reader undoes quoted-printable itself; base64 is ours.
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) // SMTP's line ends
		ct := part.Header.Get("Content-Type")
		pmt, _, _ := mime.ParseMediaType(ct)
		switch pmt {
		case "text/plain":
			p.Text, p.TextType = string(b), ct
		case "text/html":
			p.HTML, p.HTMLType = string(b), ct
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

// testCert returns a self-signed certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sink.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}
