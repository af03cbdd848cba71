package model

import (
	"database/sql"
	"time"
)

// StatusChange is one suspension, lift, revocation or extinction (RULES S6).
type StatusChange struct {
	ID            int64          `db:"id"`
	CertificateID int64          `db:"certificate_id"`
	Kind          string         `db:"kind"`
	ReasonCode    int            `db:"reason_code"`
	ReasonID      string         `db:"reason_id"`
	Reason        string         `db:"reason"`
	Actor         string         `db:"actor"`
	Folio         sql.NullString `db:"folio"`
	At            time.Time      `db:"at"`
}

// CertificateFilter selects certificates for listings and searches.
type CertificateFilter struct {
	OrgID       int64
	Statuses    []string
	PersonIDs   []int64
	AgentIssuer int64  // issued by this agent (enrollment approved_by)
	RevokedBy   string // actor string of the revocation
	OnlyHolders bool   // exclude agents' login certificates
	Limit       int
}

// StatusRequest is a request to suspend, revoke or lift (RULES S4).
type StatusRequest struct {
	ID            int64          `db:"id"`
	CertificateID int64          `db:"certificate_id"`
	OrgID         int64          `db:"org_id"`
	Kind          string         `db:"kind"`
	ReasonID      string         `db:"reason_id"`
	Requester     string         `db:"requester"`
	Statement     string         `db:"statement"`
	Folio         string         `db:"folio"`
	State         string         `db:"state"`
	ReceivedAt    time.Time      `db:"received_at"`
	DecidedAt     sql.NullTime   `db:"decided_at"`
	DecidedBy     sql.NullString `db:"decided_by"`
	FiledBy       string         `db:"filed_by"`
	// Address is the holder's address the request states (RULES S4,
	// Zacatecas art. 68-I-c).
	Address string `db:"address"`
	// PowerOfAttorneyID is the uploaded POWER_OF_ATTORNEY document a
	// representative's request rests on (RULES S4, Zacatecas art. 68-II).
	PowerOfAttorneyID sql.NullInt64 `db:"power_of_attorney_id"`
	// EffectiveAt is when a revocation announced by prior notice takes
	// effect (RULES S2, Zacatecas art. 66-IV); the scheduler applies it then.
	EffectiveAt sql.NullTime `db:"effective_at"`
}
