package ra_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// auditSize is the number of audit entries and the bytes their objects and
// details hold.
func auditSize(t *testing.T, s *store.Store) (n, bytes int) {
	t.Helper()
	var row struct {
		N int `db:"n"`
		B int `db:"b"`
	}
	if err := s.DB().GetContext(ctx, &row, "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(object) + LENGTH(details)), 0) AS b FROM audit_entries"); err != nil {
		t.Fatal(err)
	}
	return row.N, row.B
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// Refused anonymous calls are counted, and written as one capped audit
// entry per client address and minute: 50 logins without a certificate on
// a 900 KB path add one small entry, not 45 MB.
func TestAnonymousRefusals_OneCappedEntryPerClientAndMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refused"}, []string{"type"})
		w := newWFWith(t, e, func(c *ra.Config) { c.AnonymousRefused = refused })
		n0, b0 := auditSize(t, e.Store)
		long := "GET /api/v1/" + strings.Repeat("a", 900<<10)
		for i := 0; i < 50; i++ {
			if _, err := w.ra.Authenticate(ctx, nil, ra.Origin{Addr: "203.0.113.7:40000", Call: long}); !errs.Has(err, errs.Unauthorized) {
				t.Fatalf("anonymous login: %v", err)
			}
		}
		if _, err := w.ra.Authenticate(ctx, nil, ra.Origin{Addr: "[2001:db8::1]:443", Call: "GET /api/v1/whoami"}); !errs.Has(err, errs.Unauthorized) {
			t.Fatal(err)
		}
		if got := testutil.ToFloat64(refused.WithLabelValues("unauthorized")); got != 51 {
			t.Errorf("counter: %v refusals, want 51", got)
		}
		if n, _ := auditSize(t, e.Store); n != n0 {
			t.Errorf("%d audit entries while the minute runs, want none", n-n0)
		}
		e.Clock.Set(e.Clock.Now().Add(time.Minute))
		w.ra.FlushAnonymousRefusals(ctx, false)
		n, b := auditSize(t, e.Store)
		if n-n0 != 2 || b-b0 > 4<<10 {
			t.Fatalf("after the minute: %d entries of %d bytes; want 2 of a few hundred", n-n0, b-b0)
		}
		var details string
		if err := e.Store.DB().GetContext(ctx, &details, e.Store.DB().Rebind("SELECT details FROM audit_entries WHERE action = ? AND object = ?"),
			"anonymous.refused", "client:203.0.113.7"); err != nil {
			t.Fatal(err)
		}
		var d struct {
			Count  int            `json:"count"`
			First  string         `json:"first"`
			Errors map[string]int `json:"errors"`
		}
		if err := json.Unmarshal([]byte(details), &d); err != nil {
			t.Fatal(err)
		}
		if d.Count != 50 || d.Errors["unauthorized"] != 50 || len(d.First) > 256 || !strings.HasPrefix(d.First, "GET /api/v1/aaa") {
			t.Errorf("tally %+v (first %d bytes)", d, len(d.First))
		}
		// Nothing left to write: a second flush adds nothing.
		w.ra.FlushAnonymousRefusals(ctx, false)
		if n2, _ := auditSize(t, e.Store); n2 != n {
			t.Errorf("a second flush wrote %d entries", n2-n)
		}
	})
}

// RULES R9: an online filing with an address outside the institutional
// domains, or with an identifier that is not one, is refused before
// anything is stored or mailed, and takes no folio.
func TestRule_R9_OnlineFilingCheckedBeforeAnythingIsStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		people, enrollments, jobs := countRows(t, e.Store, "people"), countRows(t, e.Store, "enrollments"), countRows(t, e.Store, "outbox")
		bad := []func(p *store.PersonData){
			func(p *store.PersonData) { p.Email = "victim@example.org" },
			func(p *store.PersonData) { p.Email = "a@jalisco.gob.mx.evil.com" },
			func(p *store.PersonData) { p.Email = "María <maria.lopez@jalisco.gob.mx>" },
			func(p *store.PersonData) { p.CURP = "LOHM800101MJCPRR0X" },
			func(p *store.PersonData) { p.CURP = "" },
		}
		for i, change := range bad {
			p := maria
			change(&p)
			if _, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: p}); !errs.Has(err, errs.Malformed) {
				t.Errorf("case %d (%s, %s): %v, want malformed", i, p.Email, p.CURP, err)
			}
		}
		if countRows(t, e.Store, "people") != people || countRows(t, e.Store, "enrollments") != enrollments || countRows(t, e.Store, "outbox") != jobs {
			t.Fatal("a refused online filing stored a person, a request or an e-mail")
		}
		f, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(f.Request.Folio, "-000001") {
			t.Errorf("first accepted filing has folio %s: refused filings consumed folios", f.Request.Folio)
		}
	})
}

