package ra

import (
	"context"
	"net"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Origin is where an unauthenticated call came from, as the front end saw
// it: the connection's remote address (never a forwarded header) and the
// call ("POST /api/v1/public/requests"). It lets the RA count and limit
// anonymous callers without writing one audit entry per call.
type Origin struct {
	Addr string // host or host:port of the connection
	Call string // method and path
}

// client is the key an origin is counted under: the IP address without its
// port; an IPv6 address by its /64, which one host usually holds whole.
func (o Origin) client() string {
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		host = o.Addr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		if host == "" {
			return "unknown"
		}
		return capText(host, 64)
	case ip.To4() != nil:
		return ip.String()
	default:
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
}

// Caps on what the audit log records of a caller's input, so that a caller
// cannot make the append-only log grow by what it sends.
const (
	maxAuditObject = 256
	maxAuditDetail = 512
	maxAuditCall   = 256
	// maxTalliedClients bounds the memory of one minute's tally; callers
	// beyond it are counted together under "other".
	maxTalliedClients = 4096
)

// anonymous reports whether a refusal of a is counted rather than audited
// one by one: callers with no identity (no certificate) and online filers
// known only by their address. An applicant acting on their own request,
// or presenting a credential, is audited entry by entry: the object names
// a real request or credential.
func (a Actor) anonymous() bool {
	return a.Kind == ActorAnonymous || (a.Kind == ActorApplicant && a.EnrollmentID == 0 && a.From.Addr != "")
}

// refusalTally aggregates the refused calls of anonymous callers: one
// audit entry per client address and minute with the count, the first and
// last call and the error types. Without it each refused call appended an
// entry holding its whole path to a log that is never pruned. The minute
// in progress lives in memory: a crash loses at most that minute's tally
// (the Prometheus counter has counted it).
type refusalTally struct {
	mu      sync.Mutex
	minute  time.Time
	clients map[string]*tallied
	counter *prometheus.CounterVec // may be nil
}

type tallied struct {
	Count           int
	First, Last     string // calls, truncated
	FirstAt, LastAt time.Time
	Errors          map[string]int // by error type
	Actions         map[string]int
}

// record counts one refusal and returns the buckets of minutes that have
// ended, for the caller to write.
func (t *refusalTally) record(now time.Time, from Origin, action string, err error) map[string]*tallied {
	typ := string(errs.TypeOf(err))
	if t.counter != nil {
		t.counter.WithLabelValues(typ).Inc()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	done := t.rollLocked(now)
	key := from.client()
	b := t.clients[key]
	if b == nil {
		if len(t.clients) >= maxTalliedClients {
			key = "other"
			b = t.clients[key]
		}
		if b == nil {
			b = &tallied{First: capText(from.Call, maxAuditCall), FirstAt: now, Errors: map[string]int{}, Actions: map[string]int{}}
			t.clients[key] = b
		}
	}
	b.Count++
	b.Last, b.LastAt = capText(from.Call, maxAuditCall), now
	b.Errors[typ]++
	b.Actions[capText(action, 64)]++
	return done
}

// rollLocked starts a new minute if now is past the current one and
// returns the finished minute's buckets.
func (t *refusalTally) rollLocked(now time.Time) map[string]*tallied {
	m := now.UTC().Truncate(time.Minute)
	if m.Equal(t.minute) {
		return nil
	}
	done := t.clients
	t.minute, t.clients = m, map[string]*tallied{}
	return done
}

// take returns the tally of minutes that ended by now; with all, the
// minute in progress too (at shutdown).
func (t *refusalTally) take(now time.Time, all bool) map[string]*tallied {
	t.mu.Lock()
	defer t.mu.Unlock()
	if all {
		done := t.clients
		t.clients = map[string]*tallied{}
		return done
	}
	return t.rollLocked(now)
}

// writeTally appends one audit entry per client of a finished tally.
func (r *RA) writeTally(ctx context.Context, done map[string]*tallied) {
	keys := make([]string, 0, len(done))
	for k := range done {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b := done[k]
		ev := model.Event{Actor: Actor{Kind: ActorAnonymous}.String(), Action: "anonymous.refused", Object: "client:" + k,
			Outcome: model.OutcomeRefused, Details: map[string]any{"count": b.Count, "first": b.First, "last": b.Last,
				"firstAt": b.FirstAt.UTC().Format(time.RFC3339), "lastAt": b.LastAt.UTC().Format(time.RFC3339),
				"errors": b.Errors, "actions": b.Actions}}
		if err := r.store.Audit(ctx, ev); err != nil {
			r.log.Error("audit of anonymous refusals failed", "client", k, "count", b.Count, "err", err)
		}
	}
}

// FlushAnonymousRefusals writes the tally of refused anonymous calls for
// every minute that has ended (all: the minute in progress too, when the
// server stops). The server calls it on a timer; a refusal after a minute
// ends also writes the finished minute.
func (r *RA) FlushAnonymousRefusals(ctx context.Context, all bool) {
	r.writeTally(ctx, r.anon.take(r.clk.Now(), all))
}

// countRefusal tallies the refusal of an anonymous caller.
func (r *RA) countRefusal(ctx context.Context, a Actor, action string, err error) {
	if done := r.anon.record(r.clk.Now(), a.From, action, err); len(done) > 0 {
		r.writeTally(ctx, done)
	}
}

// capText cuts s to at most n bytes on a character boundary, marking the
// cut, so that a capped entry still reads as text.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// capDetails bounds the strings of an audit entry's details.
func capDetails(d map[string]any) map[string]any {
	for k, v := range d {
		if s, ok := v.(string); ok {
			d[k] = capText(s, maxAuditDetail)
		}
	}
	return d
}
