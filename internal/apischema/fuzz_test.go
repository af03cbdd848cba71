package apischema_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sello-pki/sello/internal/apischema"
	"github.com/sello-pki/sello/internal/apischema/schematest"
	"github.com/sello-pki/sello/internal/errs"
)

type fuzzBody struct {
	Name  string            `json:"name"`
	Age   int32             `json:"age,omitempty"`
	Tags  []string          `json:"tags,omitempty"`
	Inner *fuzzInner        `json:"inner,omitempty"`
	Meta  map[string]uint8  `json:"meta,omitempty"`
	Flag  bool              `json:"flag"`
	Kinds map[string]string `json:"kinds,omitempty"`
}

type fuzzInner struct {
	A string  `json:"a"`
	B float64 `json:"b,omitempty"`
}

// FuzzDecode: Decode never panics, refuses only with a typed Malformed or
// TooLarge error, and whatever it accepts validates against the request
// schema generated from the same type (the contract and the decoder agree).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"x","flag":true}`,
		`{"name":"x","flag":false,"inner":{"a":"y","b":1.5},"tags":["a"],"meta":{"k":3}}`,
		`{"name":"x","flag":true,"inner":null,"tags":null}`,
		`{"name":"x","name":"y","flag":true}`,
		`{"name":"x"}`, `[]`, `{`, `{"flag":true,"zz":0}`, `{"name":"x","flag":true}x`,
		`{"name":"\ud800","flag":true,"age":1.0}`,
	} {
		f.Add([]byte(s))
	}
	reg := apischema.NewRegistry()
	if _, err := reg.Request(fuzzBody{}); err != nil {
		f.Fatal(err)
	}
	v, err := schematest.FromRegistry(reg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst fuzzBody
		err := apischema.Decode(bytes.NewReader(body), 4096, &dst)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || (e.Type != errs.Malformed && e.Type != errs.TooLarge) {
				t.Fatalf("untyped or wrong refusal %v", err)
			}
			if e.Message("es") == "" || e.Message("en") == "" {
				t.Fatalf("empty message for %v", err)
			}
			return
		}
		if err := v.Validate("fuzzBody", body); err != nil {
			t.Fatalf("Decode accepted %q but the schema refuses it: %v", body, err)
		}
	})
}
