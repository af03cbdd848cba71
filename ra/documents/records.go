package documents

import (
	"context"
	"database/sql"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
)

func fromRecord(r *model.Document) Document {
	d := Document{ID: r.ID, OrgID: r.OrgID, EnrollmentID: r.EnrollmentID.Int64, Kind: r.Kind, ContentType: r.ContentType,
		Size: r.Size, SHA256: r.SHA256, UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt.UTC()}
	if r.SupersededAt.Valid {
		t := r.SupersededAt.Time.UTC()
		d.SupersededAt = &t
	}
	return d
}

func toRecord(d *Document, sealedData []byte) *model.Document {
	return &model.Document{OrgID: d.OrgID, EnrollmentID: sql.NullInt64{Int64: d.EnrollmentID, Valid: d.EnrollmentID != 0},
		Kind: d.Kind, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, UploadedBy: d.UploadedBy,
		CreatedAt: d.CreatedAt, Sealed: sealedData}
}

// enrollmentOrg returns the organisation an enrollment belongs to, read in
// tx when there is one.
func (s *Service) enrollmentOrg(ctx context.Context, tx Tx, id int64) (int64, error) {
	var (
		org int64
		err error
	)
	if tx != nil {
		org, err = tx.EnrollmentOrg(ctx, id)
	} else {
		org, err = s.store.EnrollmentOrg(ctx, id)
	}
	if errs.Has(err, errs.NotFound) {
		return 0, errs.New(errs.NotFound, "la solicitud %d no existe / enrollment %d not found", id, id)
	}
	return org, err
}

// rows returns an enrollment's documents' metadata, oldest first.
func (s *Service) rows(ctx context.Context, enrollmentID int64, all bool) ([]Document, error) {
	rs, err := s.store.DocumentsOf(ctx, enrollmentID, all)
	if err != nil {
		return nil, err
	}
	out := make([]Document, 0, len(rs))
	for i := range rs {
		out = append(out, fromRecord(&rs[i]))
	}
	return out, nil
}
