package apischema

import (
	"reflect"
	"strings"
)

// field is one JSON member of a struct, as encoding/json sees it.
type field struct {
	name     string
	index    []int
	typ      reflect.Type
	optional bool // omitempty or omitzero: the member may be absent
	asString bool // the ",string" option: a number or bool encoded as a string
	tag      reflect.StructTag
	depth    int
	tagged   bool
}

// fieldsOf lists the JSON members of struct type t in declaration order,
// following encoding/json: unexported and "-" fields skipped, untagged
// embedded structs flattened, a shallower field hiding a deeper one of the
// same name, and two at the same depth hiding each other unless one is
// tagged.
func fieldsOf(t reflect.Type) []field {
	var all []field
	collect(t, nil, 0, map[reflect.Type]bool{}, &all)
	byName := map[string][]int{}
	for i, f := range all {
		byName[f.name] = append(byName[f.name], i)
	}
	var out []field
	for i, f := range all {
		if dominant(all, byName[f.name]) == i {
			out = append(out, f)
		}
	}
	return out
}

// dominant returns the index of the field that wins among same-named ones,
// or -1 when they cancel out.
func dominant(all []field, idx []int) int {
	best, count := -1, 0
	for _, i := range idx {
		switch {
		case best < 0 || all[i].depth < all[best].depth:
			best, count = i, 1
		case all[i].depth == all[best].depth:
			if all[i].tagged && !all[best].tagged {
				best, count = i, 1
			} else if all[i].tagged == all[best].tagged {
				count++
			}
		}
	}
	if count > 1 {
		return -1
	}
	return best
}

func collect(t reflect.Type, index []int, depth int, seen map[reflect.Type]bool, out *[]field) {
	if seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		ft := sf.Type
		if sf.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				collect(et, idx, depth+1, seen, out)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		f := field{name: name, index: idx, typ: ft, tag: sf.Tag, depth: depth, tagged: name != ""}
		if f.name == "" {
			f.name = sf.Name
		}
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty", "omitzero":
				f.optional = true
			case "string":
				switch ft.Kind() {
				case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
					reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
					f.asString = true
				}
			}
		}
		*out = append(*out, f)
	}
}

// hasOption reports whether a json tag carries option o.
func hasOption(tag reflect.StructTag, o string) bool {
	_, opts, _ := strings.Cut(tag.Get("json"), ",")
	for _, x := range strings.Split(opts, ",") {
		if x == o {
			return true
		}
	}
	return false
}
