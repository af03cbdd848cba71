package store

import (
	"context"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
)

// rowAAD binds a sealed value to the cell it lives in: table, column and row
// id. A ciphertext copied into another row, or another column, no longer
// opens, so a database writer cannot make one person's sealed data appear as
// another's.
func rowAAD(table, column string, id int64) []byte { return sealed.RowAAD(table, column, id) }

// sealRow seals plain for the cell (table, column, id).
func (s *Store) sealRow(table, column string, id int64, plain []byte) ([]byte, error) {
	box, err := s.sealer()
	if err != nil {
		return nil, err
	}
	return box.Seal(plain, rowAAD(table, column, id)), nil
}

// openRow opens what sealRow sealed for the same cell. A value that does not
// open (corrupt, another key, or moved from another row) is an Internal
// error, logged here once with the cell it was read from.
func (s *Store) openRow(ctx context.Context, table, column string, id int64, blob []byte) ([]byte, error) {
	box, err := s.sealer()
	if err != nil {
		return nil, err
	}
	plain, err := box.Open(blob, rowAAD(table, column, id))
	if err != nil {
		s.log.ErrorContext(ctx, "sealed data does not open in its row: corrupt, another key, or copied from another row",
			"table", table, "column", column, "id", id)
		return nil, errs.Wrap(errs.Internal, err, "%s %d: sealed %s cannot be opened (corrupt, another key, or copied from another row)", table, id, column)
	}
	return plain, nil
}
