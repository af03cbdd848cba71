package store

import (
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

// Document is model.Document.
type Document = model.Document

const docCols = "id, org_id, enrollment_id, kind, content_type, size, sha256, uploaded_by, created_at, superseded_at"

// EnrollmentOrg returns the organisation an enrollment belongs to.
func (s *Store) EnrollmentOrg(ctx context.Context, enrollmentID int64) (int64, error) {
	var org int64
	err := s.get(ctx, &org, "SELECT org_id FROM enrollments WHERE id = ?", enrollmentID)
	return org, dbErr(err, "enrollment")
}

// EnrollmentOrg returns the organisation an enrollment belongs to, read in
// the transaction.
func (tx *Tx) EnrollmentOrg(ctx context.Context, enrollmentID int64) (int64, error) {
	return tx.read().EnrollmentOrg(ctx, enrollmentID)
}

// InsertDocument stores d (its content already sealed in d.Sealed) as the
// current version of its kind for its enrollment, superseding the one
// before. It sets d.ID and returns the ids it superseded.
func (tx *Tx) InsertDocument(ctx context.Context, d *Document) (superseded []int64, err error) {
	if d.EnrollmentID.Valid {
		if tx.s.dialect == Postgres {
			// Serialises uploads for one enrollment, so two at once cannot both
			// find no current version; SQLite transactions are already
			// exclusive writers (_txlock=immediate).
			var id int64
			if err := tx.get(ctx, &id, "SELECT id FROM enrollments WHERE id = ? FOR UPDATE", d.EnrollmentID.Int64); err != nil {
				return nil, dbErr(err, "enrollment")
			}
		}
		if err := tx.sel(ctx, &superseded, `UPDATE documents SET superseded_at = ?
			WHERE enrollment_id = ? AND kind = ? AND superseded_at IS NULL RETURNING id`, d.CreatedAt, d.EnrollmentID.Int64, d.Kind); err != nil {
			return nil, dbErr(err, "documents")
		}
	}
	d.ID, err = tx.insert(ctx, `INSERT INTO documents (org_id, enrollment_id, kind, content_type, size, sha256, sealed,
		uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.OrgID, d.EnrollmentID, d.Kind, d.ContentType, d.Size, d.SHA256, d.Sealed, d.UploadedBy, d.CreatedAt)
	if err != nil {
		return nil, dbErr(err, "document")
	}
	return superseded, nil
}

// SetDocumentContent writes the sealed content of the document id, which
// InsertDocument stored without it: the content is sealed for the row's id,
// known only once the row exists (same transaction).
func (tx *Tx) SetDocumentContent(ctx context.Context, id int64, sealed []byte) error {
	res, err := tx.exec(ctx, "UPDATE documents SET sealed = ? WHERE id = ?", sealed, id)
	if err != nil {
		return dbErr(err, "document")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.New(errs.NotFound, "document %d not found", id)
	}
	return nil
}

// Document returns a document's row with its sealed content.
func (s *Store) Document(ctx context.Context, id int64) (*Document, error) {
	var d Document
	if err := s.get(ctx, &d, "SELECT "+docCols+", sealed FROM documents WHERE id = ?", id); err != nil {
		return nil, dbErr(err, "document")
	}
	return &d, nil
}

// DocumentInfo returns a document's row without its content.
func (s *Store) DocumentInfo(ctx context.Context, id int64) (*Document, error) {
	var d Document
	if err := s.get(ctx, &d, "SELECT "+docCols+" FROM documents WHERE id = ?", id); err != nil {
		return nil, notFoundOr(err, "document %d", id)
	}
	return &d, nil
}

// DocumentsOf returns an enrollment's documents' rows without their content,
// oldest first; all includes the superseded versions.
func (s *Store) DocumentsOf(ctx context.Context, enrollmentID int64, all bool) ([]Document, error) {
	q := "SELECT " + docCols + " FROM documents WHERE enrollment_id = ?"
	if !all {
		q += " AND superseded_at IS NULL"
	}
	var out []Document
	if err := s.sel(ctx, &out, q+" ORDER BY id", enrollmentID); err != nil {
		return nil, dbErr(err, "documents")
	}
	return out, nil
}
