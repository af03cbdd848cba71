package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

const rcptAddr = "maria.nunez@zacatecas.gob.mx"

// smtpConfig points at a sink (or a closed port) without TLS.
func smtpConfig(port int) Config {
	return Config{Host: "127.0.0.1", Port: port, From: "Sello <no-reply@example.gob.mx>", TLS: TLSNone, Timeout: 5 * time.Second}
}

func newSMTPSender(t testing.TB, c Config, clk clock.Clock, opts ...SMTPOption) *SMTPSender {
	t.Helper()
	s, err := NewSMTPSender(c, clk, opts...)
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

// logBuffer collects the worker's JSON logs; safe for concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newWorker(t testing.TB, e *storetest.Env, s Sender, logs *logBuffer, mod ...func(*WorkerConfig)) *Worker {
	t.Helper()
	c := WorkerConfig{Store: e.Store, Sender: s, Clock: e.Clock, Batch: 10}
	if logs != nil {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	for _, f := range mod {
		f(&c)
	}
	w, err := NewWorker(c)
	if err != nil {
		t.Fatalf("NewWorker: %v", err)
	}
	return w
}

func enqueue(t testing.TB, e *storetest.Env, key string, m Message) {
	t.Helper()
	err := e.Store.InTx(context.Background(), func(tx *store.Tx) error { return Enqueue(context.Background(), tx, key, m) })
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

// enqueueRaw writes a payload the way an older or broken writer might,
// bypassing Enqueue's checks.
func enqueueRaw(t testing.TB, e *storetest.Env, key string, payload []byte) {
	t.Helper()
	err := e.Store.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Enqueue(context.Background(), JobKind, dedupPrefix+key, payload)
		return err
	})
	if err != nil {
		t.Fatalf("tx.Enqueue: %v", err)
	}
}

func jobs(t testing.TB, e *storetest.Env) []store.Job {
	t.Helper()
	js, err := e.Store.JobsByKind(context.Background(), JobKind)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func onlyJob(t testing.TB, e *storetest.Env) store.Job {
	t.Helper()
	js := jobs(t, e)
	if len(js) != 1 {
		t.Fatalf("%d jobs, want 1", len(js))
	}
	return js[0]
}

func runOnce(t testing.TB, w *Worker, wantSent int) {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n != wantSent {
		t.Fatalf("RunOnce sent %d, want %d", n, wantSent)
	}
}

func deficiencyMessage(lang string) Message {
	data, _ := sample(TemplateDeficiencyNotice)
	return Message{Template: TemplateDeficiencyNotice, Lang: lang, To: rcptAddr, Data: data}
}

func TestWorker_DeliversSpanishDeficiencyNoticeOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		sk := &sink{t: t}
		sk.start("127.0.0.1:0")
		w := newWorker(t, e, newSMTPSender(t, smtpConfig(sk.port), e.Clock), nil)
		enqueue(t, e, "deficiency/ZAC-2026-000123", deficiencyMessage(""))

		runOnce(t, w, 1)

		msgs := sk.messages()
		if len(msgs) != 1 {
			t.Fatalf("sink got %d messages, want 1", len(msgs))
		}
		got := msgs[0]
		if len(got.To) != 1 || got.To[0] != rcptAddr {
			t.Errorf("envelope recipients %v, want [%s]", got.To, rcptAddr)
		}
		if got.From != "no-reply@example.gob.mx" {
			t.Errorf("envelope sender %q", got.From)
		}
		p := parseMail(t, got.Data)
		if to, err := p.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != rcptAddr {
			t.Errorf("To header %v (%v)", to, err)
		}
		if from, err := mail.ParseAddress(p.Header.Get("From")); err != nil || from.Name != "Sello" || from.Address != "no-reply@example.gob.mx" {
			t.Errorf("From header %q", p.Header.Get("From"))
		}
		if want := "Requisitos faltantes en su solicitud con folio ZAC-2026-000123"; p.Subject != want {
			t.Errorf("subject %q, want %q", p.Subject, want)
		}
		if p.Multipart != "multipart/alternative" {
			t.Errorf("top-level type %q, want multipart/alternative", p.Multipart)
		}
		for _, ct := range []string{p.TextType, p.HTMLType} {
			if !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
				t.Errorf("part type %q is not UTF-8", ct)
			}
		}
		flat := strings.Join(strings.Fields(p.Text), " ")
		for _, want := range []string{"Estimado(a) María José Núñez Peña:", "[R2] Identificación oficial con fotografía",
			"3 días hábiles", fDeadlineES, "ZAC-2026-000123", "no presentada"} {
			if !strings.Contains(flat, want) {
				t.Errorf("text part lacks %q:\n%s", want, p.Text)
			}
		}
		for _, want := range []string{"<p>Estimado(a) María José Núñez Peña:</p>", "<li><strong>[R2]</strong> Identificación oficial con fotografía</li>", fDeadlineES} {
			if !strings.Contains(p.HTML, want) {
				t.Errorf("HTML part lacks %q:\n%s", want, p.HTML)
			}
		}
		if d, err := p.Header.Date(); err != nil || !d.Equal(e.Clock.Now().Truncate(time.Second)) {
			t.Errorf("Date header %v (%v), want the clock's %v", d, err, e.Clock.Now())
		}
		if id := p.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.gob.mx>") {
			t.Errorf("Message-ID %q", id)
		}
		if p.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("Auto-Submitted %q", p.Header.Get("Auto-Submitted"))
		}

		j := onlyJob(t, e)
		if j.State != store.JobDone || j.DoneAt == nil || j.Attempts != 1 || j.LastError != "" {
			t.Errorf("job %+v, want done after one attempt", j)
		}
		// Done stays done: nothing is sent twice.
		e.Clock.Add(24 * time.Hour)
		runOnce(t, w, 0)
		if n := len(sk.messages()); n != 1 {
			t.Errorf("sink has %d messages after a second run", n)
		}
	})
}

