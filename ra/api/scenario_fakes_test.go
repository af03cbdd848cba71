package api

// The two outside systems of the scenario harness, each a real server of the
// same protocol: Human Resources (an HTTP JSON API behind a bearer token) and
// the mail relay (an SMTP server, emersion/go-smtp), with the decoding of what
// the relay received.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// ---------------------------------------------------------------------------
// The fake HR system: a JSON API keyed by /api/v1/servidores/{kind}/{id}.

const scHRToken = "rh-token-5d1c0ffee" // what the fake HR API expects as bearer token

type scHRRecord struct {
	Dependencia string `json:"dependencia"`
	Puesto      string `json:"puesto"`
	Estatus     string `json:"estatus"` // ACTIVO, LICENCIA, SUSPENDIDO, BAJA
	FechaInicio string `json:"fecha_inicio"`
	FechaFin    string `json:"fecha_fin,omitempty"`
}

type scFakeHR struct {
	mu      sync.Mutex
	people  map[string]scHRRecord // "KIND/value"
	lookups int
	badAuth int
}

func (h *scFakeHR) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+scHRToken {
		h.badAuth++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"no autorizado"}`))
		return
	}
	h.lookups++
	key := strings.TrimPrefix(r.URL.Path, "/api/v1/servidores/")
	rec, ok := h.people[key]
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"no existe"}`))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"data": rec})
}

// set records what HR says about a person.
func (h *scFakeHR) set(kind, id, estatus, dependencia, puesto string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.people[kind+"/"+id] = scHRRecord{Dependencia: dependencia, Puesto: puesto, Estatus: estatus, FechaInicio: "2020-01-16"}
}

// asked returns how many lookups HR answered, and how many it refused for a
// missing or wrong bearer token.
func (h *scFakeHR) asked() (answered, unauthenticated int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lookups, h.badAuth
}

func (h *scFakeHR) status(kind, id, estatus string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec := h.people[kind+"/"+id]
	rec.Estatus = estatus
	h.people[kind+"/"+id] = rec
}

// ---------------------------------------------------------------------------
// The SMTP sink: a real SMTP server on 127.0.0.1 that records what it gets.

type scSMTPSink struct {
	mu   sync.Mutex
	msgs []scSunkMail
	addr string
}

type scSunkMail struct {
	From string
	To   []string
	Data []byte
}

func startScSink(t *testing.T) *scSMTPSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("SMTP sink: %v", err)
	}
	s := &scSMTPSink{addr: l.Addr().String()}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.EnableSMTPUTF8 = true
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *scSMTPSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &scSinkSession{s: s}, nil }

func (s *scSMTPSink) messages() []scSunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]scSunkMail(nil), s.msgs...)
}

type scSinkSession struct {
	s    *scSMTPSink
	from string
	to   []string
}

func (ss *scSinkSession) Mail(from string, _ *smtp.MailOptions) error { ss.from = from; return nil }
func (ss *scSinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *scSinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, scSunkMail{From: ss.from, To: ss.to, Data: b})
	ss.s.mu.Unlock()
	return nil
}
func (ss *scSinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *scSinkSession) Logout() error { return nil }

// scEmail is a received message decoded the way a mail client would.
type scEmail struct {
	To      []string // envelope recipients
	Header  mail.Header
	Subject string
	Text    string // text/plain part, whitespace collapsed (the sender wraps lines)
	HTML    string
}

func parseScEmail(t *testing.T, m scSunkMail) scEmail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("parse e-mail: %v\n%s", err, m.Data)
	}
	out := scEmail{To: m.To, Header: msg.Header}
	dec := new(mime.WordDecoder)
	if out.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("e-mail content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("e-mail part: %v", err)
		}
		var body io.Reader = part // multipart.Reader undoes quoted-printable
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("e-mail part: %v", err)
		}
		pmt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch pmt {
		case "text/plain":
			out.Text = strings.Join(strings.Fields(string(b)), " ")
		case "text/html":
			out.HTML = string(b)
		}
	}
	return out
}
