package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// Sender delivers a rendered e-mail. It is the Worker's only view of the
// mail system; tests substitute their own.
type Sender interface {
	Send(ctx context.Context, m Rendered) error
}

// TLS modes of Config.TLS.
const (
	TLSNone     = "none"     // plain SMTP, for a relay on the same host or network
	TLSStartTLS = "starttls" // STARTTLS required (submission, port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// maxTimeout bounds Config.Timeout: a worker holds its lease while it waits.
const maxTimeout = 10 * time.Minute

// Config is the SMTP submission server e-mails go through. The password is
// never written in the configuration: PasswordFile names the file holding it.
type Config struct {
	Host         string        `yaml:"host"`
	Port         int           `yaml:"port"`
	Username     string        `yaml:"username"`
	PasswordFile string        `yaml:"password_file"`
	From         string        `yaml:"from"` // e.g. "Sello <no-reply@example.gob.mx>"
	TLS          string        `yaml:"tls"`  // "none", "starttls" or "tls"
	Timeout      time.Duration `yaml:"timeout"`
}

// Validate checks c without filling anything in, and reports every problem
// at once, each naming its key.
func (c Config) Validate() error {
	var p []string
	bad := func(key, format string, args ...any) {
		p = append(p, "smtp."+key+": "+fmt.Sprintf(format, args...))
	}
	switch h := c.Host; {
	case h == "":
		bad("host", "required")
	case strings.ContainsAny(h, " \t\r\n/@"):
		bad("host", "%q is not a host name or IP address", h)
	case strings.Contains(h, ":") && net.ParseIP(h) == nil:
		bad("host", "%q: give the port in smtp.port", h)
	}
	if c.Port < 1 || c.Port > 65535 {
		bad("port", "%d is not a TCP port (1-65535)", c.Port)
	}
	switch c.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	case "":
		bad("tls", `required: "none", "starttls" or "tls"`)
	default:
		bad("tls", `%q is not "none", "starttls" or "tls"`, c.TLS)
	}
	if c.From == "" {
		bad("from", `required, e.g. "Sello <no-reply@example.gob.mx>"`)
	} else if a, err := mail.ParseAddress(c.From); err != nil {
		bad("from", "%q is not an address: %v", c.From, err)
	} else if checkAddress(a.Address) != nil {
		bad("from", "%q: the address must be an ASCII mailbox with a fully qualified domain", c.From)
	}
	switch {
	case c.Username != "" && c.PasswordFile == "":
		bad("password_file", "required when smtp.username is set")
	case c.Username == "" && c.PasswordFile != "":
		bad("username", "required when smtp.password_file is set")
	case c.Username != "" && c.TLS == TLSNone:
		bad("username", `credentials would travel in clear text: set smtp.tls to "starttls" or "tls"`)
	}
	if c.Timeout <= 0 || c.Timeout > maxTimeout {
		bad("timeout", "%v is not between 0 and %v", c.Timeout, maxTimeout)
	}
	if len(p) > 0 {
		return errs.New(errs.BadConfig, "%s", strings.Join(p, "; "))
	}
	return nil
}

// SMTPSender sends e-mails through an SMTP server with go-mail: one
// connection per e-mail (notices are few; a pooled connection would only add
// a failure mode), multipart/alternative text and HTML in UTF-8 with
// quoted-printable, a fresh Message-ID and the Date of the injected clock.
type SMTPSender struct {
	client *gomail.Client
	from   *mail.Address
	domain string
	clk    clock.Clock
}

// SMTPOption adjusts an SMTPSender.
type SMTPOption func(*smtpOptions)

type smtpOptions struct {
	tls *tls.Config
}

// WithTLSConfig sets the TLS configuration for "starttls" and "tls", e.g. to
// trust a government relay's private root. Set its ServerName.
func WithTLSConfig(c *tls.Config) SMTPOption { return func(o *smtpOptions) { o.tls = c } }

// NewSMTPSender checks c, reads the password file and returns a sender.
func NewSMTPSender(c Config, clk clock.Clock, opts ...SMTPOption) (*SMTPSender, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if clk == nil {
		return nil, errs.New(errs.BadConfig, "smtp: no clock")
	}
	var o smtpOptions
	for _, f := range opts {
		f(&o)
	}
	from, _ := mail.ParseAddress(c.From) // checked by Validate
	copts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case TLSNone:
		copts = append(copts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		copts = append(copts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		copts = append(copts, gomail.WithSSL())
	}
	if o.tls != nil {
		copts = append(copts, gomail.WithTLSConfig(o.tls))
	}
	if c.Username != "" {
		pw, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, errs.Wrap(errs.BadConfig, err, "smtp.password_file: cannot read %s", c.PasswordFile)
		}
		password := strings.TrimRight(string(pw), "\r\n")
		if password == "" {
			return nil, errs.New(errs.BadConfig, "smtp.password_file: %s is empty", c.PasswordFile)
		}
		copts = append(copts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username), gomail.WithPassword(password))
	}
	client, err := gomail.NewClient(c.Host, copts...)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "smtp: cannot set up the client")
	}
	return &SMTPSender{
		client: client,
		from:   from,
		domain: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		clk:    clk,
	}, nil
}

// Send delivers m. Its errors are errs.Unavailable (the server is down or
// refused the e-mail) and may quote the server's answer, which can contain
// the recipient's address: scrub before logging.
func (s *SMTPSender) Send(ctx context.Context, m Rendered) error {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return errs.New(errs.Malformed, "smtp: recipient address is not valid")
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(newMessageID(s.domain))
	msg.SetDateWithValue(s.clk.Now())
	// RFC 3834: out-of-office robots must not answer a notice.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return errs.Wrap(errs.Unavailable, err, "smtp: sending failed")
	}
	return nil
}

// newMessageID returns a unique Message-ID under the sender's domain (not
// the host name, which says nothing to the recipient).
func newMessageID(domain string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b) + "@" + domain
}
