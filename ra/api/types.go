package api

import (
	"time"
)

// The API's request and response bodies. The OpenAPI document's schemas are
// generated from these types (openapi.go), so the two cannot drift. A field
// without omitempty is required; an absent value is absent, never a zero time.

// ---- Requests ---------------------------------------------------------------

// NoBody is the body of an action that takes none: an empty body or {}.
type NoBody struct{}

// PersonBody is who a filing, an agent or a homologation is about.
type PersonBody struct {
	GivenNames    string `json:"givenNames" doc:"Nombre(s)"`
	FirstSurname  string `json:"firstSurname" doc:"Primer apellido"`
	SecondSurname string `json:"secondSurname,omitempty" doc:"Segundo apellido"`
	CURP          string `json:"curp,omitempty" doc:"CURP (Mexico; RULES R3)"`
	RFC           string `json:"rfc,omitempty" doc:"RFC (RULES R4)"`
	DNI           string `json:"dni,omitempty" doc:"DNI (Peru; RULES R3)"`
	Email         string `json:"email" doc:"Institutional e-mail (RULES R9)"`
	Phone         string `json:"phone,omitempty"`
	Title         string `json:"title,omitempty" doc:"Position (puesto)"`
}

// FilingBody opens a request in person; the organisation defaults to the
// agent's own.
type FilingBody struct {
	PersonBody
	Organisation string `json:"organisation,omitempty" doc:"Organisation code; default: the agent's"`
	Reason       string `json:"reason" doc:"Request reason from the policy's catalogue, e.g. first_issuance"`
	Lang         string `json:"lang,omitempty" enum:"es,en" doc:"Language of the notices; default es"`
	Place        string `json:"place,omitempty" doc:"Place of filing printed on the acknowledgement"`
}

// PublicFilingBody is an applicant's online filing.
type PublicFilingBody struct {
	PersonBody
	Organisation string `json:"organisation" doc:"Organisation code"`
	Reason       string `json:"reason" doc:"Request reason from the policy's catalogue, e.g. first_issuance"`
	Lang         string `json:"lang,omitempty" enum:"es,en"`
}

// VerifyEmailBody carries the code sent to the applicant's e-mail.
type VerifyEmailBody struct {
	Token string `json:"token"`
}

// IDDocumentBody is the official photo ID seen in person (RULES R2, R6).
type IDDocumentBody struct {
	Kind   string `json:"kind" doc:"ID kind from the policy (ine, passport, ...)"`
	Number string `json:"number"`
	Issuer string `json:"issuer,omitempty" doc:"Who issued the ID, as an ISO 3166 code (MX, MX-JAL); a policy may accept a kind from some issuers only (RULES R2)"`
}

// ConfirmBody records what the agent checked in person (R2, R5-R8, R10).
// At least one field must be given.
type ConfirmBody struct {
	IDDocument     *IDDocumentBody   `json:"idDocument,omitempty"`
	Documents      map[string]string `json:"documents,omitempty" doc:"Document kind -> issue date (YYYY-MM-DD)"`
	Biometrics     []string          `json:"biometrics,omitempty"`
	InPerson       *bool             `json:"inPerson,omitempty"`
	RequestForm    *bool             `json:"requestFormSigned,omitempty"`
	Agreement      *bool             `json:"agreementSigned,omitempty"`
	PaymentReceipt string            `json:"paymentReceipt,omitempty"`
	RENAPO         *bool             `json:"renapoConfirmed,omitempty"`
	DNIIssueDate   string            `json:"dniIssueDate,omitempty" doc:"YYYY-MM-DD"`
}

// RefuseBody is a written refusal (RULES D2).
type RefuseBody struct {
	Note string `json:"note" doc:"Grounds and reasons, in writing"`
}

// CancelBody is a cancellation with a written reason (RULES R11).
type CancelBody struct {
	Reason string `json:"reason"`
}

// IssueBody is the CSR the holder made on their own device (RULES P3).
type IssueBody struct {
	CSR string `json:"csr" doc:"PEM certificate signing request"`
}

