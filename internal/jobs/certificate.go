package jobs

import (
	"strconv"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// Cert names a certificate: its row id and, for the status services and
// publishers that work by issuer, its issuer id and serial (lowercase hex).
type Cert struct {
	CertificateID int64  `json:"certificateId,omitempty"`
	Issuer        string `json:"issuer"`
	Serial        string `json:"serial"`
}

// Change is what happened to the certificate: "issued", "homologated", or
// a status change ("suspend", "lift", "revoke", "extinguish") with its CRL
// reason code and time.
type Change struct {
	Event      string    `json:"event"`
	ReasonCode int       `json:"reasonCode,omitempty"`
	At         time.Time `json:"at,omitzero"`
}

// certEvent is the payload the certificate jobs share.
type certEvent struct {
	V int `json:"v"`
	Cert
	Change
}

func (e *certEvent) setVersion(v int) { e.V = v }
func (e *certEvent) version() int     { return versionOf(e.V) }

func (e *certEvent) check(kind string) error {
	if e.Issuer == "" || e.Serial == "" || e.Event == "" {
		return errs.New(errs.Internal, "jobs: %s needs an issuer, a serial and an event", kind)
	}
	return nil
}

// dedupKey is "<kind>:cert:<issuer>/<serial>:<event>", followed by the
// change's time in nanoseconds for status changes (a certificate may be
// suspended, lifted and suspended again).
func (e *certEvent) dedupKey(kind string) string {
	k := kind + ":cert:" + e.Issuer + "/" + e.Serial + ":" + e.Event
	if !e.At.IsZero() {
		k += ":" + strconv.FormatInt(e.At.UnixNano(), 10)
	}
	return k
}

// OCSPRefresh asks the OCSP responder to sign a fresh response for a
// certificate whose status was set or changed.
type OCSPRefresh certEvent

// LDAPPublish asks the registry publisher to write a certificate's entry.
type LDAPPublish certEvent

// CRLRegenerate asks for a new CRL of the certificate's issuer; the
// certificate that caused it is named for the record.
type CRLRegenerate certEvent

// CARevoke tells a remote CA backend that a certificate it signed is
// revoked.
type CARevoke certEvent

// NewOCSPRefresh, NewLDAPPublish, NewCRLRegenerate and NewCARevoke build
// the certificate jobs of one change.
func NewOCSPRefresh(c Cert, ch Change) *OCSPRefresh { return &OCSPRefresh{Cert: c, Change: ch} }

// NewLDAPPublish: see NewOCSPRefresh.
func NewLDAPPublish(c Cert, ch Change) *LDAPPublish { return &LDAPPublish{Cert: c, Change: ch} }

// NewCRLRegenerate: see NewOCSPRefresh.
func NewCRLRegenerate(c Cert, ch Change) *CRLRegenerate { return &CRLRegenerate{Cert: c, Change: ch} }

// NewCARevoke: see NewOCSPRefresh.
func NewCARevoke(c Cert, ch Change) *CARevoke { return &CARevoke{Cert: c, Change: ch} }

// Kind implements Job.
func (j *OCSPRefresh) Kind() string { return KindOCSPRefresh }

// DedupKey implements Job.
func (j *OCSPRefresh) DedupKey() string { return (*certEvent)(j).dedupKey(j.Kind()) }
func (j *OCSPRefresh) check() error     { return (*certEvent)(j).check(j.Kind()) }
func (j *OCSPRefresh) setVersion()      { (*certEvent)(j).setVersion(versions[j.Kind()]) }
func (j *OCSPRefresh) version() int     { return (*certEvent)(j).version() }
func (j *OCSPRefresh) sensitive() bool  { return false }

// Kind implements Job.
func (j *LDAPPublish) Kind() string { return KindLDAPPublish }

// DedupKey implements Job.
func (j *LDAPPublish) DedupKey() string { return (*certEvent)(j).dedupKey(j.Kind()) }
func (j *LDAPPublish) check() error     { return (*certEvent)(j).check(j.Kind()) }
func (j *LDAPPublish) setVersion()      { (*certEvent)(j).setVersion(versions[j.Kind()]) }
func (j *LDAPPublish) version() int     { return (*certEvent)(j).version() }
func (j *LDAPPublish) sensitive() bool  { return false }

// Kind implements Job.
func (j *CRLRegenerate) Kind() string { return KindCRLRegenerate }

// DedupKey implements Job.
func (j *CRLRegenerate) DedupKey() string { return (*certEvent)(j).dedupKey(j.Kind()) }
func (j *CRLRegenerate) check() error     { return (*certEvent)(j).check(j.Kind()) }
func (j *CRLRegenerate) setVersion()      { (*certEvent)(j).setVersion(versions[j.Kind()]) }
func (j *CRLRegenerate) version() int     { return (*certEvent)(j).version() }
func (j *CRLRegenerate) sensitive() bool  { return false }

// Kind implements Job.
func (j *CARevoke) Kind() string { return KindCARevoke }

// DedupKey implements Job.
func (j *CARevoke) DedupKey() string { return (*certEvent)(j).dedupKey(j.Kind()) }
func (j *CARevoke) check() error     { return (*certEvent)(j).check(j.Kind()) }
func (j *CARevoke) setVersion()      { (*certEvent)(j).setVersion(versions[j.Kind()]) }
func (j *CARevoke) version() int     { return (*certEvent)(j).version() }
func (j *CARevoke) sensitive() bool  { return false }
