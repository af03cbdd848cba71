package ra

import (
	"context"
	"crypto"
	"math/big"
	"time"

	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/internal/sealed"
)

// The RA's storage, as the RA needs it: small interfaces it owns (in the
// manner of Boulder's sa/proto/subsets.go), not the concrete store. Reads
// made outside a transaction go through Reads; a transaction's callback
// gets a Tx, which has its own reads on the transaction's connection and no
// way back to the pool, so a nested read inside a transaction (a deadlock
// with a bounded pool) cannot be written.

// OrganisationReads find organisations.
type OrganisationReads interface {
	Organisation(ctx context.Context, id int64) (*model.Organisation, error)
	OrganisationByCode(ctx context.Context, code string) (*model.Organisation, error)
}

// PersonReads find people.
type PersonReads interface {
	Person(ctx context.Context, id int64) (*model.Person, error)
	PeopleByIdentifier(ctx context.Context, kind, value string) ([]*model.Person, error)
}

// EnrollmentReads find enrollments.
type EnrollmentReads interface {
	Enrollment(ctx context.Context, id int64) (*model.Enrollment, error)
	EnrollmentByFolio(ctx context.Context, folio string) (*model.Enrollment, error)
}

// KeyReads find the certificates of a public key (RULES S2).
type KeyReads interface {
	UnexpiredCertificatesWithKey(ctx context.Context, keyFingerprint string, now time.Time) ([]model.Certificate, error)
}

// DueReads are the scheduler's: what a deadline has come for.
type DueReads interface {
	DueEnrollments(ctx context.Context, state, column string, now time.Time) ([]int64, error)
	DueStatusRequests(ctx context.Context, now time.Time) ([]model.StatusRequest, error)
	SuspendedPastInvestigation(ctx context.Context, now time.Time) ([]model.Certificate, error)
	ExpiredUnmarked(ctx context.Context, now time.Time) ([]model.Certificate, error)
}

// MonitorReads are the appointment monitor's.
type MonitorReads interface {
	CertificatesToMonitor(ctx context.Context, before time.Time, afterID int64, limit int) ([]model.Certificate, error)
}

// AckReads find acknowledgements.
type AckReads interface {
	AcknowledgementByFolio(ctx context.Context, folio string) (*model.Acknowledgement, error)
}

// AgentReads find agents, and the agent a login certificate belongs to.
type AgentReads interface {
	Agent(ctx context.Context, id int64) (*model.Agent, error)
	AgentByCertificate(ctx context.Context, certFingerprint string) (*model.Agent, error)
	ListAgents(ctx context.Context, orgID int64) ([]model.Agent, error)
}

// ListingReads serve the agents' screens: listings and searches (RULES O3).
type ListingReads interface {
	ListOrganisations(ctx context.Context) ([]model.Organisation, error)
	ListEnrollments(ctx context.Context, f model.EnrollmentFilter) ([]model.Enrollment, error)
	PeopleByName(ctx context.Context, q string, limit int) ([]int64, error)
	ListCertificates(ctx context.Context, f model.CertificateFilter) ([]model.Certificate, error)
	Certificate(ctx context.Context, id int64) (*model.Certificate, error)
	CertificateBySerial(ctx context.Context, issuerID, serial string) (*model.Certificate, error)
	StatusChanges(ctx context.Context, certID int64) ([]model.StatusChange, error)
	ListStatusRequests(ctx context.Context, orgID int64, state string) ([]model.StatusRequest, error)
}

// StatsReads count what the registry holds (metrics).
type StatsReads interface {
	PendingJobs(ctx context.Context) (map[string]int, error)
	Counts(ctx context.Context) (enrollments, certificates map[string]int, err error)
	CertificateCounts(ctx context.Context) ([]model.CertificateCount, error)
}

// Reads are the reads the RA makes on the pool, outside any transaction.
type Reads interface {
	StatsReads
	AgentReads
	ListingReads
	OrganisationReads
	PersonReads
	EnrollmentReads
	KeyReads
	DueReads
	MonitorReads
	AckReads
}

// AuditChain verifies the audit chain, writes its signed checkpoints and
// re-keys a chain written before the chain key, each in a transaction of
// its own.
type AuditChain interface {
	VerifyAuditWith(ctx context.Context, o model.AuditVerify) (*model.AuditReport, error)
	Checkpoint(ctx context.Context) (bool, error)
	RekeyAudit(ctx context.Context, actor string, keys []crypto.PublicKey) (bool, error)
}

// Pool is what the RA uses outside transactions: the reads, an audit entry
// in a transaction of its own (refusals), the audit chain's verification and
// checkpoints, a serial reserved before its certificate is recorded (the
// HTTPS server's), the cluster-wide locks of the periodic jobs, and the
// sealing box (EAB keys' index).
type Pool interface {
	Reads
	AuditChain
	Audit(ctx context.Context, ev model.Event) error
	ReserveSerial(ctx context.Context, issuerID string, serial *big.Int, notAfter time.Time) error
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
	Box() *sealed.Box
}

// AuditTx appends to the audit chain in the transaction.
type AuditTx interface {
	Audit(ctx context.Context, ev model.Event) (int64, error)
}

