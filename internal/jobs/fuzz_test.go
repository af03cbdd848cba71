package jobs_test

import (
	"reflect"
	"testing"

	"github.com/sello-pki/sello/internal/jobs"
)

// FuzzDecode: Decode never panics, and whatever it accepts encodes again to
// a payload that decodes to the same job.
func FuzzDecode(f *testing.F) {
	for _, j := range allKinds() {
		kind, _, payload, err := jobs.Encode(j)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(kind, payload)
	}
	f.Add("ldap.publish", []byte(`{"issuer":"i","serial":"s","event":"issued"}`))
	f.Add("notify.email", []byte(`{"v":2}`))
	f.Add("nope", []byte(`{}`))
	f.Fuzz(func(t *testing.T, kind string, payload []byte) {
		j, err := jobs.Decode(kind, payload)
		if err != nil {
			return
		}
		if j.Kind() != kind {
			t.Fatalf("decoded a %s from kind %q", j.Kind(), kind)
		}
		if e, ok := j.(*jobs.Email); ok {
			e.Key = "fuzz"
		}
		k2, _, p2, err := jobs.Encode(j)
		if err != nil {
			return // decoded but incomplete (no template, no serial): Encode refuses it
		}
		j2, err := jobs.Decode(k2, p2)
		if err != nil {
			t.Fatalf("re-encoded payload %s does not decode: %v", p2, err)
		}
		if e, ok := j.(*jobs.Email); ok {
			e.Key = ""
		}
		if !reflect.DeepEqual(normal(j), normal(j2)) {
			t.Fatalf("round trip changed the job:\n%#v\n%#v", j, j2)
		}
	})
}

// normal compares jobs by their encoding: JSON numbers in e-mail data
// decode as float64 either way, and times lose their monotonic reading.
func normal(j jobs.Job) string {
	_, _, p, _ := jobs.Encode(withKey(j))
	return string(p)
}

func withKey(j jobs.Job) jobs.Job {
	if e, ok := j.(*jobs.Email); ok {
		c := *e
		c.Key = "k"
		return &c
	}
	return j
}