func TestWorker_ServerDownThenUp_NothingLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		// A port with nobody listening.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()

		w := newWorker(t, e, newSMTPSender(t, smtpConfig(port), e.Clock), nil)
		enqueue(t, e, "deficiency/1", deficiencyMessage(LangES))
		t0 := e.Store.Now()

		runOnce(t, w, 0)
		j := onlyJob(t, e)
		if j.State != store.JobPending || j.Attempts != 1 || j.LastError == "" || j.LockedUntil != nil {
			t.Fatalf("after a failed send: %+v, want pending, 1 attempt, an error, unlocked", j)
		}
		if !j.RunAfter.Equal(t0.Add(30 * time.Second)) {
			t.Errorf("run_after %v, want %v (30s backoff)", j.RunAfter, t0.Add(30*time.Second))
		}
		if strings.Contains(j.LastError, rcptAddr) {
			t.Errorf("last_error holds the address: %q", j.LastError)
		}

		sk := &sink{t: t}
		sk.start(addr)
		// Not before the backoff has passed.
		e.Clock.Add(29 * time.Second)
		runOnce(t, w, 0)
		if n := len(sk.messages()); n != 0 {
			t.Fatalf("sent %d before the backoff ended", n)
		}
		e.Clock.Add(2 * time.Second)
		runOnce(t, w, 1)
		if msgs := sk.messages(); len(msgs) != 1 || msgs[0].To[0] != rcptAddr {
			t.Fatalf("sink got %v", msgs)
		}
		if j := onlyJob(t, e); j.State != store.JobDone || j.Attempts != 2 {
			t.Errorf("job %+v, want done after 2 attempts", j)
		}
	})
}

