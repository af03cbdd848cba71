package apischema

import "time"

// The test types mirror what an API declares: a request, a response that
// embeds a base and refers to itself, shared nested types.

type Person struct {
	CURP  string  `json:"curp" doc:"Clave Única de Registro de Población"`
	Email string  `json:"email" format:"email"`
	Phone *string `json:"phone,omitempty"`
}

type FileRequest struct {
	Person   Person            `json:"person"`
	Reason   string            `json:"reason" enum:"first_issuance,renewal"`
	Notes    []string          `json:"notes,omitempty"`
	Photo    []byte            `json:"photo,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Count    int               `json:"count,omitempty"`
	Internal string            `json:"-"`
	secret   string
}

type Base struct {
	ID int64 `json:"id" doc:"identifier"`
}

type Certificate struct {
	Base
	Status    string       `json:"status" enum:"valid,revoked"`
	RevokedAt *time.Time   `json:"revokedAt,omitempty"`
	IssuedAt  time.Time    `json:"issuedAt"`
	Until     time.Time    `json:"until,omitzero"`
	Holder    Person       `json:"holder"`
	Previous  *Certificate `json:"previous,omitempty"`
	Serials   []uint16     `json:"serials"`
}

// fuzzRequest has no format assertions, so any body Decode accepts must
// validate against its schema.
type fuzzRequest struct {
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
