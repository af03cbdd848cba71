package model

import (
	"time"
)

// Organisation statuses as a certification service provider (RULES O1, G2).
const (
	OrgAccredited = "accredited"
	OrgSuspended  = "suspended"
	OrgRevoked    = "revoked"
)

// Organisation is a dependency or entity accredited to register applicants.
type Organisation struct {
	ID              int64     `db:"id" json:"id"`
	Code            string    `db:"code" json:"code"`
	Name            string    `db:"name" json:"name"`
	PolicyID        string    `db:"policy_id" json:"policy"`
	ResponsibleUnit string    `db:"responsible_unit" json:"responsibleUnit"`
	Status          string    `db:"status" json:"status"`
	StatusReason    string    `db:"status_reason" json:"statusReason,omitempty"`
	StatusChangedAt time.Time `db:"status_changed_at" json:"statusChangedAt"`
	CreatedAt       time.Time `db:"created_at" json:"createdAt"`
}
