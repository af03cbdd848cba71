package model

import (
	"time"
)

// Roles (ARCHITECTURE.md "Roles").
const (
	RoleAdmin   = "admin"
	RoleAgent   = "agent"
	RoleAuditor = "auditor"
	RoleHR      = "hr"
)

// ValidRole reports whether r is a role an agent account may have.
func ValidRole(r string) bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleAuditor, RoleHR:
		return true
	}
	return false
}

// Agent is an account that acts: a registration agent of one organisation,
// an admin of the certification authority, an auditor or an HR client.
type Agent struct {
	ID        int64     `db:"id" json:"id"`
	OrgID     int64     `db:"org_id" json:"orgId"`
	PersonID  int64     `db:"person_id" json:"personId"`
	Role      string    `db:"role" json:"role"`
	Title     string    `db:"title" json:"title"`
	Status    string    `db:"status" json:"status"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}
