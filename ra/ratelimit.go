package ra

import (
	"sync"
	"time"
)

// Limits are the rate limits on anonymous online filing (RULES R9 is
// enforced as well; these bound how fast anyone can use it). A zero count
// disables that limit.
type Limits struct {
	// FilingsPerAddress is how many online filings one client address (an
	// IPv4 address, an IPv6 /64) may make per Window.
	FilingsPerAddress int
	// FilingsPerEmail is how many online filings may name one e-mail
	// address per Window: each one mails it.
	FilingsPerEmail int
	Window          time.Duration
	// UnverifiedExpiry is how long an online filing waits for its e-mail to
	// be verified before the scheduler cancels it; 0: never.
	UnverifiedExpiry time.Duration
}

// DefaultLimits are the limits when the configuration names none.
func DefaultLimits() Limits {
	return Limits{FilingsPerAddress: 10, FilingsPerEmail: 3, Window: time.Hour, UnverifiedExpiry: 72 * time.Hour}
}

// limiter is a token bucket per key: burst tokens, refilled evenly over
// window. It lives in memory, which is right for one node; behind a load
// balancer each node limits on its own (the limit is then per node). The
// number of keys is bounded: idle full buckets are dropped first, and past
// the bound every new key shares one bucket, so a flood of addresses
// cannot exhaust memory (it then slows everyone, not the server).
type limiter struct {
	mu      sync.Mutex
	burst   float64
	per     time.Duration // one token every per
	buckets map[string]*bucket
	max     int
}

type bucket struct {
	tokens float64
	at     time.Time
}

const maxLimiterKeys = 100_000

func newLimiter(burst int, window time.Duration) *limiter {
	if burst <= 0 || window <= 0 {
		return nil
	}
	return &limiter{burst: float64(burst), per: window / time.Duration(burst), buckets: map[string]*bucket{}, max: maxLimiterKeys}
}

// take spends a token of key at now, or says how long until one is there.
// A nil limiter allows everything.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.pruneLocked(now)
		}
		if len(l.buckets) >= l.max {
			key = "\x00overflow"
			b = l.buckets[key]
		}
		if b == nil {
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[key] = b
		}
	}
	if el := now.Sub(b.at); el > 0 {
		b.tokens = min(l.burst, b.tokens+float64(el)/float64(l.per))
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.per))
}

// pruneLocked drops the buckets that have refilled completely: they hold
// nothing a new bucket would not.
func (l *limiter) pruneLocked(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.per) >= l.burst {
			delete(l.buckets, k)
		}
	}
}
