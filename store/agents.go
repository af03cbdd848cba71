package store

import (
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Re-declared from package model.
const (
	RoleAdmin   = model.RoleAdmin
	RoleAgent   = model.RoleAgent
	RoleAuditor = model.RoleAuditor
	RoleHR      = model.RoleHR
)

// ValidRole is model.ValidRole.
func ValidRole(r string) bool { return model.ValidRole(r) }

// Agent is model.Agent.
type Agent = model.Agent

const agentCols = "a.id, a.org_id, a.person_id, a.role, a.title, a.status, a.created_at, a.updated_at"

// CreateAgent inserts an active agent.
func (tx *Tx) CreateAgent(ctx context.Context, a *Agent) error {
	if !ValidRole(a.Role) {
		return errs.New(errs.Malformed, "unknown role %q (admin, agent, auditor or hr)", a.Role)
	}
	now := tx.s.Now()
	a.Status, a.CreatedAt, a.UpdatedAt = "active", now, now
	id, err := tx.insert(ctx, `INSERT INTO agents (org_id, person_id, role, title, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.OrgID, a.PersonID, a.Role, a.Title, a.Status, now, now)
	if err != nil {
		return dbErr(err, "agent")
	}
	a.ID = id
	return nil
}

// Agent returns the agent with id.
func (s *Store) Agent(ctx context.Context, id int64) (*Agent, error) {
	var a Agent
	if err := s.get(ctx, &a, "SELECT "+agentCols+" FROM agents a WHERE a.id = ?", id); err != nil {
		return nil, notFoundOr(err, "agent %d", id)
	}
	return &a, nil
}

// AgentByCertificate returns the active agent that holds the valid
// certificate with the given SHA-256 fingerprint: how a TLS client
// certificate becomes an authenticated agent (RULES O2).
func (s *Store) AgentByCertificate(ctx context.Context, certFingerprint string) (*Agent, error) {
	var a Agent
	err := s.get(ctx, &a, "SELECT "+agentCols+` FROM agents a JOIN certificates c ON c.agent_id = a.id
		WHERE c.cert_fingerprint = ? AND c.status = 'valid' AND a.status = 'active'`, certFingerprint)
	if err != nil {
		if errs.Has(dbErr(err, ""), errs.NotFound) {
			return nil, errs.New(errs.Unauthorized, "the client certificate does not belong to an active agent")
		}
		return nil, dbErr(err, "agent")
	}
	return &a, nil
}

// ListAgents returns the agents of an organisation, or all when orgID is 0.
func (s *Store) ListAgents(ctx context.Context, orgID int64) ([]Agent, error) {
	var out []Agent
	q := "SELECT " + agentCols + " FROM agents a"
	var args []any
	if orgID != 0 {
		q += " WHERE a.org_id = ?"
		args = append(args, orgID)
	}
	if err := s.sel(ctx, &out, q+" ORDER BY a.id", args...); err != nil {
		return nil, dbErr(err, "agents")
	}
	return out, nil
}

// SetAgentStatus activates or disables an agent account.
func (tx *Tx) SetAgentStatus(ctx context.Context, id int64, status string) error {
	if status != "active" && status != "disabled" {
		return errs.New(errs.Malformed, "agent status %q: want active or disabled", status)
	}
	res, err := tx.exec(ctx, "UPDATE agents SET status = ?, updated_at = ? WHERE id = ?", status, tx.s.Now(), id)
	if err != nil {
		return dbErr(err, "agent")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.NotFound, "agent %d not found", id)
	}
	return nil
}
