package ra

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/errs"
)

// Clients are counted by IP address without the port, an IPv6 address by
// its /64 (one host usually holds the whole /64).
func TestOrigin_ClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7:5555": "203.0.113.7", "203.0.113.7": "203.0.113.7",
		"[2001:db8:1:2:aaaa::1]:443": "2001:db8:1:2::/64", "[2001:db8:1:2:bbbb::9]:80": "2001:db8:1:2::/64",
		"": "unknown",
	} {
		if got := (Origin{Addr: in}).client(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// A flood from many addresses cannot grow the tally or the limiter
// without bound.
func TestAnonymousBookkeepingIsBounded(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	tally := &refusalTally{clients: map[string]*tallied{}}
	for i := 0; i < maxTalliedClients+500; i++ {
		tally.record(now, Origin{Addr: fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255), Call: "GET /x"}, "auth.login",
			errs.New(errs.Unauthorized, "x"))
	}
	if n := len(tally.clients); n > maxTalliedClients+1 || tally.clients["other"].Count != 500 {
		t.Errorf("%d clients tallied; the overflow holds %+v", n, tally.clients["other"])
	}
	l := newLimiter(1, time.Hour)
	l.max = 100
	for i := 0; i < 1000; i++ {
		l.take(fmt.Sprint(i), now)
	}
	if len(l.buckets) > 101 {
		t.Errorf("limiter holds %d buckets", len(l.buckets))
	}
}

func TestCapText_CutsOnACharacterBoundary(t *testing.T) {
	s := capText(strings.Repeat("é", 300), 256)
	if len(s) > 256 || !utf8.ValidString(s) || !strings.HasSuffix(s, "…") {
		t.Errorf("%d bytes, valid %v", len(s), utf8.ValidString(s))
	}
}
