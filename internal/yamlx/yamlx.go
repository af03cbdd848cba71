// Package yamlx decodes Sello's YAML files (configuration, policies) the
// one strict way: unknown keys are errors, messages point at the line, and a
// panic inside the YAML library on malformed input (goccy/go-yaml panics on
// `key: ! `, found by FuzzParse) is an error, never a crash.
package yamlx

import (
	"bytes"
	"fmt"

	"github.com/goccy/go-yaml"
)

// UnmarshalStrict decodes data into dst, refusing unknown keys.
func UnmarshalStrict(data []byte, dst any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML cannot be read (malformed near a tag or an empty node): %v", r)
		}
	}()
	if err := yaml.UnmarshalWithOptions(data, dst, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return fmt.Errorf("%s", yaml.FormatError(err, false, true))
	}
	return nil
}

// LineOf returns the line of a dotted key path ("database.url",
// "documents[0].rule") in data, or 0 when it is not there.
func LineOf(data []byte, key string) (line int) {
	defer func() {
		if recover() != nil {
			line = 0
		}
	}()
	if data == nil {
		return 0
	}
	p, err := yaml.PathString("$." + key)
	if err != nil {
		return 0
	}
	n, err := p.ReadNode(bytes.NewReader(data))
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}
