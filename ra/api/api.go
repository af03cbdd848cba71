// Package api is the agents' JSON API over HTTPS. Every caller is an agent,
// administrator, auditor or HR client authenticated by its TLS client
// certificate (RULES O2); every answer to a bad request is an RFC 7807
// problem document.
package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
	"github.com/sello-pki/sello/store"
)

// Principal is an authenticated caller.
type Principal struct {
	Agent *store.Agent
	Org   *store.Organisation
}

// Authenticator finds the agent behind a client certificate fingerprint.
type Authenticator interface {
	AgentByCertificate(ctx context.Context, certFingerprint string) (*store.Agent, error)
	Organisation(ctx context.Context, id int64) (*store.Organisation, error)
}

// Handler serves /api/v1/.
type Handler struct {
	auth Authenticator
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns the API handler.
func New(auth Authenticator, log *slog.Logger) *Handler {
	h := &Handler{auth: auth, log: log, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /api/v1/whoami", h.authed(h.whoami))
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, errs.New(errs.NotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

type principalKey struct{}

// authed requires a verified client certificate that belongs to an active agent.
func (h *Handler) authed(next func(http.ResponseWriter, *http.Request, *Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
			problem.Write(w, errs.New(errs.Unauthorized, "log in with your agent certificate (TLS client authentication)"))
			return
		}
		sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
		agent, err := h.auth.AgentByCertificate(r.Context(), hex.EncodeToString(sum[:]))
		if err != nil {
			problem.Write(w, err)
			return
		}
		org, err := h.auth.Organisation(r.Context(), agent.OrgID)
		if err != nil {
			problem.Write(w, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, &Principal{Agent: agent, Org: org})), &Principal{Agent: agent, Org: org})
	}
}

func (h *Handler) whoami(w http.ResponseWriter, r *http.Request, p *Principal) {
	writeJSON(w, http.StatusOK, map[string]any{
		"agent": p.Agent.ID, "role": p.Agent.Role, "title": p.Agent.Title,
		"organisation": map[string]any{"code": p.Org.Code, "name": p.Org.Name, "status": p.Org.Status},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
