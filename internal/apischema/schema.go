// Package apischema turns the Go types of the agents' API into OpenAPI 3.1
// (JSON Schema 2020-12) schemas and decodes request bodies strictly against
// the same types, so the documented contract and the accepted input cannot
// drift apart.
//
// Types are described by their json tags plus three optional tags:
//
//	doc:"…"            the member's description
//	enum:"a,b,c"       the allowed values (strings, or integers for integer members)
//	format:"email"     a JSON Schema format (time.Time is always date-time)
//
// A member without omitempty/omitzero is required; a pointer member is
// nullable. A non-pointer struct or time.Time member tagged omitempty (which
// encoding/json never omits) is refused: use omitzero or a pointer.
package apischema

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Schema is a JSON Schema 2020-12 node, in the subset this package generates.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 any                `json:"type,omitempty"` // a string, or a list with "null"
	Format               string             `json:"format,omitempty"`
	ContentEncoding      string             `json:"contentEncoding,omitempty"`
	Description          string             `json:"description,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties any                `json:"additionalProperties,omitempty"` // false or a *Schema
	AnyOf                []*Schema          `json:"anyOf,omitempty"`
}

// Describer is implemented by a type that knows its own schema (e.g. a
// custom JSON encoding); the registry uses it as is.
type Describer interface {
	JSONSchema() *Schema
}

// Namer is implemented by a type that chooses its component name (e.g.
// problem.Document is "Problem", not "Document").
type Namer interface {
	SchemaName() string
}

// RefPrefix is where named schemas live in an OpenAPI 3.1 document.
const RefPrefix = "#/components/schemas/"

// Registry collects the named schemas of a document. Each named struct type
// is emitted once, under components/schemas, and referenced by $ref.
type Registry struct {
	schemas map[string]*Schema
	names   map[reflect.Type]string
	strict  map[reflect.Type]bool
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{schemas: map[string]*Schema{}, names: map[reflect.Type]string{}, strict: map[reflect.Type]bool{}}
}

// Request returns the schema of a request body of v's type: its structs
// refuse members they do not declare (additionalProperties: false), as
// Decode does.
func (r *Registry) Request(v any) (*Schema, error) { return r.of(reflect.TypeOf(v), true) }

// Response returns the schema of a response body of v's type.
func (r *Registry) Response(v any) (*Schema, error) { return r.of(reflect.TypeOf(v), false) }

// Components returns the named schemas collected so far, for the OpenAPI
// document's components/schemas.
func (r *Registry) Components() map[string]*Schema { return r.schemas }

// NameOf returns the component name given to a struct type, or "".
func (r *Registry) NameOf(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return r.names[t]
}

func (r *Registry) of(t reflect.Type, strict bool) (*Schema, error) {
	if t == nil {
		return &Schema{}, nil
	}
	s, err := r.schema(t, strict)
	if err != nil {
		return nil, err
	}
	return s, nil
}

var (
	timeType      = reflect.TypeOf(time.Time{})
	rawType       = reflect.TypeOf(json.RawMessage(nil))
	describerType = reflect.TypeOf((*Describer)(nil)).Elem()
	textType      = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	jsonType      = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

// schema describes t. Pointers are unwrapped by the caller deciding
// nullability (member), so here a pointer is simply nullable.
func (r *Registry) schema(t reflect.Type, strict bool) (*Schema, error) {
	if t.Kind() == reflect.Pointer {
		s, err := r.schema(t.Elem(), strict)
		if err != nil {
			return nil, err
		}
		return nullable(s), nil
	}
	switch {
	case t.Implements(describerType):
		return reflect.Zero(t).Interface().(Describer).JSONSchema(), nil
	case t == timeType:
		return &Schema{Type: "string", Format: "date-time"}, nil
	case t == rawType:
		return &Schema{}, nil
	case t.Implements(jsonType) || reflect.PointerTo(t).Implements(jsonType):
		return nil, fmt.Errorf("apischema: %s has its own JSON encoding; give it a JSONSchema method", t)
	case t.Implements(textType) || reflect.PointerTo(t).Implements(textType):
		return &Schema{Type: "string"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return &Schema{Type: "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &Schema{Type: "integer"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		zero := 0.0
		return &Schema{Type: "integer", Minimum: &zero}, nil
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number"}, nil
	case reflect.String:
		return &Schema{Type: "string"}, nil
	case reflect.Interface:
		return &Schema{}, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			// encoding/json writes []byte as standard base64, nil as null.
			return &Schema{Type: []any{"string", "null"}, ContentEncoding: "base64"}, nil
		}
		items, err := r.schema(t.Elem(), strict)
		if err != nil {
			return nil, err
		}
		if t.Kind() == reflect.Array {
			return &Schema{Type: "array", Items: items}, nil
		}
		// A nil slice encodes as null.
		return &Schema{Type: []any{"array", "null"}, Items: items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String && !t.Key().Implements(textType) {
			switch t.Key().Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			default:
				return nil, fmt.Errorf("apischema: map key type %s has no JSON form", t.Key())
			}
		}
		values, err := r.schema(t.Elem(), strict)
		if err != nil {
			return nil, err
		}
		return &Schema{Type: []any{"object", "null"}, AdditionalProperties: values}, nil
	case reflect.Struct:
		return r.named(t, strict)
	}
	return nil, fmt.Errorf("apischema: %s has no JSON form", t)
}

// named emits struct type t once under components/schemas and returns a
// reference to it. An anonymous struct is described inline.
func (r *Registry) named(t reflect.Type, strict bool) (*Schema, error) {
	if t.Name() == "" {
		return r.object(t, strict)
	}
	name, known := r.names[t]
	if known && (!strict || r.strict[t]) {
		return &Schema{Ref: RefPrefix + name}, nil
	}
	if !known {
		name = r.uniqueName(t)
		if n, ok := reflect.Zero(t).Interface().(Namer); ok && n.SchemaName() != "" {
			name = n.SchemaName()
		}
		r.names[t] = name
		r.schemas[name] = &Schema{} // placeholder: recursive types refer to it
	}
	if strict {
		r.strict[t] = true
	}
	obj, err := r.object(t, strict)
	if err != nil {
		delete(r.names, t)
		delete(r.schemas, name)
		return nil, err
	}
	*r.schemas[name] = *obj
	return &Schema{Ref: RefPrefix + name}, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// uniqueName names a struct type by its Go name, prefixed by its package's
// name when another package already took the bare name.
func (r *Registry) uniqueName(t reflect.Type) string {
	base := unsafeName.ReplaceAllString(t.Name(), "_")
	if _, taken := r.schemas[base]; !taken {
		return base
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := unsafeName.ReplaceAllString(pkg, "_") + "." + base
	for i := 2; ; i++ {
		if _, taken := r.schemas[name]; !taken {
			return name
		}
		name = fmt.Sprintf("%s.%s%d", pkg, base, i)
	}
}

// object describes a struct's members.
func (r *Registry) object(t reflect.Type, strict bool) (*Schema, error) {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	if strict {
		s.AdditionalProperties = false
	}
	for _, f := range fieldsOf(t) {
		ms, err := r.member(t, f, strict)
		if err != nil {
			return nil, err
		}
		s.Properties[f.name] = ms
		if !f.optional {
			s.Required = append(s.Required, f.name)
		}
	}
	return s, nil
}

// member describes one struct member with its tags.
func (r *Registry) member(owner reflect.Type, f field, strict bool) (*Schema, error) {
	base := f.typ
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	if f.typ.Kind() == reflect.Struct && hasOption(f.tag, "omitempty") && !hasOption(f.tag, "omitzero") {
		return nil, fmt.Errorf("apischema: %s.%s: encoding/json never omits a struct or time.Time; use omitzero or a pointer", owner, f.name)
	}
	var s *Schema
	if f.asString {
		s = &Schema{Type: "string"}
	} else {
		var err error
		if s, err = r.schema(f.typ, strict); err != nil {
			return nil, err
		}
	}
	doc, enum, format := f.tag.Get("doc"), f.tag.Get("enum"), f.tag.Get("format")
	if doc == "" && enum == "" && format == "" {
		return s, nil
	}
	if s.Ref != "" || s.AnyOf != nil {
		// A $ref's siblings apply in 2020-12, but keep references bare for
		// tools that ignore them: wrap.
		s = &Schema{AnyOf: []*Schema{s}}
	} else {
		c := *s
		s = &c
	}
	s.Description = doc
	if format != "" {
		s.Format = format
	}
	if enum != "" {
		values, err := enumValues(enum, base)
		if err != nil {
			return nil, fmt.Errorf("apischema: %s.%s: %w", owner, f.name, err)
		}
		target := s
		if s.Type != nil && isArray(s.Type) && s.Items != nil {
			c := *s.Items
			target, s.Items = &c, &c
		}
		target.Enum = values
		if isNullable(target.Type) {
			target.Enum = append(target.Enum, nil)
		}
	}
	return s, nil
}

func enumValues(list string, t reflect.Type) ([]any, error) {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	var out []any
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("enum value %q is not an integer", v)
			}
			out = append(out, n)
		default:
			out = append(out, v)
		}
	}
	return out, nil
}

// nullable lets s also be null.
func nullable(s *Schema) *Schema {
	if s.Ref != "" || s.Type == nil {
		if s.Type == nil && s.Ref == "" && s.AnyOf == nil {
			return s // anything, null included
		}
		return &Schema{AnyOf: []*Schema{s, {Type: "null"}}}
	}
	if isNullable(s.Type) {
		return s
	}
	c := *s
	c.Type = []any{s.Type, "null"}
	return &c
}

func isNullable(t any) bool {
	l, ok := t.([]any)
	if !ok {
		return false
	}
	for _, x := range l {
		if x == "null" {
			return true
		}
	}
	return false
}

func isArray(t any) bool {
	if t == "array" {
		return true
	}
	l, _ := t.([]any)
	for _, x := range l {
		if x == "array" {
			return true
		}
	}
	return false
}