// StatusBody suspends, lifts, revokes or extinguishes a certificate (S1-S4).
type StatusBody struct {
	Kind       string `json:"kind" enum:"suspend,lift,revoke,extinguish"`
	Reason     string `json:"reason" doc:"Reason id from the policy's catalogue"`
	Identifier string `json:"identifier,omitempty" doc:"The holder's CURP or DNI (RULES S4)"`
	Requester  string `json:"requester,omitempty" enum:"agent,holder,superior,representative"`
	Statement  string `json:"statement,omitempty"`
	Defer      bool   `json:"defer,omitempty" doc:"File the request for another agent to decide"`
	Address    string `json:"address,omitempty" doc:"The holder's address; required in a revocation request of the holder or their representative (RULES S4, Zacatecas art. 68-I-c)"`
	// PowerOfAttorney is a document id, not free text: the document is
	// uploaded first, as POWER_OF_ATTORNEY, to a request of the holder.
	PowerOfAttorney int64 `json:"powerOfAttorney,omitempty" doc:"Id of the uploaded POWER_OF_ATTORNEY document of the holder; required from a representative (RULES S4, Zacatecas art. 68-II)"`
}

// DecideBody decides a deferred status request.
type DecideBody struct {
	Approve *bool `json:"approve"`
}

// HomologationBody registers another authority's certificate (RULES O4).
type HomologationBody struct {
	PersonBody
	Organisation string `json:"organisation,omitempty" doc:"default: the agent's"`
	Certificate  string `json:"certificate" doc:"PEM certificate"`
}

// AddAgentBody registers an agent from the CSR they made on their own device.
type AddAgentBody struct {
	PersonBody
	Organisation string `json:"organisation"`
	Role         string `json:"role" enum:"admin,agent,auditor,hr"`
	CSR          string `json:"csr" doc:"PEM certificate signing request"`
}

// DisableAgentBody disables an agent.
type DisableAgentBody struct {
	Reason string `json:"reason"`
}

// OrganisationBody accredits an organisation (RULES O1).
type OrganisationBody struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Policy string `json:"policy" doc:"Jurisdiction policy id"`
	Unit   string `json:"unit,omitempty" doc:"Responsible unit"`
}

// OrganisationStatusBody accredits, suspends or revokes an organisation.
type OrganisationStatusBody struct {
	Status string `json:"status" enum:"accredited,suspended,revoked"`
	Reason string `json:"reason,omitempty" doc:"Required to suspend or revoke"`
}

// ---- Responses --------------------------------------------------------------

// Organisation is an accredited provider (RULES O1, G2).
type Organisation struct {
	ID              int64     `json:"id"`
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	Policy          string    `json:"policy"`
	ResponsibleUnit string    `json:"responsibleUnit,omitempty"`
	Status          string    `json:"status" enum:"accredited,suspended,revoked"`
	StatusReason    string    `json:"statusReason,omitempty"`
	StatusChangedAt time.Time `json:"statusChangedAt"`
	CreatedAt       time.Time `json:"createdAt"`
}

// Organisations is a list of organisations.
type Organisations struct {
	Organisations []Organisation `json:"organisations"`
}

// Whoami is the authenticated caller.
type Whoami struct {
	Agent               int64        `json:"agent"`
	Role                string       `json:"role" enum:"admin,agent,auditor,hr"`
	Title               string       `json:"title,omitempty"`
	Name                string       `json:"name,omitempty"`
	Organisation        Organisation `json:"organisation"`
	CertificateNotAfter *time.Time   `json:"certificateNotAfter,omitempty" doc:"When the login certificate expires"`
}

// Agent is an agent, administrator, auditor or HR client.
type Agent struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	Role             string `json:"role" enum:"admin,agent,auditor,hr"`
	Title            string `json:"title,omitempty"`
	Status           string `json:"status"`
	Organisation     int64  `json:"organisation"`
	OrganisationCode string `json:"organisationCode"`
}

// Agents is a list of agents.
type Agents struct {
	Agents []Agent `json:"agents"`
}

