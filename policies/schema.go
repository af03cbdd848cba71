package policies

// The policy file schema. Every field is documented in policies/README.md;
// keep the two in step (TestREADMEDocumentsEveryKey).

// Policy is a jurisdiction's policy file.
type Policy struct {
	ID           string       `yaml:"id"`
	Name         string       `yaml:"name"`
	Sources      []string     `yaml:"sources"`
	Issuer       string       `yaml:"issuer"`
	Jurisdiction Jurisdiction `yaml:"jurisdiction"`
	Identifiers  Identifiers  `yaml:"identifiers"`
	IDDocuments  IDDocuments  `yaml:"id_documents"`
	Documents    []Document   `yaml:"documents"`
	Biometrics   []string     `yaml:"biometrics"`
	InPerson     bool         `yaml:"in_person"`
	RequestForm  bool         `yaml:"request_form"`
	Agreement    bool         `yaml:"agreement"`
	Email        Email        `yaml:"email"`
	Appointment  Appointment  `yaml:"appointment"`
	Reasons      []Reason     `yaml:"request_reasons"`
	Certificate  Certificate  `yaml:"certificate"`
	Term         Term         `yaml:"term"`
	CalendarSpec CalendarSpec `yaml:"calendar"`
	Deadlines    Deadlines    `yaml:"deadlines"`
	Renewal      Renewal      `yaml:"renewal"`
	Batch        *Batch       `yaml:"batch"`
	Credential   Credential   `yaml:"credential"`
	FourEyes     bool         `yaml:"four_eyes"`
	StatusCodes  StatusCodes  `yaml:"status_reasons"`
	Registry     Registry     `yaml:"registry"`
	Conditions   []Condition  `yaml:"conditions"`
	LegalBasis   LegalBasis   `yaml:"legal_basis"`

	file string
	cal  *calendarHolder
	cel  []compiledCondition
}

// Jurisdiction says where the policy applies; it fills the certificate's
// locality fields and the organisation identifier.
type Jurisdiction struct {
	Country                string `yaml:"country"`
	State                  string `yaml:"state"`
	Locality               string `yaml:"locality"`
	OrganizationIdentifier string `yaml:"organization_identifier"`
	Authority              string `yaml:"authority"`
}

// Identifiers says which national identifiers are required and which one
// goes into the subject serialNumber (RULES R3, R4, F4).
type Identifiers struct {
	SerialNumber  string   `yaml:"serial_number"` // PNOMX (CURP), TINMX (RFC) or PNOPE (DNI)
	Required      []string `yaml:"required"`      // CURP, RFC, DNI
	RENAPO        bool     `yaml:"renapo"`        // CURP validated with the national registry (Z art. 15-III)
	DNIIssueDate  bool     `yaml:"dni_issue_date"`
	RFCCheckDigit string   `yaml:"rfc_check_digit"` // "warn" (default, RULES F2) or "ignore"
}

// IDDocuments lists the official photo ID kinds accepted (RULES R2) and,
// for a kind whose issuer matters, the issuers accepted: e.g. Jalisco takes
// a driving licence "expedida por el Estado de Jalisco" only (seeds/000).
type IDDocuments struct {
	Accepted []string `yaml:"accepted"`
	// Issuers: ID kind -> accepted issuers, as ISO 3166 codes (MX for the
	// federation, MX-JAL for the State of Jalisco). A kind not listed is
	// accepted from any issuer.
	Issuers map[string][]string `yaml:"issuers"`
}

// Document is a required supporting document.
type Document struct {
	Kind       string   `yaml:"kind"`
	Rule       string   `yaml:"rule"`
	MaxAgeDays int      `yaml:"max_age_days"`
	Reasons    []string `yaml:"reasons"` // only for these request reasons; empty = all
	ES         string   `yaml:"es"`
	EN         string   `yaml:"en"`
}

// Email lists the institutional domains (RULES R9).
type Email struct {
	Domains      []string `yaml:"domains"`
	VerifyOnline bool     `yaml:"verify_online"`
}

// Appointment says how the current appointment is checked (RULES R1).
type Appointment struct {
	Required        bool   `yaml:"required"`
	HRBody          string `yaml:"hr_body"`
	MonitorInterval string `yaml:"monitor_interval"` // Go duration, e.g. 24h
}

// Reason is a request reason (first issuance, renewal…), RULES R10.
type Reason struct {
	ID      string `yaml:"id"`
	Payment bool   `yaml:"payment"`
	Fee     string `yaml:"fee"`
	ES      string `yaml:"es"`
	EN      string `yaml:"en"`
}

// Certificate is the certificate profile (RULES P1, F5).
type Certificate struct {
	PolicyOID       string `yaml:"policy_oid"`
	UserNotice      string `yaml:"user_notice"`
	CPSURI          string `yaml:"cps_uri"`
	DocumentSigning bool   `yaml:"document_signing"`
	MaxValidityDays int    `yaml:"max_validity_days"`
	Template        string `yaml:"template"`
}

