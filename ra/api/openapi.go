package api

import (
	"net/http"
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// openapi serves the OpenAPI 3.1 document of the API, built from the route
// table (ARCHITECTURE: /api/openapi.json).
func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.document())
}

func (h *Handler) document() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range h.table() {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": strings.ToLower(rt.method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_").Replace(rt.path),
			"responses": map[string]any{
				"200":     map[string]any{"description": "OK"},
				"default": map[string]any{"description": "An RFC 7807 problem document", "content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}},
			},
		}
		if !rt.public {
			op["security"] = []map[string]any{{"clientCertificate": []string{}}}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Sello agents' API", "version": "1",
			"description": "Registration agents' API (RULES O2, O3). Authenticate with your agent certificate (TLS client authentication). Errors are RFC 7807 problem documents."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"clientCertificate": map[string]any{"type": "mutualTLS", "description": "The agent's PKCS#12 certificate from `sello agent add`."}},
			"schemas": map[string]any{"Problem": map[string]any{"type": "object", "required": []string{"type", "title", "status"},
				"properties": map[string]any{"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"},
					"status": map[string]any{"type": "integer"}, "detail": map[string]any{"type": "string"}}}},
		},
	}
}
