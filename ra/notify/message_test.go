package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

func TestEnqueue_ValidatesBeforeWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		good := deficiencyMessage("")
		for _, c := range []struct {
			name string
			key  string
			mod  func(*Message)
			want errs.Type
		}{
			{"unknown template", "k", func(m *Message) { m.Template = "deficiency" }, errs.Internal},
			{"missing key", "k", func(m *Message) { delete(m.Data, "Folio") }, errs.Internal},
			{"nil data", "k", func(m *Message) { m.Data = nil }, errs.Internal},
			{"unsupported language", "k", func(m *Message) { m.Lang = "fr" }, errs.Malformed},
			{"empty address", "k", func(m *Message) { m.To = "" }, errs.Malformed},
			{"display name", "k", func(m *Message) { m.To = "María <" + rcptAddr + ">" }, errs.Malformed},
			{"two addresses", "k", func(m *Message) { m.To = rcptAddr + ", otro@zacatecas.gob.mx" }, errs.Malformed},
			{"header injection", "k", func(m *Message) { m.To = rcptAddr + "\r\nBcc: x@y.mx" }, errs.Malformed},
			{"no domain dot", "k", func(m *Message) { m.To = "maria@localhost" }, errs.Malformed},
			{"non-ASCII", "k", func(m *Message) { m.To = "maría@zacatecas.gob.mx" }, errs.Malformed},
			{"not an address", "k", func(m *Message) { m.To = "maria.nunez" }, errs.Malformed},
			{"bad zone", "k", func(m *Message) { m.Data[KeyTZ] = "Mexico/Guadalajara_Centro" }, errs.Internal},
			{"not JSON-encodable", "k", func(m *Message) { m.Data["Folio"] = make(chan int) }, errs.Internal},
			{"too large", "k", func(m *Message) { m.Data["LegalBasis"] = strings.Repeat("x", maxPayload) }, errs.Internal},
			{"empty dedup key", " ", func(*Message) {}, errs.Internal},
		} {
			t.Run(c.name, func(t *testing.T) {
				m := good
				m.Data = map[string]any{}
				for k, v := range good.Data {
					m.Data[k] = v
				}
				c.mod(&m)
				err := e.Store.InTx(ctx, func(tx *store.Tx) error { return Enqueue(ctx, tx, c.key, m) })
				if err == nil {
					t.Fatal("accepted")
				}
				if got := errs.TypeOf(err); got != c.want {
					t.Errorf("error type %s, want %s (%v)", got, c.want, err)
				}
				if strings.Contains(err.Error(), "maria") || strings.Contains(err.Error(), "María") {
					t.Errorf("error repeats the address: %v", err)
				}
			})
		}
		if n := len(jobs(t, e)); n != 0 {
			t.Fatalf("%d jobs written by refused calls", n)
		}
		if err := Enqueue(ctx, nil, "k", good); err == nil {
			t.Error("nil transaction accepted")
		}

		// A good one is written with the default language filled in, under a
		// key namespaced by the job kind.
		if err := e.Store.InTx(ctx, func(tx *store.Tx) error { return Enqueue(ctx, tx, "deficiency/1", good) }); err != nil {
			t.Fatal(err)
		}
		j := onlyJob(t, e)
		if j.Kind != JobKind || j.DedupKey != "notify.email:deficiency/1" || j.State != store.JobPending {
			t.Errorf("job %+v", j)
		}
		var m Message
		if err := json.Unmarshal(j.Payload, &m); err != nil || m.Lang != LangES || m.To != rcptAddr || m.Template != TemplateDeficiencyNotice {
			t.Errorf("payload %s (%v)", j.Payload, err)
		}
	})
}

func TestEnqueue_RolledBackWithTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		boom := errs.New(errs.Conflict, "the decision failed")
		err := e.Store.InTx(ctx, func(tx *store.Tx) error {
			if err := Enqueue(ctx, tx, "k", deficiencyMessage(LangES)); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("InTx: %v", err)
		}
		if n := len(jobs(t, e)); n != 0 {
			t.Errorf("%d jobs survived a rolled-back transaction", n)
		}
	})
}

func TestScrub(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"550 5.1.1 <maria.nunez@zacatecas.gob.mx>: user unknown", "550 5.1.1 <[recipient]>: user unknown"},
		{"450 MAILBOX MARIA.NUNEZ@ZACATECAS.GOB.MX BUSY, affected recipient(s): maria.nunez@zacatecas.gob.mx", "450 MAILBOX [recipient] BUSY, affected recipient(s): [recipient]"},
		{"dial tcp 127.0.0.1:25: connection refused", "dial tcp 127.0.0.1:25: connection refused"},
		{"İ maria.nunez@zacatecas.gob.mx ü", "İ [recipient] ü"},
	} {
		if got := scrub(c.in, rcptAddr); got != c.want {
			t.Errorf("scrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := scrub("x", ""); got != "x" {
		t.Errorf("scrub with no address = %q", got)
	}
}

// The logs' recipient tag is keyed: without the data key a list of likely
// addresses cannot be hashed to find whose it is (issue 16).
func TestRecipientTag_IsKeyed(t *testing.T) {
	box1, box2 := newBox(t), newBox(t)
	h := RecipientTag(box1, rcptAddr)
	if len(h) != 24 || strings.Contains(h, "maria") {
		t.Errorf("tag %q", h)
	}
	if RecipientTag(box1, strings.ToUpper(rcptAddr)) != h {
		t.Error("tag depends on case")
	}
	if RecipientTag(box1, "otro@zacatecas.gob.mx") == h {
		t.Error("different addresses, same tag")
	}
	if RecipientTag(box2, rcptAddr) == h {
		t.Error("the tag does not depend on the key")
	}
	plain := sha256.Sum256([]byte(rcptAddr))
	if strings.HasPrefix(hex.EncodeToString(plain[:]), h) {
		t.Error("the tag is the unkeyed SHA-256 of the address")
	}
	if RecipientTag(nil, rcptAddr) != "" {
		t.Error("a tag without a key")
	}
}

func newBox(t *testing.T) *sealed.Box {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	b, err := sealed.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
