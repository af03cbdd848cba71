package notify

import (
	"context"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/errs"
	outbox "github.com/sello-pki/sello/internal/jobs"
)

// JobKind is the outbox kind of an e-mail job.
const JobKind = outbox.KindEmail

// Languages. Spanish (Mexico) is the default of every e-mail.
const (
	LangES = "es"
	LangEN = "en"
)

// maxPayload bounds a job's JSON: a notice is a page of text, not an archive.
const maxPayload = outbox.MaxPayload

// Message is the outbox payload of one e-mail.
type Message struct {
	// Template is one of the names Templates returns.
	Template string `json:"template"`
	// Lang is "es" (the default when empty) or "en".
	Lang string `json:"lang"`
	// To is the holder's institutional e-mail address (RULES R9), a bare
	// ASCII addr-spec.
	To string `json:"to"`
	// Data fills the template: exactly the keys TemplateKeys names, plus the
	// optional "TZ" (an IANA zone name, default America/Mexico_City) that
	// dates are shown in. Times may be time.Time or RFC 3339 strings; they
	// travel through JSON as the latter.
	Data map[string]any `json:"data"`
}

// Enqueue validates m and writes it as an e-mail job in the caller's
// transaction. It is idempotent by dedupKey: a second call with the same key
// (a retried request) writes nothing and returns nil. Keys are namespaced by
// JobKind, so they cannot collide with other kinds' keys.
//
// An unknown template or a missing data key is a programming error
// (errs.Internal); a bad address or language is errs.Malformed. Errors never
// repeat the address.
func Enqueue(ctx context.Context, tx outbox.Enqueuer, dedupKey string, m Message) error {
	if tx == nil {
		return errs.New(errs.Internal, "notify: no transaction")
	}
	if strings.TrimSpace(dedupKey) == "" {
		return errs.New(errs.Internal, "notify: empty dedup key")
	}
	m, err := m.normalize()
	if err != nil {
		return err
	}
	if err := checkKeys(m); err != nil {
		return err
	}
	return outbox.Enqueue(ctx, tx, m.job(dedupKey))
}

// job is the outbox job of m.
func (m Message) job(dedupKey string) *outbox.Email {
	return &outbox.Email{Template: m.Template, Lang: m.Lang, To: m.To, Data: m.Data, Key: dedupKey}
}

// messageOf is the message of a decoded job.
func messageOf(j *outbox.Email) Message {
	return Message{Template: j.Template, Lang: j.Lang, To: j.To, Data: j.Data}
}

const dedupPrefix = JobKind + ":"

// normalize checks the template name, language and address, and fills the
// default language.
func (m Message) normalize() (Message, error) {
	if _, ok := templateKeys[m.Template]; !ok {
		return m, errs.New(errs.Internal, "notify: unknown template %q", m.Template)
	}
	switch m.Lang {
	case "":
		m.Lang = LangES
	case LangES, LangEN:
	default:
		return m, errs.New(errs.Malformed, "notify: language %q is not supported (use %q or %q)", m.Lang, LangES, LangEN)
	}
	if err := checkAddress(m.To); err != nil {
		return m, err
	}
	if tz, ok := m.Data[KeyTZ]; ok {
		if _, err := zoneOf(tz); err != nil {
			return m, err
		}
	}
	return m, nil
}

// checkKeys reports the first data key the template needs and m lacks.
func checkKeys(m Message) error {
	for _, k := range templateKeys[m.Template] {
		if _, ok := m.Data[k]; !ok {
			return errs.New(errs.Internal, "notify: template %q needs data key %q", m.Template, k)
		}
	}
	return nil
}

// checkAddress accepts a bare ASCII addr-spec with a fully qualified domain,
// the same mailboxes a certificate may carry (ca.checkEmail). Its errors do
// not repeat the address: they may end up in logs.
func checkAddress(a string) error {
	if a == "" {
		return errs.New(errs.Malformed, "notify: no recipient address")
	}
	if len(a) > 254 {
		return errs.New(errs.Malformed, "notify: recipient address is longer than 254 characters")
	}
	for i := 0; i < len(a); i++ {
		if a[i] >= utf8.RuneSelf || a[i] <= ' ' || a[i] == 0x7f {
			return errs.New(errs.Malformed, "notify: recipient address must be ASCII without spaces")
		}
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Name != "" || p.Address != a {
		return errs.New(errs.Malformed, "notify: recipient address is not a valid mailbox")
	}
	domain := a[strings.LastIndexByte(a, '@')+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return errs.New(errs.Malformed, "notify: recipient address has no fully qualified domain")
	}
	return nil
}

// Indexer computes keyed blind indexes (*sealed.Box satisfies it).
type Indexer interface {
	Index(namespace, value string) string
}

// recipientNamespace keeps the log's recipient tags apart from the store's
// e-mail index, so a log line cannot be joined to a people row by value.
const recipientNamespace = "log/recipient"

// RecipientTag is how logs name a recipient: the first 12 bytes of a keyed
// HMAC (the blind index of the data key) of the lower-cased address, enough
// to correlate the lines of one recipient without writing the address down.
// Unlike a plain hash it cannot be reversed by hashing a list of likely
// addresses without the key. With no indexer it is empty, and the logs name
// no recipient.
func RecipientTag(ix Indexer, addr string) string {
	if ix == nil {
		return ""
	}
	return ix.Index(recipientNamespace, strings.ToLower(addr))[:24]
}

// scrub removes the recipient's address from an error text (SMTP servers
// echo it: "550 5.1.1 <juan@x.gob.mx>: user unknown") before the text is
// logged or stored as the job's last error.
func scrub(msg, addr string) string {
	if addr == "" {
		return msg
	}
	// ASCII-only folding keeps byte offsets equal between msg and lower.
	lower, la := asciiLower(msg), asciiLower(addr)
	if !strings.Contains(lower, la) {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, la)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		b.WriteString("[recipient]")
		msg, lower = msg[i+len(la):], lower[i+len(la):]
	}
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