func TestWorker_Temporary451ThenAccepted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		sk := &sink{t: t, rcpt: func(n int, to string) error {
			if n == 1 {
				// Servers echo the address; it must not reach logs or the job.
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "<" + strings.ToUpper(to) + ">: greylisted, try again later"}
			}
			return nil
		}}
		sk.start("127.0.0.1:0")
		logs := &logBuffer{}
		w := newWorker(t, e, newSMTPSender(t, smtpConfig(sk.port), e.Clock), logs)
		enqueue(t, e, "deficiency/2", deficiencyMessage(LangES))

		runOnce(t, w, 0)
		j := onlyJob(t, e)
		if j.State != store.JobPending || j.Attempts != 1 || !strings.Contains(j.LastError, "451") {
			t.Fatalf("after 451: %+v", j)
		}
		if !strings.Contains(j.LastError, "[recipient]") || strings.Contains(strings.ToLower(j.LastError), rcptAddr) {
			t.Errorf("last_error not scrubbed: %q", j.LastError)
		}
		if n := len(sk.messages()); n != 0 {
			t.Fatalf("a refused message was recorded (%d)", n)
		}

		e.Clock.Add(Backoff(1))
		runOnce(t, w, 1)
		if n := len(sk.messages()); n != 1 {
			t.Fatalf("sink has %d messages, want 1", n)
		}
		if j := onlyJob(t, e); j.State != store.JobDone || j.Attempts != 2 {
			t.Errorf("job %+v, want done on the second attempt", j)
		}
		assertNoPersonalData(t, logs.String())
	})
}

func TestWorker_DuplicateEnqueueSendsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		sk := &sink{t: t}
		sk.start("127.0.0.1:0")
		w := newWorker(t, e, newSMTPSender(t, smtpConfig(sk.port), e.Clock), nil)
		m := deficiencyMessage(LangES)
		enqueue(t, e, "deficiency/ZAC-2026-000123", m)
		enqueue(t, e, "deficiency/ZAC-2026-000123", m) // a retried request
		if n := len(jobs(t, e)); n != 1 {
			t.Fatalf("%d jobs after a duplicate enqueue, want 1", n)
		}
		runOnce(t, w, 1)
		// Enqueued again after it was sent: still nothing new.
		enqueue(t, e, "deficiency/ZAC-2026-000123", m)
		e.Clock.Add(time.Hour)
		runOnce(t, w, 0)
		if n := len(sk.messages()); n != 1 {
			t.Errorf("sink has %d messages, want 1", n)
		}
		// Another key is another e-mail.
		enqueue(t, e, "deficiency/ZAC-2026-000124", m)
		runOnce(t, w, 1)
		if n := len(sk.messages()); n != 2 {
			t.Errorf("sink has %d messages, want 2", n)
		}
	})
}

// fakeSender records what it is given and fails as told.
type fakeSender struct {
	mu   sync.Mutex
	sent []Rendered
	fail func(n int) error // n counts calls from 1
}

func (f *fakeSender) Send(_ context.Context, r Rendered) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.sent) + 1
	f.sent = append(f.sent, r)
	if f.fail != nil {
		return f.fail(n)
	}
	return nil
}

func (f *fakeSender) calls() []Rendered {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Rendered(nil), f.sent...)
}

func TestWorker_UnrenderableJobIsDeadAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		fs := &fakeSender{}
		logs := &logBuffer{}
		w := newWorker(t, e, fs, logs)

		unknown, _ := json.Marshal(Message{Template: "no_such_template", Lang: "es", To: rcptAddr, Data: map[string]any{"Name": "María José Núñez Peña"}})
		missing := deficiencyMessage(LangES)
		delete(missing.Data, "Deadline")
		missingJSON, _ := json.Marshal(missing)
		enqueueRaw(t, e, "unknown", unknown)
		enqueueRaw(t, e, "missing", missingJSON)
		enqueueRaw(t, e, "garbage", []byte("{not json"))

		runOnce(t, w, 0)
		for _, j := range jobs(t, e) {
			if j.State != store.JobDead || j.Attempts != 1 || j.LastError == "" {
				t.Errorf("job %s: %+v, want dead after 1 attempt with an error", j.DedupKey, j)
			}
			if strings.Contains(j.LastError, rcptAddr) {
				t.Errorf("job %s: last_error holds the address: %q", j.DedupKey, j.LastError)
			}
		}
		js := jobs(t, e)
		if !strings.Contains(js[0].LastError, "no_such_template") || !strings.Contains(js[1].LastError, "Deadline") {
			t.Errorf("last errors do not say what is wrong: %q, %q", js[0].LastError, js[1].LastError)
		}
		// Never retried: a day later nothing is claimed and nothing was sent.
		e.Clock.Add(24 * time.Hour)
		runOnce(t, w, 0)
		if len(fs.calls()) != 0 {
			t.Errorf("sender called %d times for unrenderable jobs", len(fs.calls()))
		}
		for _, j := range jobs(t, e) {
			if j.Attempts != 1 || j.State != store.JobDead {
				t.Errorf("job %s retried: %+v", j.DedupKey, j)
			}
		}
		assertNoPersonalData(t, logs.String())
		if !strings.Contains(logs.String(), `"level":"ERROR"`) {
			t.Error("a dead job was not logged as an error")
		}
	})
}

func TestWorker_RetriesWithBackoffThenDead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		fs := &fakeSender{fail: func(int) error { return errors.New("421 4.3.2 service not available") }}
		w := newWorker(t, e, fs, nil, func(c *WorkerConfig) { c.MaxAttempts = 4 })
		enqueue(t, e, "k", deficiencyMessage(LangES))
		for attempt := 1; attempt <= 4; attempt++ {
			now := e.Store.Now()
			runOnce(t, w, 0)
			j := onlyJob(t, e)
			if j.Attempts != attempt {
				t.Fatalf("attempts %d, want %d", j.Attempts, attempt)
			}
			if attempt < 4 {
				if j.State != store.JobPending || !j.RunAfter.Equal(now.Add(Backoff(attempt))) {
					t.Fatalf("attempt %d: %+v, want pending until %v", attempt, j, now.Add(Backoff(attempt)))
				}
				e.Clock.Add(Backoff(attempt))
			} else if j.State != store.JobDead {
				t.Fatalf("after MaxAttempts: state %q, want dead", j.State)
			}
		}
		e.Clock.Add(24 * time.Hour)
		runOnce(t, w, 0)
		if n := len(fs.calls()); n != 4 {
			t.Errorf("sender called %d times, want 4", n)
		}
	})
}

func TestBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{
		0: 30 * time.Second, 1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute,
		7: 32 * time.Minute, 8: time.Hour, 9: time.Hour, 1000: time.Hour,
	} {
		if got := Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}

func TestWorker_EnglishWhenLangIsEN(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		sk := &sink{t: t}
		sk.start("127.0.0.1:0")
		w := newWorker(t, e, newSMTPSender(t, smtpConfig(sk.port), e.Clock), nil)
		data, _ := sample(TemplateRevocation)
		enqueue(t, e, "revocation/REV-2026-0031", Message{Template: TemplateRevocation, Lang: LangEN, To: rcptAddr, Data: data})
		runOnce(t, w, 1)
		msgs := sk.messages()
		if len(msgs) != 1 {
			t.Fatalf("sink got %d messages", len(msgs))
		}
		p := parseMail(t, msgs[0].Data)
		if want := "Revocation of your electronic signature certificate (serial number 4F2A9C01D3)"; p.Subject != want {
			t.Errorf("subject %q, want %q", p.Subject, want)
		}
		flat := strings.Join(strings.Fields(p.Text), " ")
		for _, want := range []string{"Dear María José Núñez Peña,", fMondayEN, "REV-2026-0031", "Separación del cargo"} {
			if !strings.Contains(flat, want) {
				t.Errorf("text lacks %q:\n%s", want, p.Text)
			}
		}
		if strings.Contains(p.Text, "Estimado") || !strings.Contains(p.HTML, `lang="en"`) {
			t.Errorf("not English:\n%s\n%s", p.Text, p.HTML)
		}
	})
}

