package ra_test

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// RULES R7, G5: an upload and what it proves are recorded in one
// transaction. A document whose confirmation is refused (dated in the
// future, another organisation's request, a request past review) is not
// stored, supersedes nothing, and leaves one refused audit entry.
func TestRule_R7_UploadStoredWithItsConfirmationOrNotAtAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		f, err := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Title: "Jefa", Person: maria})
		if err != nil {
			t.Fatal(err)
		}
		id := f.Request.ID
		letter := pngOf(t, 400, 600)
		refusedBefore := countAudit(t, e.Store, "enrollment.confirm", store.OutcomeRefused)
		_, err = w.ra.Upload(ctx, w.agent, id, ra.Upload{Kind: "appointment_letter", IssuedOn: e.Clock.Now().AddDate(0, 0, 3), Data: letter})
		if !errs.Has(err, errs.Malformed) {
			t.Fatalf("a document dated in the future: %v", err)
		}
		_, err = w.ra.Upload(ctx, w.other, id, ra.Upload{Kind: "PHOTO", Data: pngOf(t, 400, 600)})
		if !errs.Has(err, errs.NotFound) { // another organisation's ids read as missing
			t.Fatalf("another organisation's agent uploads: %v", err)
		}
		if n := countAudit(t, e.Store, "enrollment.confirm", store.OutcomeRefused) - refusedBefore; n != 2 {
			t.Fatalf("%d refused confirmations audited, want 2 (one per refused upload)", n)
		}
		list, err := w.ra.Documents(ctx, w.agent, id)
		if err != nil || len(list) != 0 {
			t.Fatalf("refused uploads left documents: %v %v", list, err)
		}
		doc, err := w.ra.Upload(ctx, w.agent, id, ra.Upload{Kind: "photo", Data: pngOf(t, 400, 600)})
		if err != nil {
			t.Fatal(err)
		}
		q, err := w.ra.Load(ctx, w.agent, id)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Kind != documents.Photo || len(q.Data.Biometrics) != 1 || q.Data.Biometrics[0] != documents.Photo {
			t.Fatalf("photo stored as %q, biometrics confirmed %v", doc.Kind, q.Data.Biometrics)
		}
		if list, _ := w.ra.Documents(ctx, w.agent, id); len(list) != 1 {
			t.Fatalf("%d documents after one accepted upload", len(list))
		}
	})
}
