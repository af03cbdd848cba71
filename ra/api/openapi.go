package api

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sello-pki/sello/internal/apischema"
	"github.com/sello-pki/sello/internal/problem"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// openapi serves the OpenAPI 3.1 document of the API (ARCHITECTURE:
// /api/openapi.json). It is built once from the route table, and its
// schemas from the routes' body types, so it cannot drift from what is
// served or accepted.
func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	doc, err := h.document()
	if err != nil {
		h.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
}

var (
	docOnce sync.Once
	docJSON []byte
	docErr  error
)

func (h *Handler) document() ([]byte, error) {
	docOnce.Do(func() {
		var doc map[string]any
		if doc, docErr = buildDocument(h.table()); docErr == nil {
			docJSON, docErr = marshalIndent(doc)
		}
	})
	return docJSON, docErr
}

func zero(t reflect.Type) any { return reflect.New(t).Elem().Interface() }

func jsonContent(s *apischema.Schema) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": s}}
}

// buildDocument is the OpenAPI 3.1 document of routes.
func buildDocument(routes []route) (map[string]any, error) {
	reg := apischema.NewRegistry()
	problemSchema, err := reg.Response(problem.Document{})
	if err != nil {
		return nil, err
	}
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op, err := operation(reg, rt, problemSchema)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", rt.method, rt.path, err)
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Sello agents' API", "version": "1",
			"description": "Registration agents' API (RULES O2, O3). Authenticate with your agent certificate (TLS client " +
				"authentication). Bodies are JSON with camelCase members; a member not marked optional is required, and " +
				"unknown or duplicate members are refused. Errors are RFC 7807 problem documents, in Spanish unless " +
				"Accept-Language asks for English; their type is the same in both."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"clientCertificate": map[string]any{"type": "mutualTLS",
				"description": "The agent's PKCS#12 certificate from `sello agent add`."}},
			"schemas": reg.Components(),
		},
	}, nil
}

func operation(reg *apischema.Registry, rt route, problemSchema *apischema.Schema) (map[string]any, error) {
	op := map[string]any{
		"summary":     rt.summary,
		"operationId": strings.ToLower(rt.method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_").Replace(rt.path),
	}
	if !rt.public {
		op["security"] = []map[string]any{{"clientCertificate": []string{}}}
	}
	params := []map[string]any{}
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		s := map[string]any{"type": "string"}
		if m[1] == "id" {
			s = map[string]any{"type": "integer", "minimum": 1}
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": s})
	}
	for _, q := range rt.query {
		s := map[string]any{"type": "string"}
		if q.enum != nil {
			s["enum"] = q.enum
		}
		p := map[string]any{"name": q.name, "in": "query", "required": q.required, "schema": s}
		if q.doc != "" {
			p["description"] = q.doc
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	switch {
	case rt.consumes == "multipart/form-data":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{
			"schema": map[string]any{"type": "object", "required": []string{"kind", "file"}, "properties": map[string]any{
				"kind":     map[string]any{"type": "string", "description": "Document kind from the policy, or a biometric capture (photo, fingerprints, handwritten_signature)"},
				"issuedOn": map[string]any{"type": "string", "format": "date", "description": "Issue date of a document (YYYY-MM-DD)"},
				"file":     map[string]any{"type": "string", "contentMediaType": "application/octet-stream", "description": "PDF, PNG or JPEG, at most 10 MiB"},
			}}}}}
	case rt.in != nil && rt.in != reflect.TypeFor[NoBody]():
		s, err := reg.Request(zero(rt.in))
		if err != nil {
			return nil, err
		}
		body := map[string]any{"required": true, "content": jsonContent(s)}
		if ex, ok := examples[rt.method+" "+rt.path]; ok {
			body["content"].(map[string]any)["application/json"].(map[string]any)["example"] = ex
		}
		op["requestBody"] = body
	}
	ok := map[string]any{"description": http.StatusText(rt.status)}
	switch {
	case rt.produces != "":
		ok["content"] = map[string]any{rt.produces: map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": rt.produces}}}
	case rt.out != nil:
		s, err := reg.Response(zero(rt.out))
		if err != nil {
			return nil, err
		}
		ok["content"] = jsonContent(s)
	}
	op["responses"] = map[string]any{
		strconv.Itoa(rt.status): ok,
		"default": map[string]any{"description": "An RFC 7807 problem document",
			"content": map[string]any{"application/problem+json": map[string]any{"schema": problemSchema}}},
	}
	return op, nil
}

// routeKeys lists the documented operations, for tests.
func routeKeys(routes []route) []string {
	var out []string
	for _, rt := range routes {
		out = append(out, rt.method+" "+rt.path)
	}
	sort.Strings(out)
	return out
}

// examples are the request bodies the document shows; a test decodes each
// with the route's own decoder and validates it against its schema.
var examples = map[string]any{
	"POST /api/v1/requests": map[string]any{"reason": "first_issuance", "givenNames": "Juan", "firstSurname": "Pérez",
		"secondSurname": "Xóchitl", "curp": "PEXJ800101HJCRXN07", "email": "juan.perez@jalisco.gob.mx", "title": "Jefe de Departamento"},
	"POST /api/v1/public/requests": map[string]any{"organisation": "SEP-JAL", "reason": "first_issuance", "givenNames": "María Guadalupe",
		"firstSurname": "López", "secondSurname": "Hernández", "curp": "LOHM800101MJCPRR06", "email": "maria.lopez@jalisco.gob.mx",
		"title": "Jefa de Departamento"},
	"POST /api/v1/public/requests/{folio}/verify-email": map[string]any{"token": "k3J9sQ2mZ7"},
	"POST /api/v1/requests/{id}/confirm": map[string]any{"idDocument": map[string]any{"kind": "ine", "number": "IDMEX1234567890"},
		"documents": map[string]any{"APPOINTMENT_LETTER": "2026-11-02"}, "biometrics": []string{"photo", "fingerprints"},
		"inPerson": true, "agreementSigned": true},
	"POST /api/v1/requests/{id}/refuse": map[string]any{"note": "El nombramiento presentado no corresponde a la dependencia."},
	"POST /api/v1/requests/{id}/cancel": map[string]any{"reason": "El solicitante desistió de su solicitud."},
	"POST /api/v1/requests/{id}/issue":  map[string]any{"csr": "-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----\n"},
	"POST /api/v1/certificates/{id}/status": map[string]any{"kind": "revoke", "reason": "separation", "identifier": "PEXJ800101HJCRXN07",
		"requester": "superior", "statement": "Baja por renuncia, oficio DRH/123/2026."},
	"POST /api/v1/status-requests/{id}/decide": map[string]any{"approve": true},
	"POST /api/v1/organisations": map[string]any{"code": "SEP-JAL", "name": "Secretaría de Educación Jalisco", "policy": "jalisco",
		"unit": "Dirección de Recursos Humanos"},
	"POST /api/v1/organisations/{code}/status": map[string]any{"status": "suspended", "reason": "Auditoría en curso"},
	"POST /api/v1/agents/{id}/disable":         map[string]any{"reason": "Cambio de adscripción"},
}