// Term is the constitutional term of the government that issues (RULES P2).
type Term struct {
	End string `yaml:"end"` // YYYY-MM-DD, last day of the term
}

// CalendarSpec is the business calendar (RULES D3, D4).
type CalendarSpec struct {
	Country  string   `yaml:"country"`  // MX or PE: whose public holidays apply
	Timezone string   `yaml:"timezone"` // IANA, e.g. America/Mexico_City
	Open     string   `yaml:"open"`     // HH:MM
	Close    string   `yaml:"close"`    // HH:MM, exclusive
	Declared []string `yaml:"declared_non_business_days"`
}

// Deadlines in business days (RULES D1, D2, D3).
type Deadlines struct {
	DeficiencyDays    int `yaml:"deficiency_days"`     // D1: to fix a missing requirement
	NotPresentedDays  int `yaml:"not_presented_days"`  // D1: to determine "not presented"
	RefusalNoticeDays int `yaml:"refusal_notice_days"` // D2
	DefaultTermDays   int `yaml:"default_term_days"`   // D3
}

// Renewal rules (RULES D5, P4).
type Renewal struct {
	WindowDays int `yaml:"window_days"`
}

// Batch dispatch to an upstream CA (RULES D5, Cajamarca).
type Batch struct {
	Weekday string `yaml:"weekday"` // monday … sunday
	Time    string `yaml:"time"`    // HH:MM in the calendar's time zone
}

// Credential lifetimes (RULES D6).
type Credential struct {
	LifetimeDays     int `yaml:"lifetime_days"`
	ResendWindowDays int `yaml:"resend_window_days"`
}

// StatusCodes are the catalogues of suspension, revocation and extinction
// reasons (RULES S1, S2, S3, S5).
type StatusCodes struct {
	Suspension []StatusReason `yaml:"suspension"`
	Revocation []StatusReason `yaml:"revocation"`
	Extinction []StatusReason `yaml:"extinction"`
}

// StatusReason is one catalogue entry, mapped to an RFC 5280 CRLReason.
type StatusReason struct {
	ID         string `yaml:"id"`
	RFC5280    string `yaml:"rfc5280"`
	Rule       string `yaml:"rule"`
	Source     string `yaml:"source"`
	ES         string `yaml:"es"`
	EN         string `yaml:"en"`
	HolderMay  bool   `yaml:"holder_may_request"`
	Automatic  bool   `yaml:"automatic"` // applied by the appointment monitor
	InvestDays int    `yaml:"investigation_days"`
	// EscalatesTo names the revocation reason a suspension becomes when its
	// cause persists past the investigation (RULES S1).
	EscalatesTo string `yaml:"escalates_to"`
	// PriorNoticeDays: a revocation for this reason needs a prior notice to
	// the holder stating the cause, date and hour, and takes effect that
	// many business days after it (RULES S2, Zacatecas art. 66-IV). 0: at once.
	PriorNoticeDays int `yaml:"prior_notice_days"`
	// HRStatuses are the HR answers (terminated, on_leave, suspended,
	// not_found) for which the appointment monitor applies this reason on
	// its own; only for automatic reasons.
	HRStatuses []string `yaml:"hr_statuses"`
}

// Registry says which holder fields the public registry shows (RULES G1, G6).
type Registry struct {
	PublicFields []string `yaml:"public_fields"`
}

// Condition is a rule that does not fit the schema: a CEL expression over
// the enrollment, compiled and type-checked at load.
type Condition struct {
	ID   string `yaml:"id"`
	Rule string `yaml:"rule"`
	When string `yaml:"when"` // optional CEL guard
	Must string `yaml:"must"` // CEL, must be true
	ES   string `yaml:"es"`
	EN   string `yaml:"en"`
}

// LegalBasis is what a notice to the applicant cites as its legal basis
// (RULES D1, D2: a refusal states its "fundamentos y motivos"): the legal
// instrument by its published title and the provision of it each notice
// rests on. Never a file of the repository.
type LegalBasis struct {
	Instrument   string `yaml:"instrument"`    // e.g. "Reglamento de la Ley de Firma Electrónica del Estado de Zacatecas"
	Deficiency   string `yaml:"deficiency"`    // provision for a notice of missing requirements (D1), e.g. "art. 16"
	NotPresented string `yaml:"not_presented"` // provision for deeming a request not presented (D1)
	Refusal      string `yaml:"refusal"`       // provision for a written refusal (D2), e.g. "art. 58"
	// Rules: rule id -> the provision of the instrument the requirement
	// comes from, cited next to each ground of a refusal (e.g. R3: "art. 15-III").
	Rules map[string]string `yaml:"rules"`
}
