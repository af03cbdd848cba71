package jobs_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/jobs"
)

var (
	cert   = jobs.Cert{CertificateID: 42, Issuer: "3f2a", Serial: "1a2b3c"}
	change = jobs.Change{Event: "revoke", ReasonCode: 1, At: time.Date(2026, 3, 4, 5, 6, 7, 8000, time.UTC)}
)

func allKinds() []jobs.Job {
	return []jobs.Job{
		jobs.NewOCSPRefresh(cert, change),
		jobs.NewLDAPPublish(cert, jobs.Change{Event: "issued"}),
		jobs.NewCRLRegenerate(cert, change),
		jobs.NewCARevoke(cert, change),
		&jobs.Email{Template: "deficiency_notice", Lang: "es", To: "juan@example.gob.mx", Key: "deficiency/7",
			Data: map[string]any{"Name": "JUAN", "Days": float64(3)}},
	}
}

func TestEncodeDecode_RoundTripsEveryKind(t *testing.T) {
	for _, j := range allKinds() {
		t.Run(j.Kind(), func(t *testing.T) {
			kind, key, payload, err := jobs.Encode(j)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if kind != j.Kind() || key != j.DedupKey() || !strings.HasPrefix(key, kind+":") {
				t.Errorf("kind %q key %q", kind, key)
			}
			if !strings.Contains(string(payload), `"v":1`) {
				t.Errorf("payload carries no version: %s", payload)
			}
			got, err := jobs.Decode(kind, payload)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if e, ok := j.(*jobs.Email); ok {
				e.Key = "" // not part of the payload
			}
			if !reflect.DeepEqual(got, j) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, j)
			}
		})
	}
}

func TestDedupKey_MatchesTheOutboxKeysWrittenBefore(t *testing.T) {
	issued := jobs.NewLDAPPublish(jobs.Cert{Issuer: "i", Serial: "s"}, jobs.Change{Event: "issued"})
	if got := issued.DedupKey(); got != "ldap.publish:cert:i/s:issued" {
		t.Errorf("issued key %q", got)
	}
	at := time.Unix(0, 1234)
	rev := jobs.NewCARevoke(jobs.Cert{Issuer: "i", Serial: "s"}, jobs.Change{Event: "revoke", ReasonCode: 9, At: at})
	if got := rev.DedupKey(); got != "ca.revoke:cert:i/s:revoke:1234" {
		t.Errorf("revoke key %q", got)
	}
	if got := (&jobs.Email{Key: "k"}).DedupKey(); got != "notify.email:k" {
		t.Errorf("e-mail key %q", got)
	}
}

func TestPayloads_CarryNoPersonalData(t *testing.T) {
	for _, j := range allKinds()[:4] {
		_, _, payload, err := jobs.Encode(j)
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"name", "email", "curp", "rfc", "to"} {
			if strings.Contains(strings.ToLower(string(payload)), `"`+field+`"`) {
				t.Errorf("%s payload has a %q field: %s", j.Kind(), field, payload)
			}
		}
	}
}

func TestDecode_RefusesUnknownKindVersionAndGarbage(t *testing.T) {
	cases := []struct {
		name, kind, payload string
		want                error
	}{
		{"unknown kind", "fax.send", `{"v":1}`, jobs.ErrUnknownKind},
		{"empty kind", "", `{}`, jobs.ErrUnknownKind},
		{"future version", jobs.KindOCSPRefresh, `{"v":2,"issuer":"i","serial":"s","event":"issued"}`, jobs.ErrUnknownVersion},
		{"version zero", jobs.KindEmail, `{"v":0,"template":"t","to":"a@b.c"}`, jobs.ErrUnknownVersion},
		{"garbage", jobs.KindLDAPPublish, `{not json`, jobs.ErrMalformed},
		{"empty", jobs.KindCARevoke, ``, jobs.ErrMalformed},
		{"not an object", jobs.KindCRLRegenerate, `[1,2]`, jobs.ErrMalformed},
		{"unknown field", jobs.KindLDAPPublish, `{"v":1,"issuer":"i","serial":"s","event":"issued","curp":"X"}`, jobs.ErrMalformed},
		{"trailing data", jobs.KindLDAPPublish, `{"v":1} {"v":1}`, jobs.ErrMalformed},
		{"wrong type", jobs.KindCARevoke, `{"v":"1"}`, jobs.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j, err := jobs.Decode(c.kind, []byte(c.payload))
			if j != nil || !errors.Is(err, c.want) || !errs.Has(err, errs.Internal) {
				t.Errorf("Decode = %v, %v; want %v (internal)", j, err, c.want)
			}
		})
	}
}

func TestDecode_PayloadWithoutVersionIsVersionOne(t *testing.T) {
	// Written before payloads carried a version.
	j, err := jobs.Decode(jobs.KindEmail, []byte(`{"template":"refusal","lang":"es","to":"a@b.gob.mx","data":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if e := j.(*jobs.Email); e.Template != "refusal" || e.To != "a@b.gob.mx" {
		t.Errorf("decoded %+v", e)
	}
	if _, err := jobs.Decode(jobs.KindLDAPPublish, []byte(`{"issuer":"i","serial":"s","event":"homologated"}`)); err != nil {
		t.Error(err)
	}
}

func TestEncode_RefusesIncompleteJobs(t *testing.T) {
	for _, j := range []jobs.Job{
		nil,
		jobs.NewOCSPRefresh(jobs.Cert{Serial: "s"}, jobs.Change{Event: "issued"}),
		jobs.NewCARevoke(jobs.Cert{Issuer: "i", Serial: "s"}, jobs.Change{}),
		&jobs.Email{Template: "t", To: "a@b.c"},
		&jobs.Email{Key: "k", To: "a@b.c"},
		&jobs.Email{Key: "k", Template: "t", To: "a@b.c", Data: map[string]any{"x": strings.Repeat("x", jobs.MaxPayload)}},
	} {
		if _, _, _, err := jobs.Encode(j); !errs.Has(err, errs.Internal) {
			t.Errorf("Encode(%#v) = %v, want an internal error", j, err)
		}
	}
}

type recorder struct{ kinds, keys, sealed []string }

func (r *recorder) Enqueue(_ context.Context, kind, key string, _ []byte) (bool, error) {
	r.kinds, r.keys = append(r.kinds, kind), append(r.keys, key)
	return true, nil
}

func (r *recorder) EnqueueSealed(ctx context.Context, kind, key string, p []byte) (bool, error) {
	r.sealed = append(r.sealed, kind)
	return r.Enqueue(ctx, kind, key, p)
}

func TestEnqueue_WritesEachJobOrNone(t *testing.T) {
	r := &recorder{}
	if err := jobs.Enqueue(context.Background(), r, allKinds()...); err != nil {
		t.Fatal(err)
	}
	if len(r.kinds) != 5 || r.kinds[4] != jobs.KindEmail || r.keys[0] != allKinds()[0].DedupKey() {
		t.Errorf("enqueued %v %v", r.kinds, r.keys)
	}
	// Only the e-mail, which carries an address and may carry a one-time
	// password, is written sealed.
	if len(r.sealed) != 1 || r.sealed[0] != jobs.KindEmail || !jobs.Sensitive(jobs.KindEmail) || jobs.Sensitive(jobs.KindOCSPRefresh) {
		t.Errorf("sealed %v", r.sealed)
	}
	if err := jobs.Enqueue(context.Background(), nil, allKinds()...); !errs.Has(err, errs.Internal) {
		t.Errorf("nil transaction: %v", err)
	}
}
