package ra_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// capture is a notify.Sender that keeps what it was asked to send.
type capture struct {
	mu   sync.Mutex
	sent []notify.Rendered
}

func (c *capture) Send(_ context.Context, m notify.Rendered) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return nil
}

// rawOutbox reads the outbox as someone with a copy of the database sees it:
// each job's dedup key and payload, and its state.
func rawOutbox(t *testing.T, s *store.Store) (rows []struct {
	Key     string `db:"dedup_key"`
	Payload []byte `db:"payload"`
	State   string `db:"state"`
}) {
	t.Helper()
	if err := s.DB().SelectContext(ctx, &rows, "SELECT dedup_key, payload, state FROM outbox ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	return rows
}

// issue 16: after an online filing and its approval, the outbox holds the
// verification token, the one-time EST password and EAB key, the holder's
// name and e-mail only sealed; a server that dies after the commit still
// delivers them (the durable outbox), and once sent they are gone.
func TestOutboxHoldsNoSecretOrPersonalDataAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria, Title: "Jefa de Departamento"})
		if err != nil {
			t.Fatal(err)
		}
		id := f.Request.ID
		if _, err := w.ra.VerifyEmail(ctx, f.Request.Folio, f.EmailToken); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.Attend(ctx, w.agent, id); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.Confirm(ctx, w.agent, id, allIn(w)); err != nil {
			t.Fatal(err)
		}
		_, secrets, err := w.ra.Approve(ctx, w.agent, id)
		if err != nil || secrets == nil {
			t.Fatalf("approve: %v", err)
		}
		forbidden := []string{secrets.ESTPassword, secrets.EABHMACKey, f.EmailToken, maria.Email, "maria.lopez",
			maria.CURP, "María", "Mar\\u00eda", "López", "L\\u00f3pez", "Hernández", "Guadalupe", "GUADALUPE"}
		rows := rawOutbox(t, e.Store)
		mails := 0
		for _, r := range rows {
			if strings.HasPrefix(r.Key, notify.JobKind) {
				mails++
			}
			for _, s := range forbidden {
				if strings.Contains(string(r.Payload), s) || strings.Contains(r.Key, s) {
					t.Errorf("outbox job %s holds %q at rest", r.Key, s)
				}
			}
		}
		if mails < 2 {
			t.Fatalf("%d e-mail jobs (want the verification and the credential at least)", mails)
		}

		// The server died after the commit: a new process, with only the
		// database and the data key, delivers every e-mail.
		s2, err := store.Open(ctx, e.DSN, e.Clock, store.WithSealer(e.Box))
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		sender := &capture{}
		worker, err := notify.NewWorker(notify.WorkerConfig{Store: s2, Sender: sender, Clock: e.Clock, Index: e.Box})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := worker.RunOnce(ctx); err != nil || n != mails {
			t.Fatalf("RunOnce = %d, %v; want %d sent", n, err, mails)
		}
		var bodies strings.Builder
		for _, m := range sender.sent {
			if m.To != maria.Email {
				t.Errorf("sent to %q", m.To)
			}
			bodies.WriteString(m.Text)
		}
		for _, s := range []string{secrets.ESTPassword, f.EmailToken, "MARÍA GUADALUPE"} {
			if !strings.Contains(strings.ToUpper(bodies.String()), strings.ToUpper(s)) {
				t.Errorf("the delivered e-mails lack %q", s)
			}
		}
		// Sent: the payloads are cleared.
		for _, r := range rawOutbox(t, e.Store) {
			if strings.HasPrefix(r.Key, notify.JobKind) && (r.State != store.JobDone || string(r.Payload) != "cleared") {
				t.Errorf("sent job %s: state %s, payload %q", r.Key, r.State, r.Payload)
			}
		}
	})
}