// AgentCredential is a registered agent's login certificate.
type AgentCredential struct {
	Agent       int64    `json:"agent"`
	Role        string   `json:"role"`
	Certificate string   `json:"certificate" doc:"PEM"`
	Chain       []string `json:"chain" doc:"PEM, issuing CA first"`
}

// AgentDisabled confirms an agent was disabled.
type AgentDisabled struct {
	Agent  int64  `json:"agent"`
	Status string `json:"status"`
}

// Finding is one requirement with its rule id, in Spanish and English.
type Finding struct {
	Rule     string `json:"rule"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	InPerson bool   `json:"inPerson"`
	ES       string `json:"es"`
	EN       string `json:"en"`
}

// Decision is a policy evaluation: every unmet requirement, the in-person
// checklist and the warnings.
type Decision struct {
	Unmet     []Finding `json:"unmet"`
	Checklist []Finding `json:"checklist"`
	Warnings  []Finding `json:"warnings"`
}

// Appointment is what HR said of the applicant's appointment (RULES R1).
type Appointment struct {
	State        string     `json:"state" enum:"found,not_found,unavailable"`
	Status       string     `json:"status,omitempty"`
	Organisation string     `json:"organisation,omitempty"`
	Position     string     `json:"position,omitempty"`
	Start        *time.Time `json:"start,omitempty"`
	End          *time.Time `json:"end,omitempty" doc:"Absent: open-ended"`
	CheckedAt    *time.Time `json:"checkedAt,omitempty"`
}

// Request is a request for a certificate as agents see it.
type Request struct {
	ID                 int64        `json:"id"`
	Folio              string       `json:"folio"`
	State              string       `json:"state"`
	Channel            string       `json:"channel"`
	Reason             string       `json:"reason"`
	Policy             string       `json:"policy"`
	Organisation       int64        `json:"organisation"`
	Applicant          string       `json:"applicant,omitempty"`
	CURP               string       `json:"curp,omitempty"`
	RFC                string       `json:"rfc,omitempty"`
	DNI                string       `json:"dni,omitempty"`
	Email              string       `json:"email,omitempty"`
	Title              string       `json:"title,omitempty"`
	FiledAt            *time.Time   `json:"filedAt,omitempty"`
	ReceivedAt         *time.Time   `json:"receivedAt,omitempty"`
	EmailVerified      bool         `json:"emailVerified"`
	DeficiencyDeadline *time.Time   `json:"deficiencyDeadline,omitempty"`
	RefusalDue         bool         `json:"refusalDue"`
	HoldUntil          *time.Time   `json:"holdUntil,omitempty"`
	NotAfter           *time.Time   `json:"notAfter,omitempty"`
	CertificateID      int64        `json:"certificateId,omitempty"`
	Appointment        *Appointment `json:"appointment,omitempty"`
	Decision           *Decision    `json:"decision,omitempty"`
	Deficiencies       []Finding    `json:"deficiencies,omitempty"`
	Refusal            []Finding    `json:"refusal,omitempty"`
	RefusalNote        string       `json:"refusalNote,omitempty"`
	CancelReason       string       `json:"cancelReason,omitempty"`
	ApprovedBy         int64        `json:"approvedBy,omitempty"`
}

// Requests is a list of requests.
type Requests struct {
	Requests []Request `json:"requests"`
}

// Acknowledgement is a filing's acknowledgement of receipt (RULES G3, G4).
type Acknowledgement struct {
	Folio            string    `json:"folio"`
	FiledAt          time.Time `json:"filedAt"`
	ReceivedAt       time.Time `json:"receivedAt" doc:"Legal reception time (RULES D4)"`
	VerificationCode string    `json:"verificationCode,omitempty"`
	VerifyURL        string    `json:"verifyUrl,omitempty"`
	JWS              string    `json:"jws,omitempty" doc:"The signed acknowledgement (JWS with x5c)"`
}

// Filing is a request opened in person with its acknowledgement.
type Filing struct {
	Request         Request         `json:"request"`
	Acknowledgement Acknowledgement `json:"acknowledgement"`
}

// PublicFiling is what an anonymous filer gets back: the folio and times,
// nothing about the person (the acknowledgement goes to the e-mail).
type PublicFiling struct {
	Folio           string          `json:"folio"`
	State           string          `json:"state"`
	Acknowledgement Acknowledgement `json:"acknowledgement"`
}

// EmailVerified confirms a verified e-mail.
type EmailVerified struct {
	Folio string `json:"folio"`
	State string `json:"state"`
}

// Evaluation is a request's policy evaluation.
type Evaluation struct {
	Approvable bool     `json:"approvable"`
	Rules      []string `json:"rules" doc:"Rule ids of the unmet requirements"`
	Decision   Decision `json:"decision"`
}

// Approval is an approved request. The credential itself goes only to the
// holder's institutional e-mail (RULES R9, D6).
type Approval struct {
	Request             Request    `json:"request"`
	CredentialQueued    bool       `json:"credentialQueued" doc:"The credential e-mail is in the outbox"`
	CredentialExpiresAt *time.Time `json:"credentialExpiresAt,omitempty"`
}

// CredentialResent confirms a replaced credential.
type CredentialResent struct {
	CredentialQueued    bool      `json:"credentialQueued"`
	CredentialExpiresAt time.Time `json:"credentialExpiresAt"`
}

// CertificateResent confirms a resent certificate.
type CertificateResent struct {
	CertificateQueued bool `json:"certificateQueued"`
}

// IssuedCertificate is a certificate issued in person.
type IssuedCertificate struct {
	CertificateID int64     `json:"certificateId"`
	Serial        string    `json:"serial"`
	Subject       string    `json:"subject" doc:"RFC 4514"`
	Issuer        string    `json:"issuer" doc:"RFC 4514"`
	NotBefore     time.Time `json:"notBefore"`
	NotAfter      time.Time `json:"notAfter"`
	Certificate   string    `json:"certificate" doc:"PEM"`
	Chain         []string  `json:"chain" doc:"PEM, issuing CA first"`
}

// Certificate is a certificate in the registry.
type Certificate struct {
	ID              int64      `json:"id"`
	Serial          string     `json:"serial"`
	Subject         string     `json:"subject" doc:"RFC 4514"`
	Status          string     `json:"status" enum:"valid,suspended,revoked,expired"`
	StatusReason    string     `json:"statusReason,omitempty"`
	ReasonCode      *int64     `json:"reasonCode,omitempty" doc:"RFC 5280 CRLReason"`
	NotBefore       time.Time  `json:"notBefore"`
	NotAfter        time.Time  `json:"notAfter"`
	IssuedAt        time.Time  `json:"issuedAt"`
	StatusChangedAt time.Time  `json:"statusChangedAt"`
	RevokedAt       *time.Time `json:"revokedAt,omitempty"`
	Organisation    int64      `json:"organisation,omitempty"`
	Enrollment      int64      `json:"enrollment,omitempty"`
	Policy          string     `json:"policy,omitempty"`
	Origin          string     `json:"origin" enum:"issued,homologated"`
	DecisionDueAt   *time.Time `json:"decisionDueAt,omitempty" doc:"The suspension's period ended and it does not escalate by itself: an agent decides (lift or revoke) (RULES S1)"`
	PEM             string     `json:"certificate,omitempty" doc:"PEM"`
}

// Certificates is a list of certificates.
type Certificates struct {
	Certificates []Certificate `json:"certificates"`
}

// StatusChange is one entry of a certificate's status history (RULES S6).
type StatusChange struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind" enum:"suspend,lift,revoke,extinguish"`
	ReasonCode int       `json:"reasonCode"`
	ReasonID   string    `json:"reasonId"`
	Reason     string    `json:"reason,omitempty"`
	Actor      string    `json:"actor"`
	Folio      string    `json:"folio,omitempty"`
	At         time.Time `json:"at"`
}