// Online filing is rate-limited per client address and per e-mail
// address: the excess is a 429 with the time to wait.
func TestRule_R9_OnlineFilingRateLimitedPerAddressAndEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWFWith(t, e, func(c *ra.Config) {
			c.Limits = ra.Limits{FilingsPerAddress: 3, FilingsPerEmail: 2, Window: time.Hour}
		})
		file := func(addr, email string) error {
			p := maria
			p.Email = email
			_, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: p,
				From: ra.Origin{Addr: addr, Call: "POST /api/v1/public/requests"}})
			return err
		}
		for i := 0; i < 3; i++ {
			if err := file("198.51.100.9:1000", fmt.Sprintf("p%d@jalisco.gob.mx", i)); err != nil {
				t.Fatalf("filing %d: %v", i, err)
			}
		}
		err := file("198.51.100.9:2000", "p9@jalisco.gob.mx")
		var ee *errs.Error
		if !errors.As(err, &ee) || ee.Type != errs.RateLimited || ee.RetryAfter <= 0 || ee.RetryAfter > 20*time.Minute {
			t.Fatalf("fourth filing from one address: %v, want rate limited with a retry time", err)
		}
		// Per e-mail address, whatever the client address.
		if err := file("192.0.2.1:1", "p0@jalisco.gob.mx"); err != nil {
			t.Fatalf("second filing for p0 from another address: %v", err)
		}
		if err := file("192.0.2.2:1", "p0@jalisco.gob.mx"); !errs.Has(err, errs.RateLimited) {
			t.Fatalf("third filing for p0: %v, want rate limited", err)
		}
		// The limit refills with time.
		e.Clock.Set(e.Clock.Now().Add(time.Hour))
		if err := file("198.51.100.9:3000", "p9@jalisco.gob.mx"); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
	})
}

// RULES R9: an online filing whose e-mail nobody verifies is cancelled by
// the scheduler once Limits.UnverifiedExpiry has passed, audited, and
// mails nobody; a verified one stays.
func TestRule_R9_UnverifiedOnlineFilingsExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWFWith(t, e, func(c *ra.Config) { c.Limits = ra.Limits{UnverifiedExpiry: 72 * time.Hour} })
		stale, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		p := maria
		p.Email = "maria.verified@jalisco.gob.mx"
		kept, err := w.ra.FileOnline(ctx, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: p})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ra.VerifyEmail(ctx, kept.Request.Folio, kept.EmailToken); err != nil {
			t.Fatal(err)
		}
		start := e.Clock.Now()
		e.Clock.Set(start.Add(71 * time.Hour))
		if rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler")); err != nil || len(rep.Unverified) != 0 {
			t.Fatalf("before the term: %+v %v", rep, err)
		}
		jobs := countRows(t, e.Store, "outbox")
		e.Clock.Set(start.Add(72 * time.Hour))
		rep, err := w.ra.RunDeadlines(ctx, ra.System("scheduler"))
		if err != nil || len(rep.Unverified) != 1 || rep.Unverified[0] != stale.Request.Folio {
			t.Fatalf("after the term: %+v %v", rep, err)
		}
		if got, _ := e.Store.Enrollment(ctx, stale.Request.ID); got.State != ra.StateCancelled {
			t.Errorf("stale filing is %s, want cancelled", got.State)
		}
		if got, _ := e.Store.Enrollment(ctx, kept.Request.ID); got.State != ra.StateEmailVerified {
			t.Errorf("verified filing is %s", got.State)
		}
		if countAudit(t, e.Store, "enrollment.unverified_expired", store.OutcomeOK) != 1 {
			t.Error("the expiry is not audited")
		}
		if countRows(t, e.Store, "outbox") != jobs {
			t.Error("the expiry mailed the unverified address")
		}
		if _, err := w.ra.VerifyEmail(ctx, stale.Request.Folio, stale.EmailToken); err == nil {
			t.Error("an expired filing was verified")
		}
	})
}
