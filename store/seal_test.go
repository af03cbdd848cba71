package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// sealedFixture stores two people, each with an enrollment.
func sealedFixture(t *testing.T, s *store.Store) (p1, p2 *store.Person, e1, e2 *store.Enrollment) {
	t.Helper()
	o := &store.Organisation{Code: "SEP-ZAC", Name: "Secretaría de Educación Zacatecas", PolicyID: "zacatecas"}
	p1 = &store.Person{Data: store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "RUAA800101MZSZNN01", Email: "ana.ruiz@zacatecas.gob.mx"}}
	p2 = &store.Person{Data: store.PersonData{GivenNames: "Beto", FirstSurname: "Sosa", CURP: "SOSB800101HZSSTT02", Email: "beto.sosa@zacatecas.gob.mx"}}
	if err := s.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		for _, p := range []*store.Person{p1, p2} {
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
		}
		e1 = &store.Enrollment{Folio: "ZAC-2026-0001", OrgID: o.ID, PersonID: store.NullInt(p1.ID), State: "draft", Reason: "new", PolicyID: "zacatecas",
			Channel: "agent", Data: []byte(`{"curp":"RUAA800101MZSZNN01"}`)}
		e2 = &store.Enrollment{Folio: "ZAC-2026-0002", OrgID: o.ID, PersonID: store.NullInt(p2.ID), State: "draft", Reason: "new", PolicyID: "zacatecas",
			Channel: "agent", Data: []byte(`{"curp":"SOSB800101HZSSTT02"}`)}
		if err := tx.CreateEnrollment(ctx, e1); err != nil {
			return err
		}
		return tx.CreateEnrollment(ctx, e2)
	}); err != nil {
		t.Fatal(err)
	}
	return p1, p2, e1, e2
}