// OutboxTx writes outbox jobs in the transaction (see internal/jobs);
// EnqueueSealed for the payloads that hold a secret or personal data.
type OutboxTx interface {
	Enqueue(ctx context.Context, kind, dedupKey string, payload []byte) (bool, error)
	EnqueueSealed(ctx context.Context, kind, dedupKey string, payload []byte) (bool, error)
}

// OrganisationTx reads an organisation in the transaction.
type OrganisationTx interface {
	Organisation(ctx context.Context, id int64) (*model.Organisation, error)
	CreateOrganisation(ctx context.Context, o *model.Organisation) error
	SetOrganisationStatus(ctx context.Context, id int64, status, reason string) error
}

// PersonTx finds and records people in the transaction.
type PersonTx interface {
	PersonReads
	CreatePerson(ctx context.Context, p *model.Person) error
}

// AgentTx records agents.
type AgentTx interface {
	CreateAgent(ctx context.Context, a *model.Agent) error
	SetAgentStatus(ctx context.Context, id int64, status string) error
	CertificatesOfAgent(ctx context.Context, agentID int64) ([]model.Certificate, error)
}

// EnrollmentTx moves an enrollment through its workflow.
type EnrollmentTx interface {
	Enrollment(ctx context.Context, id int64) (*model.Enrollment, error)
	LockEnrollment(ctx context.Context, id int64) (*model.Enrollment, error)
	CreateEnrollment(ctx context.Context, e *model.Enrollment) error
	UpdateEnrollment(ctx context.Context, e *model.Enrollment) error
	NextFolio(ctx context.Context, orgID int64, year int, kind string) (int64, error)
}

// CredentialTx handles the one-time enrolment credentials (RULES D6).
type CredentialTx interface {
	CreateCredential(ctx context.Context, c *model.Credential) error
	RevokeCredentials(ctx context.Context, enrollmentID int64) error
	LockCredential(ctx context.Context, keyID string) (*model.Credential, error)
	UseCredential(ctx context.Context, id int64) error
	ReleaseCredential(ctx context.Context, id int64) error
	CredentialsOf(ctx context.Context, enrollmentID int64) ([]model.Credential, error)
}

// CertificateTx records certificates and reads them in the transaction.
type CertificateTx interface {
	KeyReads
	Certificate(ctx context.Context, id int64) (*model.Certificate, error)
	ListCertificates(ctx context.Context, f model.CertificateFilter) ([]model.Certificate, error)
	InsertCertificate(ctx context.Context, c *model.Certificate) error
	// ReserveSerial records a serial nobody reserved through the CA backend
	// (homologation of another authority's certificate).
	ReserveSerial(ctx context.Context, issuerID string, serial *big.Int, notAfter time.Time) error
}

// StatusTx changes certificates' status and handles status requests.
type StatusTx interface {
	LockCertificate(ctx context.Context, id int64) (*model.Certificate, error)
	SetCertificateStatus(ctx context.Context, certID int64, ch model.StatusChange, suspendedUntil time.Time) error
	MarkAppointmentChecked(ctx context.Context, certID int64) error
	StatusRequest(ctx context.Context, id int64) (*model.StatusRequest, error)
	CreateStatusRequest(ctx context.Context, r *model.StatusRequest) error
	DecideStatusRequest(ctx context.Context, id int64, state, by string) error
	FlagDecisionDue(ctx context.Context, certID int64, at time.Time) error
	ScheduleStatusRequest(ctx context.Context, id int64, at time.Time) error
	DocumentInfo(ctx context.Context, id int64) (*model.Document, error)
}

// AckTx records acknowledgements (RULES G3).
type AckTx interface {
	CreateAcknowledgement(ctx context.Context, a *model.Acknowledgement) error
}

// Tx is a transaction: the change, its audit entry and its outbox jobs
// commit together.
type Tx interface {
	DocumentTx
	AuditTx
	OutboxTx
	OrganisationTx
	PersonTx
	AgentTx
	EnrollmentTx
	CredentialTx
	CertificateTx
	StatusTx
	AckTx
}

// DocumentTx stores an uploaded document in the transaction that also
// records what it proves (ra/documents does the sealing and the audit).
type DocumentTx interface {
	EnrollmentOrg(ctx context.Context, enrollmentID int64) (int64, error)
	InsertDocument(ctx context.Context, d *model.Document) (superseded []int64, err error)
	SetDocumentContent(ctx context.Context, id int64, sealed []byte) error
}

// Store is the RA's storage.
type Store interface {
	Pool
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Backend is a store whose transactions are of a concrete type T, such as
// *store.Store with *store.Tx.
type Backend[T Tx] interface {
	Pool
	InTx(ctx context.Context, fn func(T) error) error
}

// Bind adapts a Backend to the RA's Store, once, at wiring:
// ra.Bind[*store.Tx](st), or ra.Bind(st) with the type inferred.
func Bind[T Tx](b Backend[T]) Store { return bound[T]{Pool: b, b: b} }

type bound[T Tx] struct {
	Pool
	b Backend[T]
}

func (s bound[T]) InTx(ctx context.Context, fn func(Tx) error) error {
	return s.b.InTx(ctx, func(t T) error { return fn(t) })
}
