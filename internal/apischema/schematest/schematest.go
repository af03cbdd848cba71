// Package schematest validates JSON documents against the schemas of an
// OpenAPI 3.1 document, for tests: every documented example and every
// response a scenario test receives can be checked against the contract.
// It is kept apart from apischema so the validator never reaches the binary.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sello-pki/sello/internal/apischema"
)

const docURL = "mem:///openapi.json"

// Validator checks instances against the named schemas of one document.
type Validator struct {
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// New loads an OpenAPI 3.1 document (raw JSON bytes, or any value that
// encodes to it) whose components/schemas hold the schemas to check.
// Formats (date-time, email…) and base64 contents are asserted.
func New(openapi any) (*Validator, error) {
	raw, ok := openapi.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(openapi); err != nil {
			return nil, fmt.Errorf("schematest: encode the document: %w", err)
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("schematest: the document is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.AssertContent()
	if err := c.AddResource(docURL, doc); err != nil {
		return nil, fmt.Errorf("schematest: %w", err)
	}
	return &Validator{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// FromRegistry builds a validator over a registry's components.
func FromRegistry(r *apischema.Registry) (*Validator, error) {
	return New(map[string]any{
		"openapi":    "3.1.0",
		"info":       map[string]any{"title": "schematest", "version": "0"},
		"paths":      map[string]any{},
		"components": map[string]any{"schemas": r.Components()},
	})
}

// Validate checks a JSON instance against a schema given by its component
// name ("Enrollment") or a JSON pointer into the document
// ("#/components/schemas/Enrollment", "#/paths/~1api~1v1~1whoami/get/…").
func (v *Validator) Validate(schema string, instance []byte) error {
	sch, err := v.schema(schema)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(instance))
	if err != nil {
		return fmt.Errorf("schematest: the instance is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s: %w", schema, err)
	}
	return nil
}

// ValidateValue encodes a Go value as encoding/json does and validates it.
func (v *Validator) ValidateValue(schema string, value any) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("schematest: encode: %w", err)
	}
	return v.Validate(schema, raw)
}

func (v *Validator) schema(name string) (*jsonschema.Schema, error) {
	ptr := name
	if !strings.HasPrefix(ptr, "#") {
		ptr = apischema.RefPrefix + name
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.compiled[ptr]; ok {
		return s, nil
	}
	s, err := v.compiler.Compile(docURL + ptr)
	if err != nil {
		return nil, fmt.Errorf("schematest: schema %s: %w", name, err)
	}
	v.compiled[ptr] = s
	return s, nil
}