// Sealed personal data is bound to its row (issue 16): a people.pii or an
// enrollments.data blob copied into another row does not open, so the
// other row cannot be made to show this person's CURP and e-mail.
func TestRule_G6_SealedDataIsBoundToItsRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		p1, p2, e1, e2 := sealedFixture(t, s)
		if got, err := s.Person(ctx, p1.ID); err != nil || got.Data.CURP != p1.Data.CURP || got.Data.Email != p1.Data.Email {
			t.Fatalf("Person = %+v, %v", got, err)
		}
		if got, err := s.Enrollment(ctx, e1.ID); err != nil || !bytes.Equal(got.Data, e1.Data) {
			t.Fatalf("Enrollment = %+v, %v", got, err)
		}
		// An update re-seals for the same row.
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			got, err := tx.LockEnrollment(ctx, e1.ID)
			if err != nil {
				return err
			}
			got.Data = []byte(`{"curp":"RUAA800101MZSZNN01","title":"Maestra"}`)
			return tx.UpdateEnrollment(ctx, got)
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Enrollment(ctx, e1.ID); err != nil || !bytes.Contains(got.Data, []byte("Maestra")) {
			t.Fatalf("updated enrollment = %+v, %v", got, err)
		}

		mustExec(t, s, "UPDATE people SET pii = (SELECT pii FROM people WHERE id = ?) WHERE id = ?", p1.ID, p2.ID)
		got, err := s.Person(ctx, p2.ID)
		if !errs.Has(err, errs.Internal) {
			t.Fatalf("copied pii opened: %+v, %v (want an internal error)", got, err)
		}
		if _, err := s.PeopleByIdentifier(ctx, "curp", p2.Data.CURP); !errs.Has(err, errs.Internal) {
			t.Fatalf("copied pii opened through the index: %v", err)
		}
		mustExec(t, s, "UPDATE enrollments SET data = (SELECT data FROM enrollments WHERE id = ?) WHERE id = ?", e1.ID, e2.ID)
		if got, err := s.Enrollment(ctx, e2.ID); !errs.Has(err, errs.Internal) {
			t.Fatalf("copied enrollment data opened: %+v, %v", got, err)
		}
		if _, err := s.ListEnrollments(ctx, store.EnrollmentFilter{}); !errs.Has(err, errs.Internal) {
			t.Fatalf("a list with a copied blob: %v", err)
		}
		// The rows the blobs came from still open.
		if _, err := s.Person(ctx, p1.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// Data sealed before row binding (one AAD per column) is re-sealed for its
// row by the migration, once; afterwards the old form is refused.
func TestMigrate_ResealsLegacyDataForItsRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		p1, p2, e1, _ := sealedFixture(t, s)
		raw, _ := json.Marshal(p1.Data)
		mustExec(t, s, "UPDATE people SET pii = ? WHERE id = ?", e.Box.Seal(raw, []byte("sello/people.pii")), p1.ID)
		mustExec(t, s, "UPDATE enrollments SET data = ? WHERE id = ?", e.Box.Seal(e1.Data, []byte("sello/enrollments.data")), e1.ID)
		if _, err := s.Person(ctx, p1.ID); !errs.Has(err, errs.Internal) {
			t.Fatalf("legacy pii opened on read: %v", err)
		}
		doc := []byte("%PDF-1.4 acta")
		mustExec(t, s, `INSERT INTO documents (org_id, enrollment_id, kind, content_type, size, sha256, sealed, uploaded_by, created_at)
			VALUES (?, ?, 'ID_COPY', 'application/pdf', ?, 'abc123', ?, 'agent:1', ?)`, e1.OrgID, e1.ID, len(doc),
			e.Box.Seal(doc, []byte("sello/documents/ID_COPY/abc123")), e.Clock.Now())
		mustExec(t, s, "DELETE FROM schema_migrations WHERE version = 'go:row-bound-sealing'")
		if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 1 || pending[0] != "go:row-bound-sealing" {
			t.Fatalf("PendingMigrations = %v, %v", pending, err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) != 1 {
			t.Fatalf("Migrate = %v, %v", applied, err)
		}
		if got, err := s.Person(ctx, p1.ID); err != nil || got.Data.CURP != p1.Data.CURP {
			t.Fatalf("re-sealed person = %+v, %v", got, err)
		}
		if got, err := s.Enrollment(ctx, e1.ID); err != nil || !bytes.Equal(got.Data, e1.Data) {
			t.Fatalf("re-sealed enrollment = %+v, %v", got, err)
		}
		if got, err := s.Person(ctx, p2.ID); err != nil || got.Data.CURP != p2.Data.CURP {
			t.Fatalf("untouched person = %+v, %v", got, err)
		}
		var docID int64
		var ct []byte
		if err := s.DB().QueryRowContext(ctx, "SELECT id, sealed FROM documents").Scan(&docID, &ct); err != nil {
			t.Fatal(err)
		}
		if pt, err := e.Box.Open(ct, sealed.RowAAD("documents", "sealed", docID, "ID_COPY", "abc123")); err != nil || !bytes.Equal(pt, doc) {
			t.Fatalf("re-sealed document: %v", err)
		}
		// It ran once: a legacy blob written now is not re-sealed.
		mustExec(t, s, "UPDATE people SET pii = ? WHERE id = ?", e.Box.Seal(raw, []byte("sello/people.pii")), p2.ID)
		if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate = %v, %v", applied, err)
		}
		if _, err := s.Person(ctx, p2.ID); !errs.Has(err, errs.Internal) {
			t.Fatalf("legacy pii after the migration: %v", err)
		}
	})
}

