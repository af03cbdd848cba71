package apischema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func component(t *testing.T, r *Registry, name string) *Schema {
	t.Helper()
	s, ok := r.Components()[name]
	if !ok {
		t.Fatalf("no component %s; have %v", name, keys(r.Components()))
	}
	return s
}

func keys(m map[string]*Schema) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRequest_StrictObjectWithRequiredMembers(t *testing.T) {
	r := NewRegistry()
	s, err := r.Request(FileRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Ref != RefPrefix+"FileRequest" {
		t.Fatalf("ref %q", s.Ref)
	}
	fr := component(t, r, "FileRequest")
	if fr.AdditionalProperties != false || fr.Type != "object" {
		t.Errorf("FileRequest: %+v", fr)
	}
	if !reflect.DeepEqual(fr.Required, []string{"person", "reason"}) {
		t.Errorf("required %v", fr.Required)
	}
	if got := keys(fr.Properties); len(got) != 6 {
		t.Errorf("properties %v (json:\"-\" and unexported must be skipped)", got)
	}
	if fr.Properties["person"].Ref != RefPrefix+"Person" {
		t.Errorf("person %+v", fr.Properties["person"])
	}
	if !reflect.DeepEqual(fr.Properties["reason"].Enum, []any{"first_issuance", "renewal"}) {
		t.Errorf("reason %+v", fr.Properties["reason"])
	}
	if p := fr.Properties["photo"]; p.ContentEncoding != "base64" {
		t.Errorf("photo %+v", p)
	}
	if l := fr.Properties["labels"]; l.AdditionalProperties.(*Schema).Type != "string" {
		t.Errorf("labels %+v", l)
	}
	person := component(t, r, "Person")
	if person.AdditionalProperties != false || !reflect.DeepEqual(person.Required, []string{"curp", "email"}) {
		t.Errorf("Person %+v", person)
	}
	if person.Properties["curp"].Description == "" || person.Properties["email"].Format != "email" {
		t.Errorf("tags lost: %+v %+v", person.Properties["curp"], person.Properties["email"])
	}
	if !reflect.DeepEqual(person.Properties["phone"].Type, []any{"string", "null"}) {
		t.Errorf("phone %+v", person.Properties["phone"])
	}
}

func TestResponse_FlattensEmbeddedAndSharesNamedTypes(t *testing.T) {
	r := NewRegistry()
	if _, err := r.Response(Certificate{}); err != nil {
		t.Fatal(err)
	}
	c := component(t, r, "Certificate")
	if c.AdditionalProperties != nil {
		t.Errorf("a response stays open to new members: %+v", c.AdditionalProperties)
	}
	if _, ok := c.Properties["id"]; !ok {
		t.Errorf("embedded Base not flattened: %v", keys(c.Properties))
	}
	if _, ok := r.Components()["Base"]; ok {
		t.Error("an embedded struct must not become a component")
	}
	if !reflect.DeepEqual(c.Required, []string{"id", "status", "issuedAt", "holder", "serials"}) {
		t.Errorf("required %v", c.Required)
	}
	if ia := c.Properties["issuedAt"]; ia.Type != "string" || ia.Format != "date-time" {
		t.Errorf("issuedAt %+v", ia)
	}
	if ra := c.Properties["revokedAt"]; !reflect.DeepEqual(ra.Type, []any{"string", "null"}) || ra.Format != "date-time" {
		t.Errorf("revokedAt %+v", ra)
	}
	prev := c.Properties["previous"]
	if len(prev.AnyOf) != 2 || prev.AnyOf[0].Ref != RefPrefix+"Certificate" || prev.AnyOf[1].Type != "null" {
		t.Errorf("previous %+v", prev)
	}
	if s := c.Properties["serials"]; s.Items.Type != "integer" || s.Items.Minimum == nil {
		t.Errorf("serials %+v", s)
	}
	// The same Person is emitted once, for both uses.
	if _, err := r.Request(FileRequest{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for k := range r.Components() {
		if strings.HasSuffix(k, "Person") {
			n++
		}
	}
	if n != 1 || component(t, r, "Person").AdditionalProperties != false {
		t.Errorf("Person emitted %d times, strict=%v", n, component(t, r, "Person").AdditionalProperties)
	}
	if _, err := json.Marshal(r.Components()); err != nil {
		t.Fatal(err)
	}
}

func TestSchema_RefusesNeverOmittedTimes(t *testing.T) {
	type bad struct {
		At time.Time `json:"at,omitempty"`
	}
	if _, err := NewRegistry().Response(bad{}); err == nil || !strings.Contains(err.Error(), "omitzero") {
		t.Fatalf("omitempty time.Time accepted: %v", err)
	}
	type badEnum struct {
		N int `json:"n" enum:"1,x"`
	}
	if _, err := NewRegistry().Response(badEnum{}); err == nil {
		t.Fatal("a non-integer enum of an integer accepted")
	}
}

func TestSchema_SameNameInTwoPackagesStaysApart(t *testing.T) {
	type Person struct {
		Name string `json:"name"`
	}
	r := NewRegistry()
	r.Response(FileRequest{})
	r.Response(Person{})
	if len(r.Components()) != 3 || r.NameOf(Person{}) == "Person" || r.NameOf(&FileRequest{}) != "FileRequest" {
		t.Errorf("components %v, local Person named %q", keys(r.Components()), r.NameOf(Person{}))
	}
}

type folio string

func (folio) JSONSchema() *Schema {
	return &Schema{Type: "string", Description: "folio, e.g. JAL-2026-000001"}
}

func TestSchema_DescriberAndEnumOfList(t *testing.T) {
	type req struct {
		Folio folio    `json:"folio"`
		Kinds []string `json:"kinds" enum:"curp,rfc"`
		Raw   json.RawMessage
		Level *int `json:"level" enum:"1,2"`
	}
	r := NewRegistry()
	if _, err := r.Request(req{}); err != nil {
		t.Fatal(err)
	}
	s := component(t, r, "req")
	if s.Properties["folio"].Description != "folio, e.g. JAL-2026-000001" {
		t.Errorf("folio %+v", s.Properties["folio"])
	}
	if k := s.Properties["kinds"]; k.Enum != nil || !reflect.DeepEqual(k.Items.Enum, []any{"curp", "rfc"}) {
		t.Errorf("kinds %+v items %+v", k, k.Items)
	}
	if raw := s.Properties["Raw"]; raw.Type != nil {
		t.Errorf("Raw %+v: want any", raw)
	}
	if l := s.Properties["level"]; !reflect.DeepEqual(l.Enum, []any{int64(1), int64(2), nil}) {
		t.Errorf("level %+v", l)
	}
	if !reflect.DeepEqual(s.Required, []string{"folio", "kinds", "Raw", "level"}) {
		t.Errorf("required %v", s.Required)
	}
}
