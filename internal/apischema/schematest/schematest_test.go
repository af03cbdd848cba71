package schematest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/apischema"
	"github.com/sello-pki/sello/internal/apischema/schematest"
)

type Holder struct {
	Name  string `json:"name"`
	Email string `json:"email" format:"email"`
}

type Status struct {
	Serial    string     `json:"serial"`
	Status    string     `json:"status" enum:"valid,revoked"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	IssuedAt  time.Time  `json:"issuedAt"`
	Holder    Holder     `json:"holder"`
	Photo     []byte     `json:"photo,omitempty"`
}

type Confirm struct {
	Items []string `json:"items"`
	Note  string   `json:"note,omitempty"`
}

func validator(t *testing.T) *schematest.Validator {
	t.Helper()
	r := apischema.NewRegistry()
	if _, err := r.Response(Status{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Request(Confirm{}); err != nil {
		t.Fatal(err)
	}
	v, err := schematest.FromRegistry(r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidate_EncodedValuesConform(t *testing.T) {
	v := validator(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, s := range []Status{
		{Serial: "01", Status: "valid", IssuedAt: at, Holder: Holder{Name: "Ana Peña", Email: "ana@jalisco.gob.mx"}},
		{Serial: "02", Status: "revoked", RevokedAt: &at, IssuedAt: at, Holder: Holder{Name: "x", Email: "x@y.mx"}, Photo: []byte{1, 2}},
	} {
		if err := v.ValidateValue("Status", s); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestValidate_CatchesDrift(t *testing.T) {
	v := validator(t)
	for name, doc := range map[string]string{
		"enum":             `{"serial":"1","status":"lost","issuedAt":"2026-01-01T00:00:00Z","holder":{"name":"a","email":"a@b.mx"}}`,
		"missing required": `{"serial":"1","status":"valid","holder":{"name":"a","email":"a@b.mx"}}`,
		"Go internals":     `{"serial":"1","status":"valid","issuedAt":{"Time":"0001-01-01T00:00:00Z","Valid":false},"holder":{"name":"a","email":"a@b.mx"}}`,
		"bad date-time":    `{"serial":"1","status":"valid","issuedAt":"yesterday","holder":{"name":"a","email":"a@b.mx"}}`,
		"bad e-mail":       `{"serial":"1","status":"valid","issuedAt":"2026-01-01T00:00:00Z","holder":{"name":"a","email":"nope"}}`,
		"bad base64":       `{"serial":"1","status":"valid","issuedAt":"2026-01-01T00:00:00Z","holder":{"name":"a","email":"a@b.mx"},"photo":"%%%"}`,
	} {
		if err := v.Validate("Status", []byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := v.Validate("#/components/schemas/Confirm", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "items") {
		t.Errorf("empty confirm: %v", err)
	}
	if err := v.Validate("Confirm", []byte(`{"items":[],"extra":1}`)); err == nil {
		t.Error("a request with an undeclared member accepted")
	}
	if err := v.Validate("Confirm", []byte(`{"items":["a"]}`)); err != nil {
		t.Error(err)
	}
	if err := v.Validate("Nope", []byte(`{}`)); err == nil {
		t.Error("unknown schema accepted")
	}
}