func mustExec(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// An outbox payload with a secret or personal data is sealed at rest, bound
// to its job, opened for the worker that claims it, and cleared when the job
// is done or dead (issue 16).
func TestOutbox_SealedPayloadsAreClearedWhenDone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		secret := []byte(`{"to":"ana.ruiz@zacatecas.gob.mx","password":"S3cr3t-one-time"}`)
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			for _, k := range []string{"a", "b", "c"} {
				if _, err := tx.EnqueueSealed(ctx, "notify.email", "notify.email:"+k, secret); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		raw := rawPayloads(t, s)
		for id, p := range raw {
			if bytes.Contains(p, []byte("ana.ruiz")) || bytes.Contains(p, []byte("S3cr3t")) {
				t.Fatalf("job %d stored in clear: %q", id, p)
			}
		}
		// A payload copied into another job does not open there.
		mustExec(t, s, "UPDATE outbox SET payload = (SELECT payload FROM outbox WHERE dedup_key = 'notify.email:a') WHERE dedup_key = 'notify.email:c'")

		js, err := s.Claim(ctx, "notify.email", 10, time.Minute)
		if err != nil || len(js) != 3 {
			t.Fatalf("Claim = %d, %v", len(js), err)
		}
		if !bytes.Equal(js[0].Payload, secret) || !bytes.Equal(js[1].Payload, secret) {
			t.Fatalf("claimed payloads %q %q", js[0].Payload, js[1].Payload)
		}
		if len(js[2].Payload) != 0 {
			t.Fatalf("a payload copied from another job opened: %q", js[2].Payload)
		}
		if err := s.Complete(ctx, js[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Retry(ctx, js[1], errors.New("smtp down"), time.Minute, 1); err != nil { // dead
			t.Fatal(err)
		}
		raw = rawPayloads(t, s)
		if string(raw[js[0].ID]) != "cleared" || string(raw[js[1].ID]) != "cleared" {
			t.Fatalf("done and dead payloads not cleared: %q %q", raw[js[0].ID], raw[js[1].ID])
		}
		// A plain payload (ids only) is kept for the record.
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Enqueue(ctx, "ldap.publish", "ldap.publish:cert:x/1:issued", []byte(`{"serial":"1"}`))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		pj, _ := s.Claim(ctx, "ldap.publish", 1, time.Minute)
		if len(pj) != 1 || s.Complete(ctx, pj[0].ID) != nil || string(rawPayloads(t, s)[pj[0].ID]) != `{"serial":"1"}` {
			t.Fatalf("plain job %+v", pj)
		}
	})
}

// E-mail jobs written in clear before the outbox sealed them: the pending
// one is sealed (and still delivered), the done one cleared.
func TestMigrate_SealsLegacyEmailJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		plain := []byte(`{"v":1,"template":"t","to":"ana.ruiz@zacatecas.gob.mx","data":{}}`)
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			for _, k := range []string{"old-done", "old-pending"} {
				if _, err := tx.Enqueue(ctx, "notify.email", "notify.email:"+k, plain); err != nil {
					return err
				}
			}
			_, err := tx.Enqueue(ctx, "ocsp.refresh", "ocsp:1", []byte(`{"serial":"1"}`))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		mustExec(t, s, "UPDATE outbox SET state = 'done' WHERE dedup_key = 'notify.email:old-done'")
		mustExec(t, s, "DELETE FROM schema_migrations WHERE version = 'go:row-bound-sealing'")
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for id, p := range rawPayloads(t, s) {
			if bytes.Contains(p, []byte("ana.ruiz")) {
				t.Errorf("job %d still in clear: %q", id, p)
			}
		}
		js, err := s.Claim(ctx, "notify.email", 10, time.Minute)
		if err != nil || len(js) != 1 || !bytes.Equal(js[0].Payload, plain) {
			t.Fatalf("Claim = %+v, %v", js, err)
		}
		if ocsp, _ := s.JobsByKind(ctx, "ocsp.refresh"); len(ocsp) != 1 || string(ocsp[0].Payload) != `{"serial":"1"}` {
			t.Fatalf("plain job changed: %+v", ocsp)
		}
	})
}

// rawPayloads reads the outbox's payloads as a database reader sees them.
func rawPayloads(t *testing.T, s *store.Store) map[int64][]byte {
	t.Helper()
	rows, err := s.DB().QueryContext(ctx, "SELECT id, payload FROM outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var id int64
		var p []byte
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		out[id] = p
	}
	return out
}
