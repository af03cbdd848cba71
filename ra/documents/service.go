package documents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/internal/sealed"
)

// Audit actions.
const (
	ActionUpload = "document.upload"
	ActionFetch  = "document.fetch"
	ActionList   = "document.list"
)

// Document is a stored document's metadata. It never carries the content:
// only Get returns that.
type Document struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"orgId"`
	EnrollmentID int64      `json:"enrollmentId,omitempty"` // 0 for a document attached to no enrollment
	Kind         string     `json:"kind"`
	ContentType  string     `json:"contentType"` // as read from the bytes (Check), never as declared
	Size         int64      `json:"size"`
	SHA256       string     `json:"sha256"`     // hex, of the plaintext
	UploadedBy   string     `json:"uploadedBy"` // the audit actor, e.g. "agent:12"
	CreatedAt    time.Time  `json:"createdAt"`
	SupersededAt *time.Time `json:"supersededAt,omitempty"` // nil while this is the current version
}

// Actor is whoever stores or reads a document, as the RA authenticated
// and named it (ra.Actor). The service authorises every call with it.
type Actor interface {
	String() string
	MustRead(orgID int64) error
	MustAct(orgID int64) error
}

// Service stores and serves documents.
type Service struct {
	store Store
	box   *sealed.Box
	clk   clock.Clock
	log   *slog.Logger
}

// New returns a Service. box seals the content; without one every upload
// and fetch fails with BadConfig. A nil log discards.
func New(s Store, box *sealed.Box, clk clock.Clock, log *slog.Logger) *Service {
	if s == nil || clk == nil {
		panic("documents.New: a store and a clock are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: s, box: box, clk: clk, log: log}
}

func (s *Service) sealer() (*sealed.Box, error) {
	if s.box == nil {
		return nil, errs.New(errs.BadConfig, "no data key configured: documents cannot be stored or read")
	}
	return s.box, nil
}

// aad binds a sealed document to its row (table, column and id) and to the
// kind and digest the row records: a ciphertext copied to another row does
// not open there, even with the columns that describe it (issue 16).
func aad(id int64, kind, sum string) []byte {
	return sealed.RowAAD("documents", "sealed", id, kind, sum)
}

func (s *Service) now() time.Time { return s.clk.Now().UTC().Truncate(time.Microsecond) }

// Put checks data (see Check), seals it and stores it as the current
// version of kind for the enrollment (0 for none), superseding the previous
// one, and appends a "document.upload" audit entry with the kind, content
// type, size and SHA-256, never the content. actor must be allowed to act
// for orgID, and the enrollment must belong to orgID.
//
// With a nil tx, Put runs in a transaction of its own. Otherwise it runs in
// tx, and the document, the version it supersedes and the audit entry
// commit or roll back with the caller's other changes.
//
// Refusals (not allowed, unknown enrollment, a file Check refuses) are
// audited with outcome "refused": in a transaction of their own with a nil
// tx, in tx otherwise, where a caller that rolls back on the error loses the
// entry. (Put cannot write it beside tx: on SQLite a second writer waits for
// tx to end, and tx may hold the audit chain's head.)
func (s *Service) Put(ctx context.Context, tx Tx, actor Actor, orgID, enrollmentID int64,
	kind, declaredType string, data []byte) (*Document, error) {
	object := fmt.Sprintf("org:%d", orgID)
	if enrollmentID != 0 {
		object = fmt.Sprintf("enrollment:%d", enrollmentID)
	}
	refuse := func(err error) (*Document, error) {
		details := map[string]any{"kind": safeKind(kind), "size": len(data), "error": string(errs.TypeOf(err))}
		if dt := safeDeclared(declaredType); dt != "" {
			details["declaredType"] = dt
		}
		s.auditRefusal(ctx, tx, model.Event{Actor: actor.String(), Action: ActionUpload, Object: object, Details: details}, err)
		return nil, err
	}
	if err := actor.MustAct(orgID); err != nil {
		return refuse(err)
	}
	if enrollmentID < 0 {
		return refuse(errs.New(errs.Malformed, "número de solicitud inválido %d / invalid enrollment id %d", enrollmentID, enrollmentID))
	}
	if enrollmentID != 0 {
		org, err := s.enrollmentOrg(ctx, tx, enrollmentID)
		if errs.Has(err, errs.NotFound) {
			return refuse(err)
		}
		if err != nil {
			return nil, err
		}
		if org != orgID {
			return refuse(errs.New(errs.Forbidden, "la solicitud %d no pertenece a la organización %d / enrollment %d does not belong to organisation %d",
				enrollmentID, orgID, enrollmentID, orgID))
		}
	}
	contentType, err := Check(kind, declaredType, data)
	if err != nil {
		return refuse(err)
	}
	box, err := s.sealer()
	if err != nil {
		return nil, err
	}
	k, _ := normKind(kind)
	digest := sha256.Sum256(data)
	sum := hex.EncodeToString(digest[:])
	d := &Document{OrgID: orgID, EnrollmentID: enrollmentID, Kind: k, ContentType: contentType, Size: int64(len(data)),
		SHA256: sum, UploadedBy: actor.String(), CreatedAt: s.now()}
	write := func(tx Tx) error {
		rec := toRecord(d, []byte{})
		superseded, err := tx.InsertDocument(ctx, rec)
		if err != nil {
			return err
		}
		if err := tx.SetDocumentContent(ctx, rec.ID, box.Seal(data, aad(rec.ID, k, sum))); err != nil {
			return err
		}
		d.ID = rec.ID
		details := map[string]any{"kind": k, "contentType": contentType, "size": d.Size, "sha256": sum, "org": orgID}
		if enrollmentID != 0 {
			details["enrollment"] = enrollmentID
		}
		if len(superseded) > 0 {
			details["supersedes"] = superseded
		}
		_, err = tx.Audit(ctx, model.Event{Actor: actor.String(), Action: ActionUpload, Object: fmt.Sprintf("document:%d", d.ID),
			Outcome: model.OutcomeOK, Details: details})
		return err
	}
	if tx != nil {
		err = write(tx)
	} else {
		err = s.store.InTx(ctx, write)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("document stored", "document", d.ID, "kind", k, "contentType", contentType, "size", d.Size,
		"org", orgID, "enrollment", enrollmentID, "actor", actor.String())
	return d, nil
}

// Get returns a document and its content. actor must be allowed to read the
// document's organisation (auditors read every organisation's, an agent
// only their own). Every fetch is audited as "document.fetch": granted,
// refused or failed. Content that does not open (tampered, sealed under
// another key or moved from another row) is an Internal error.
func (s *Service) Get(ctx context.Context, actor Actor, id int64) (*Document, []byte, error) {
	ev := model.Event{Actor: actor.String(), Action: ActionFetch, Object: fmt.Sprintf("document:%d", id)}
	box, err := s.sealer()
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.Document(ctx, id)
	if err != nil {
		if errs.Has(err, errs.NotFound) {
			ev.Details = map[string]any{"error": string(errs.NotFound)}
			s.auditRefusal(ctx, nil, ev, err)
		}
		return nil, nil, err
	}
	d := fromRecord(r)
	ev.Details = map[string]any{"kind": d.Kind, "org": d.OrgID}
	if err := actor.MustRead(d.OrgID); err != nil {
		ev.Details["error"] = string(errs.Forbidden)
		s.auditRefusal(ctx, nil, ev, err)
		return nil, nil, err
	}
	data, err := box.Open(r.Sealed, aad(d.ID, d.Kind, d.SHA256))
	if err == nil {
		if digest := sha256.Sum256(data); hex.EncodeToString(digest[:]) != d.SHA256 || int64(len(data)) != d.Size {
			err = fmt.Errorf("digest or size of document %d does not match its record", id)
		}
	}
	if err != nil {
		ev.Outcome = model.OutcomeFailed
		ev.Details["error"] = "sealed content cannot be opened"
		if aerr := s.store.Audit(ctx, ev); aerr != nil {
			s.log.Error("audit append failed", "action", ev.Action, "object", ev.Object, "err", aerr)
		}
		s.log.Error("document content cannot be opened (tampered, wrong key or moved)", "document", id)
		return nil, nil, errs.Wrap(errs.Internal, err, "document %d: sealed content cannot be opened", id)
	}
	ev.Outcome = model.OutcomeOK
	ev.Details["sha256"] = d.SHA256
	if err := s.store.Audit(ctx, ev); err != nil {
		// No content leaves without its audit entry.
		return nil, nil, err
	}
	return &d, data, nil
}

// List returns the current version of each document of an enrollment,
// metadata only, oldest first.
func (s *Service) List(ctx context.Context, actor Actor, enrollmentID int64) ([]Document, error) {
	return s.list(ctx, actor, enrollmentID, false)
}

// ListAll returns every version of every document of an enrollment,
// superseded ones included (RULES G5), metadata only, oldest first.
func (s *Service) ListAll(ctx context.Context, actor Actor, enrollmentID int64) ([]Document, error) {
	return s.list(ctx, actor, enrollmentID, true)
}

func (s *Service) list(ctx context.Context, actor Actor, enrollmentID int64, all bool) ([]Document, error) {
	org, err := s.enrollmentOrg(ctx, nil, enrollmentID)
	if err != nil {
		return nil, err
	}
	if err := actor.MustRead(org); err != nil {
		s.auditRefusal(ctx, nil, model.Event{Actor: actor.String(), Action: ActionList, Object: fmt.Sprintf("enrollment:%d", enrollmentID),
			Details: map[string]any{"org": org, "error": string(errs.Forbidden)}}, err)
		return nil, err
	}
	return s.rows(ctx, enrollmentID, all)
}

// auditRefusal records a refused request (RULES G5: unauthorised events
// raise alarms), in tx if there is one, else in a transaction of its own. A
// failure to record it is logged; the caller still gets the refusal.
func (s *Service) auditRefusal(ctx context.Context, tx Tx, ev model.Event, cause error) {
	ev.Outcome = model.OutcomeRefused
	var err error
	if tx != nil {
		_, err = tx.Audit(ctx, ev)
	} else {
		err = s.store.Audit(ctx, ev)
	}
	if err != nil {
		s.log.Error("audit append failed", "action", ev.Action, "object", ev.Object, "err", err)
	}
	s.log.Warn("document request refused", "action", ev.Action, "object", ev.Object, "actor", ev.Actor,
		"error", string(errs.TypeOf(cause)))
}

// safeKind is kind as it may appear in the audit log: a known kind or
// "unknown", never a client's free text.
func safeKind(kind string) string {
	if k, ok := normKind(kind); ok {
		return k
	}
	return "unknown"
}

// safeDeclared is a declared content type as it may appear in the audit log.
func safeDeclared(declared string) string {
	dt, err := declaredType(declared)
	switch {
	case err != nil:
		return "unreadable"
	case dt == "", dt == PDF, dt == JPEG, dt == PNG, dt == "text/html", dt == "text/plain":
		return dt
	}
	return "other"
}