// CertificateDetail is a certificate with its status history.
type CertificateDetail struct {
	Certificate Certificate    `json:"certificate"`
	History     []StatusChange `json:"history"`
}

// StatusRequest is a revocation or suspension request.
type StatusRequest struct {
	ID              int64      `json:"id"`
	CertificateID   int64      `json:"certificateId"`
	Organisation    int64      `json:"organisation"`
	Kind            string     `json:"kind"`
	ReasonID        string     `json:"reasonId"`
	Requester       string     `json:"requester"`
	Statement       string     `json:"statement,omitempty"`
	Folio           string     `json:"folio"`
	State           string     `json:"state" enum:"pending,done,refused,lapsed"`
	ReceivedAt      time.Time  `json:"receivedAt"`
	DecidedAt       *time.Time `json:"decidedAt,omitempty"`
	DecidedBy       string     `json:"decidedBy,omitempty"`
	FiledBy         string     `json:"filedBy"`
	Address         string     `json:"address,omitempty" doc:"RULES S4, Zacatecas art. 68-I-c"`
	PowerOfAttorney int64      `json:"powerOfAttorney,omitempty" doc:"Document id of the representative's power of attorney (RULES S4)"`
	EffectiveAt     *time.Time `json:"effectiveAt,omitempty" doc:"A revocation after prior notice takes effect then (RULES S2, Zacatecas art. 66-IV)"`
}

