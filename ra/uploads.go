package ra

import (
	"context"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/documents"
)

// Upload is a document or biometric capture an agent uploads for a request.
type Upload struct {
	Kind         string
	IssuedOn     time.Time // a document's issue date (RULES R5 maximum age); zero: not stated
	DeclaredType string    // the content type the client claimed; the bytes decide
	Data         []byte
}

// Upload stores a document of a request, sealed, and records what it
// proves (a biometric capture, a dated document) in the same transaction:
// either both happen or neither, so a refused confirmation stores nothing
// (RULES R7, G5, G6).
func (r *RA) Upload(ctx context.Context, a Actor, id int64, u Upload) (*documents.Document, error) {
	if r.docs == nil {
		return nil, errs.New(errs.BadConfig, "no document store configured")
	}
	u.Kind = documents.Kind(u.Kind)
	c := Confirm{}
	if documents.IsBiometric(u.Kind) {
		c.Biometrics = []string{u.Kind}
	} else if !u.IssuedOn.IsZero() {
		c.Documents = map[string]time.Time{u.Kind: u.IssuedOn}
	}
	if c.Biometrics == nil && c.Documents == nil {
		// Nothing to confirm: the document is stored on its own, for a
		// request the actor may act on.
		req, err := r.Load(ctx, a, id)
		if err != nil {
			return nil, err
		}
		return r.docs.Put(ctx, nil, a, req.OrgID, req.ID, u.Kind, u.DeclaredType, u.Data)
	}
	var doc *documents.Document
	_, err := r.transition(ctx, a, id, "enrollment.confirm", confirmStates, func(tx Tx, req *Request, pol *policies.Policy) error {
		if err := r.confirm(a, req, pol, c); err != nil {
			return err
		}
		d, err := r.docs.Put(ctx, tx, a, req.OrgID, req.ID, u.Kind, u.DeclaredType, u.Data)
		if err != nil {
			return err
		}
		doc = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// Documents lists the current version of each document of a request
// (metadata only).
func (r *RA) Documents(ctx context.Context, a Actor, id int64) ([]documents.Document, error) {
	if r.docs == nil {
		return nil, errs.New(errs.BadConfig, "no document store configured")
	}
	list, err := r.docs.List(ctx, a, id)
	if a.activeAgent() && errs.Has(err, errs.Forbidden) {
		// Another organisation's request reads as a missing one (the
		// document store audited the refusal).
		return nil, errs.Wrap(errs.NotFound, err, "la solicitud %d no existe / enrollment %d not found", id, id)
	}
	if list == nil && err == nil {
		list = []documents.Document{}
	}
	return list, err
}

// Document returns a document and its content (auditors; agents of its
// organisation). Every fetch is audited by the document store.
func (r *RA) Document(ctx context.Context, a Actor, docID int64) (*documents.Document, []byte, error) {
	if r.docs == nil {
		return nil, nil, errs.New(errs.BadConfig, "no document store configured")
	}
	d, data, err := r.docs.Get(ctx, a, docID)
	// Another organisation's document reads as a missing one (the document
	// store audited the refusal).
	return d, data, a.hide(err, "document")
}
