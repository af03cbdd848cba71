package documents

import (
	"context"

	"github.com/sello-pki/sello/internal/model"
)

// Reads are what the service reads and records outside a transaction.
type Reads interface {
	EnrollmentOrg(ctx context.Context, enrollmentID int64) (int64, error)
	Document(ctx context.Context, id int64) (*model.Document, error)
	DocumentsOf(ctx context.Context, enrollmentID int64, all bool) ([]model.Document, error)
	// Audit records an entry in a transaction of its own.
	Audit(ctx context.Context, ev model.Event) error
}

// Tx is what an upload writes in a transaction (the caller's, or one of its
// own): the document, the version it supersedes and the audit entry.
type Tx interface {
	EnrollmentOrg(ctx context.Context, enrollmentID int64) (int64, error)
	InsertDocument(ctx context.Context, d *model.Document) (superseded []int64, err error)
	// SetDocumentContent writes the sealed content of a document just
	// inserted: it is sealed for the row's id, known only after the insert.
	SetDocumentContent(ctx context.Context, id int64, sealed []byte) error
	Audit(ctx context.Context, ev model.Event) (int64, error)
}

// Store is the service's storage.
type Store interface {
	Reads
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Backend is a store whose transactions are of a concrete type T, such as
// *store.Store with *store.Tx.
type Backend[T Tx] interface {
	Reads
	InTx(ctx context.Context, fn func(T) error) error
}

// Bind adapts a Backend to Store: documents.Bind[*store.Tx](st).
func Bind[T Tx](b Backend[T]) Store { return bound[T]{Reads: b, b: b} }

type bound[T Tx] struct {
	Reads
	b Backend[T]
}

func (s bound[T]) InTx(ctx context.Context, fn func(Tx) error) error {
	return s.b.InTx(ctx, func(t T) error { return fn(t) })
}
