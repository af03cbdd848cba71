package apischema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// Decode reads one JSON value of at most limit bytes from body into dst (a
// pointer) and refuses, as errs.Malformed naming what is wrong: invalid
// JSON, a key repeated in an object, a string holding a NUL, a member dst's type does not declare,
// data after the value, a value of the wrong JSON type, and a missing
// required member (one without omitempty/omitzero) at any depth, all of them
// listed. A body over the limit is errs.TooLarge. The content type is the
// caller's to check.
func Decode(body io.Reader, limit int64, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errs.New(errs.Internal, "apischema: Decode needs a non-nil pointer, not %T", dst)
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "cannot read the request body")
	}
	if int64(len(data)) > limit {
		return errs.New(errs.TooLarge, "the JSON body is larger than %d bytes", limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errs.New(errs.Malformed, "the body is empty: send a JSON object")
	}
	tree, err := parse(data)
	if err != nil {
		return err
	}
	var p problems
	if want := jsonKind(rv.Type().Elem()); tree.kind == "null" && want != "" {
		// null leaves dst untouched: a body saying nothing is refused.
		p.wrongType = append(p.wrongType, pathOr("")+" ("+want+")")
	}
	p.check(tree, rv.Type().Elem(), "")
	if err := p.err(); err != nil {
		return err
	}
	if err := json.Unmarshal(data, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errs.Wrap(errs.Malformed, err, "%s: a JSON %s is not accepted here", pathOr(te.Field), te.Value)
		}
		return errs.Wrap(errs.Malformed, err, "the body does not fit the request: %s", pathOr(""))
	}
	return nil
}

// node is a parsed JSON value with its object members in order.
type node struct {
	kind    string // object, array, string, number, boolean, null
	members []member
	items   []*node
}

type member struct {
	key   string
	value *node
}

// parse reads exactly one JSON value, refusing duplicate keys at any depth
// and anything after the value.
func parse(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errs.New(errs.Malformed, "invalid JSON: data after the object")
	}
	return n, nil
}

// syntaxError locates a syntax error by byte offset, which needs no
// translation; encoding/json's own wording stays in the cause.
func syntaxError(dec *json.Decoder, err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errs.Wrap(errs.Malformed, err, "invalid JSON: the body ends before the value is complete")
	}
	return errs.Wrap(errs.Malformed, err, "invalid JSON near byte %d", dec.InputOffset())
}

func parseValue(dec *json.Decoder, path string) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(dec, err)
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &node{kind: "object"}
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, syntaxError(dec, err)
				}
				key, _ := kt.(string)
				if seen[key] {
					return nil, errs.New(errs.Malformed, "duplicate key %q in %s", key, pathOr(path))
				}
				seen[key] = true
				child, err := parseValue(dec, join(path, key))
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key, child})
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(dec, err)
			}
			return n, nil
		case '[':
			n := &node{kind: "array"}
			for i := 0; dec.More(); i++ {
				child, err := parseValue(dec, path+"[]")
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, child)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(dec, err)
			}
			return n, nil
		}
	case string:
		// No member of any body holds a NUL, and PostgreSQL cannot store
		// one in text: refused here, it is a 400 and not a database error.
		if strings.ContainsRune(v, 0) {
			return nil, errs.New(errs.Malformed, "%s: the NUL character (\\u0000) is not accepted", pathOr(path))
		}
		return &node{kind: "string"}, nil
	case json.Number:
		return &node{kind: "number"}, nil
	case bool:
		return &node{kind: "boolean"}, nil
	case nil:
		return &node{kind: "null"}, nil
	}
	return nil, errs.New(errs.Malformed, "invalid JSON near byte %d", dec.InputOffset())
}

// problems collects what is wrong with a body, so one answer names it all.
type problems struct {
	unknown, missing, wrongType []string
}

func (p *problems) err() error {
	switch {
	case len(p.unknown) > 0:
		return errs.New(errs.Malformed, "unknown fields: %s", strings.Join(p.unknown, ", "))
	case len(p.wrongType) > 0:
		return errs.New(errs.Malformed, "wrong JSON type: %s", strings.Join(p.wrongType, ", "))
	case len(p.missing) > 0:
		return errs.New(errs.Malformed, "missing fields: %s", strings.Join(p.missing, ", "))
	}
	return nil
}

// check compares a parsed value with the Go type it is decoded into.
func (p *problems) check(n *node, t reflect.Type, path string) {
	if n.kind == "null" {
		return // a required member sent as null is caught by its parent
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(describerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType) ||
		reflect.PointerTo(t).Implements(textUnmarshalerType) || t == timeType || t == rawType {
		return // its own decoding judges it
	}
	want := jsonKind(t)
	if want == "" {
		return
	}
	if want != n.kind {
		p.wrongType = append(p.wrongType, pathOr(path)+" ("+want+")")
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := fieldsOf(t)
		present := map[string]*node{}
		for _, m := range n.members {
			present[m.key] = m.value
		}
		known := map[string]bool{}
		for _, f := range fields {
			known[f.name] = true
			v, ok := present[f.name]
			if !ok || (v.kind == "null" && !nullableKind(f.typ)) {
				if !f.optional {
					p.missing = append(p.missing, join(path, f.name))
				}
				continue
			}
			if f.asString {
				if v.kind != "string" {
					p.wrongType = append(p.wrongType, join(path, f.name)+" (string)")
				}
				continue
			}
			p.check(v, f.typ, join(path, f.name))
		}
		var unknown []string
		for _, m := range n.members {
			if !known[m.key] {
				unknown = append(unknown, join(path, m.key))
			}
		}
		sort.Strings(unknown)
		p.unknown = append(p.unknown, unknown...)
	case reflect.Slice, reflect.Array:
		for _, item := range n.items {
			p.check(item, t.Elem(), path+"[]")
		}
	case reflect.Map:
		for _, m := range n.members {
			p.check(m.value, t.Elem(), join(path, m.key))
		}
	}
}

var (
	jsonUnmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*interface{ UnmarshalText([]byte) error })(nil)).Elem()
)

// jsonKind is the JSON kind a Go type decodes from ("" for any).
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string"
		}
		return "array"
	case reflect.Array:
		return "array"
	}
	return ""
}

// nullableKind reports whether null is a value of t rather than an absent
// member (a required string sent as null is missing).
func nullableKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return true // a slice or map takes null as nil, as its schema says
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathOr(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