// StatusRequests is a list of status requests.
type StatusRequests struct {
	StatusRequests []StatusRequest `json:"statusRequests"`
}

// StatusResult is a status change made or filed.
type StatusResult struct {
	Request         *StatusRequest  `json:"request,omitempty"`
	Change          *StatusChange   `json:"change,omitempty" doc:"Absent when deferred"`
	Acknowledgement Acknowledgement `json:"acknowledgement"`
}

// Decided is a decided status request.
type Decided struct {
	Change *StatusChange `json:"change,omitempty" doc:"Absent when refused"`
}

// SearchResult holds the requests or the certificates found.
type SearchResult struct {
	Requests     []Request     `json:"requests,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
}

// DeadlineReport is what one run of the deadline scheduler did.
type DeadlineReport struct {
	NotPresented  []string `json:"notPresented" doc:"RULES D1"`
	RefusalsDue   []string `json:"refusalsDue" doc:"RULES D2"`
	HoldsReleased []string `json:"holdsReleased" doc:"RULES D5"`
	Escalated     []string `json:"escalated" doc:"RULES S1"`
	DecisionsDue  []string `json:"decisionsDue" doc:"Suspensions that do not escalate by themselves, flagged for an agent's decision (RULES S1)"`
	Revoked       []string `json:"revoked" doc:"Revocations applied at the term of their prior notice (RULES S2)"`
	Expired       []string `json:"expired" doc:"RULES S3"`
	Unverified    []string `json:"unverifiedExpired" doc:"Online filings cancelled because their e-mail was not verified in time (RULES R9)"`
	Skipped       bool     `json:"skipped" doc:"Another node held the scheduler lock"`
	Errors        []string `json:"errors"`
}

// Document is an uploaded document's metadata.
type Document struct {
	ID           int64      `json:"id"`
	Organisation int64      `json:"organisation"`
	Enrollment   int64      `json:"enrollment,omitempty"`
	Kind         string     `json:"kind"`
	ContentType  string     `json:"contentType"`
	Size         int64      `json:"size"`
	SHA256       string     `json:"sha256"`
	UploadedBy   string     `json:"uploadedBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	SupersededAt *time.Time `json:"supersededAt,omitempty"`
}

// Documents is a list of documents.
type Documents struct {
	Documents []Document `json:"documents"`
}

// DocumentCheck is the online check of a printed document (RULES G4).
type DocumentCheck struct {
	Valid         bool          `json:"valid"`
	Folio         string        `json:"folio"`
	Action        string        `json:"action"`
	ReceivedAt    time.Time     `json:"receivedAt"`
	ReceivingBody ReceivingBody `json:"receivingBody"`
	Filer         string        `json:"filer"`
}

// ReceivingBody is the authority that received a filing.
type ReceivingBody struct {
	Organisation string `json:"organisation"`
	Code         string `json:"code"`
	Unit         string `json:"unit,omitempty"`
	Authority    string `json:"authority"`
}
