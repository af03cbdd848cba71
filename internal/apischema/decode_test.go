package apischema

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
)

func TestDecode_Accepts(t *testing.T) {
	var r FileRequest
	body := `{"person":{"curp":"LOHM800101MJCPRR06","email":"a@b.mx","phone":null},"reason":"renewal","notes":null,"photo":"AAE="}`
	if err := Decode(strings.NewReader(body), 1<<10, &r); err != nil {
		t.Fatal(err)
	}
	if r.Person.CURP != "LOHM800101MJCPRR06" || r.Reason != "renewal" || string(r.Photo) != "\x00\x01" || r.Person.Phone != nil {
		t.Errorf("decoded %+v", r)
	}
}

func TestDecode_Refuses(t *testing.T) {
	for _, c := range []struct {
		name, body string
		typ        errs.Type
		es, en     string
	}{
		{"empty object", `{}`, errs.Malformed, "faltan campos: person, reason", "missing fields: person, reason"},
		{"nested missing", `{"person":{"email":"a@b.mx"},"reason":"x"}`, errs.Malformed, "", "missing fields: person.curp"},
		{"null for a required string", `{"person":{"curp":null,"email":"e"},"reason":"x"}`, errs.Malformed, "", "missing fields: person.curp"},
		{"unknown fields", `{"person":{"curp":"c","email":"e","CURP":"x"},"reason":"x","zz":1}`, errs.Malformed, "campos desconocidos: person.CURP, zz", "unknown fields: person.CURP, zz"},
		{"NUL in a string", `{"person":{"curp":"LOHM\u0000","email":"e"},"reason":"x"}`, errs.Malformed, "person.curp: no se admite el carácter NUL", "person.curp: the NUL character"},
		{"duplicate key", `{"person":{"curp":"a","curp":"b","email":"e"},"reason":"x"}`, errs.Malformed, `la clave "curp" está repetida en person`, `duplicate key "curp" in person`},
		{"trailing data", `{"person":{"curp":"a","email":"e"},"reason":"x"} {}`, errs.Malformed, "", "invalid JSON: data after the object"},
		{"invalid JSON", `{"person":`, errs.Malformed, "", "invalid JSON: the body ends before the value is complete"},
		{"bad token", `{"person":tru}`, errs.Malformed, "", "invalid JSON near byte"},
		{"empty body", " \n", errs.Malformed, "el cuerpo está vacío: envíe un objeto JSON", ""},
		{"null body", `null`, errs.Malformed, "", "wrong JSON type: body (object)"},
		{"not an object", `[1]`, errs.Malformed, "", "wrong JSON type: body (object)"},
		{"wrong member type", `{"person":{"curp":1,"email":"e"},"reason":"x","notes":"n"}`, errs.Malformed, "", "wrong JSON type: person.curp (string), notes (array)"},
		{"overflow", `{"person":{"curp":"c","email":"e"},"reason":"x","count":1e400}`, errs.Malformed, "", "count: a JSON number"},
		{"too large", `{"person":{"curp":"` + strings.Repeat("A", 2000) + `"}}`, errs.TooLarge, "el cuerpo JSON mide más de 1024 bytes", "the JSON body is larger than 1024 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r FileRequest
			err := Decode(strings.NewReader(c.body), 1024, &r)
			var e *errs.Error
			if !errors.As(err, &e) || e.Type != c.typ {
				t.Fatalf("got %v, want %s", err, c.typ)
			}
			if c.en != "" && !strings.Contains(e.Message("en"), c.en) {
				t.Errorf("en %q, want %q", e.Message("en"), c.en)
			}
			if c.es != "" && !strings.Contains(e.Message("es"), c.es) {
				t.Errorf("es %q, want %q", e.Message("es"), c.es)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestDecode_ReadFailureAndBadTarget(t *testing.T) {
	var r FileRequest
	if err := Decode(failingReader{}, 10, &r); !errs.Has(err, errs.Malformed) {
		t.Errorf("read failure: %v", err)
	}
	if err := Decode(strings.NewReader(`{}`), 10, r); !errs.Has(err, errs.Internal) {
		t.Errorf("non-pointer target: %v", err)
	}
}

func TestDecode_ExactlyAtTheLimit(t *testing.T) {
	body := `{"name":"x","flag":true}`
	var r fuzzRequest
	if err := Decode(strings.NewReader(body), int64(len(body)), &r); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if err := Decode(strings.NewReader(body), int64(len(body)-1), &r); !errs.Has(err, errs.TooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
}