func TestWorker_LeaseEndedBeforeSendingIsLeftAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		fs := &fakeSender{}
		// The worker's clock runs ahead of the store's: by the time it would
		// send, the lease the store granted has ended.
		late := clock.NewFake(e.Clock.Now().Add(DefaultLease + time.Second))
		w := newWorker(t, e, fs, nil, func(c *WorkerConfig) { c.Clock = late })
		enqueue(t, e, "k", deficiencyMessage(LangES))
		runOnce(t, w, 0)
		if len(fs.calls()) != 0 {
			t.Fatal("sent after the lease ended")
		}
		j := onlyJob(t, e)
		if j.State != store.JobPending || j.LockedUntil == nil {
			t.Fatalf("job %+v, want still pending and leased", j)
		}
		// Once the lease ends for the store too, a worker picks it up.
		e.Clock.Add(DefaultLease)
		w2 := newWorker(t, e, fs, nil)
		runOnce(t, w2, 1)
		if j := onlyJob(t, e); j.State != store.JobDone {
			t.Errorf("job %+v, want done", j)
		}
	})
}

func TestWorker_RunLoopsUntilCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		sk := &sink{t: t}
		sk.start("127.0.0.1:0")
		w := newWorker(t, e, newSMTPSender(t, smtpConfig(sk.port), e.Clock), nil, func(c *WorkerConfig) { c.Batch = 2 })
		for i := range 5 {
			enqueue(t, e, fmt.Sprintf("k%d", i), deficiencyMessage(LangES))
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx, 20*time.Millisecond); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for len(sk.messages()) < 5 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
		if n := len(sk.messages()); n != 5 {
			t.Fatalf("sink got %d messages, want 5", n)
		}
		for _, j := range jobs(t, e) {
			if j.State != store.JobDone {
				t.Errorf("job %s: %s", j.DedupKey, j.State)
			}
		}
	})
}

// assertNoPersonalData checks logs for the address (any case), its local
// part, and the name and body text of the sample notice.
func assertNoPersonalData(t testing.TB, logs string) {
	t.Helper()
	lower := strings.ToLower(logs)
	for _, s := range []string{rcptAddr, "maria.nunez", "maría", "núñez", "identificación oficial", "estimado", "días hábiles", "requisitos faltantes"} {
		if strings.Contains(lower, strings.ToLower(s)) {
			t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}

func TestWorker_LogsCarryNoPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		sk := &sink{t: t, rcpt: func(n int, to string) error {
			if n == 1 {
				return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "mailbox " + to + " busy"}
			}
			return nil
		}}
		sk.start("127.0.0.1:0")
		logs := &logBuffer{}
		w := newWorker(t, e, newSMTPSender(t, smtpConfig(sk.port), e.Clock), logs, func(c *WorkerConfig) { c.Index = e.Box })

		enqueue(t, e, "ok", deficiencyMessage(LangES))
		bad := deficiencyMessage(LangES)
		bad.Data["Items"] = "María José Núñez Peña no trajo su identificación oficial" // not a list
		b, _ := json.Marshal(bad)
		enqueueRaw(t, e, "bad", b)

		runOnce(t, w, 0) // the 450, and the unrenderable job
		e.Clock.Add(Backoff(1))
		runOnce(t, w, 1)

		out := logs.String()
		assertNoPersonalData(t, out)
		js := jobs(t, e)
		if js[0].State != store.JobDone || js[1].State != store.JobDead {
			t.Fatalf("jobs %+v", js)
		}
		// The logs are still useful: job ids, template, a recipient hash.
		for _, want := range []string{
			fmt.Sprintf(`"job":%d`, js[0].ID), fmt.Sprintf(`"job":%d`, js[1].ID),
			`"template":"deficiency_notice"`, `"rcpt":"` + RecipientTag(e.Box, rcptAddr) + `"`,
			"e-mail sent", "will retry", "marked dead",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("logs lack %s:\n%s", want, out)
			}
		}
	})
}
