package documents_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/sealed"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

var ctx = context.Background()

// marker is personal data embedded in test documents; it must never be
// found in clear anywhere Sello writes.
const marker = "SELLO-MARCADOR-PEXJ800101HJCRXN07"

type fixture struct {
	*storetest.Env
	svc                *documents.Service
	logs               *bytes.Buffer
	orgA, orgB         int64
	enrA, enrA2, enrB  int64
	agentA, agentB, hr ra.Actor
	auditor, admin     ra.Actor
}

func newFixture(t *testing.T, e *storetest.Env) *fixture {
	t.Helper()
	f := &fixture{Env: e, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.svc = documents.New(documents.Bind[*store.Tx](e.Store), e.Box, e.Clock, log)
	f.orgA = createOrg(t, e.Store, "SEP-JAL", "Secretaría de Educación Jalisco")
	f.orgB = createOrg(t, e.Store, "SSA-ZAC", "Servicios de Salud de Zacatecas")
	f.enrA = createEnrollment(t, e.Store, f.orgA)
	f.enrA2 = createEnrollment(t, e.Store, f.orgA)
	f.enrB = createEnrollment(t, e.Store, f.orgB)
	f.agentA = ra.Actor{Kind: ra.ActorAgent, AgentID: 11, Role: store.RoleAgent, OrgID: f.orgA}
	f.agentB = ra.Actor{Kind: ra.ActorAgent, AgentID: 22, Role: store.RoleAgent, OrgID: f.orgB}
	f.hr = ra.Actor{Kind: ra.ActorAgent, AgentID: 33, Role: store.RoleHR, OrgID: f.orgA}
	f.auditor = ra.Actor{Kind: ra.ActorAgent, AgentID: 44, Role: store.RoleAuditor, OrgID: f.orgB}
	f.admin = ra.Actor{Kind: ra.ActorAgent, AgentID: 1, Role: store.RoleAdmin}
	return f
}

func createOrg(t *testing.T, s *store.Store, code, name string) int64 {
	t.Helper()
	o := &store.Organisation{Code: code, Name: name, PolicyID: "jalisco"}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, o) }); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func createEnrollment(t *testing.T, s *store.Store, orgID int64) int64 {
	t.Helper()
	db := s.DB()
	var id int64
	now := s.Now()
	if err := db.QueryRowxContext(ctx, db.Rebind(`INSERT INTO enrollments (org_id, state, reason, policy_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), orgID, "started", "first_issuance", "jalisco", now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) put(t *testing.T, actor ra.Actor, org, enr int64, kind, declared string, data []byte) *documents.Document {
	t.Helper()
	d, err := f.svc.Put(ctx, nil, actor, org, enr, kind, declared, data)
	if err != nil {
		t.Fatalf("Put %s: %v", kind, err)
	}
	return d
}

type auditRow struct {
	Actor   string `db:"actor"`
	Action  string `db:"action"`
	Object  string `db:"object"`
	Outcome string `db:"outcome"`
	Details string `db:"details"`
}

func (f *fixture) audit(t *testing.T, action, outcome string) []auditRow {
	t.Helper()
	db := f.Store.DB()
	var out []auditRow
	if err := db.SelectContext(ctx, &out, db.Rebind("SELECT actor, action, object, outcome, details FROM audit_entries WHERE action = ? AND outcome = ? ORDER BY seq"),
		action, outcome); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) countDocs(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.Store.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM documents"); err != nil {
		t.Fatal(err)
	}
	return n
}

// rawRow returns every column of a stored document as bytes, as the
// database hands them out.
func (f *fixture) rawRow(t *testing.T, id int64) map[string][]byte {
	t.Helper()
	db := f.Store.DB()
	rows, err := db.QueryxContext(ctx, db.Rebind("SELECT * FROM documents WHERE id = ?"), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("document %d not stored", id)
	}
	m := map[string]any{}
	if err := rows.MapScan(m); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for k, v := range m {
		switch v := v.(type) {
		case []byte:
			out[k] = v
		case string:
			out[k] = []byte(v)
		default:
			out[k], _ = json.Marshal(v)
		}
	}
	return out
}

func (f *fixture) verifyAudit(t *testing.T) {
	t.Helper()
	rep, err := f.Store.VerifyAudit(ctx, []crypto.PublicKey{f.Key.Public()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problem != nil {
		t.Fatalf("audit chain broken: %v", rep.Problem)
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// assertNowhere fails if needle appears in the document's raw row, the audit
// log, the logs or (SQLite) the database files.
func (f *fixture) assertNowhere(t *testing.T, id int64, needles ...[]byte) {
	t.Helper()
	row := f.rawRow(t, id)
	var audit []string
	if err := f.Store.DB().SelectContext(ctx, &audit, "SELECT details FROM audit_entries"); err != nil {
		t.Fatal(err)
	}
	var files [][]byte
	if path, ok := strings.CutPrefix(f.DSN, "sqlite:"); ok {
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			files = append(files, b)
		}
		if len(files[0])+len(files[1]) == 0 {
			t.Fatalf("SQLite files %s are empty", filepath.Base(path))
		}
	}
	for _, n := range needles {
		for col, v := range row {
			if bytes.Contains(v, n) {
				t.Errorf("column %s holds %q in clear", col, n[:min(len(n), 16)])
			}
		}
		for _, d := range audit {
			if strings.Contains(d, string(n)) {
				t.Errorf("audit log holds %q", n[:min(len(n), 16)])
			}
		}
		if bytes.Contains(f.logs.Bytes(), n) {
			t.Errorf("logs hold %q", n[:min(len(n), 16)])
		}
		for _, b := range files {
			if bytes.Contains(b, n) {
				t.Errorf("the SQLite database file holds %q in clear", n[:min(len(n), 16)])
			}
		}
	}
}

func TestPutAcceptsEachKind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		for _, kind := range documents.Kinds() {
			for _, ct := range documents.AllowedTypes(kind) {
				data := properFile(t, kind, ct)
				d := f.put(t, f.agentA, f.orgA, f.enrA, kind, ct, data)
				if d.Kind != kind || d.ContentType != ct || d.Size != int64(len(data)) || d.SHA256 != hexSum(data) ||
					d.OrgID != f.orgA || d.EnrollmentID != f.enrA || d.UploadedBy != "agent:11" ||
					!d.CreatedAt.Equal(storetest.Start) || d.SupersededAt != nil {
					t.Errorf("%s %s: stored as %+v", kind, ct, d)
				}
				got, back, err := f.svc.Get(ctx, f.agentA, d.ID)
				if err != nil || !bytes.Equal(back, data) {
					t.Fatalf("%s %s: Get: %v", kind, ct, err)
				}
				if !reflect.DeepEqual(got, d) {
					t.Errorf("%s: Get returns %+v, Put returned %+v", kind, got, d)
				}
			}
		}
		cur, err := f.svc.List(ctx, f.agentA, f.enrA)
		if err != nil {
			t.Fatal(err)
		}
		if len(cur) != len(documents.Kinds()) {
			t.Errorf("List: %d current documents, want one per kind (%d)", len(cur), len(documents.Kinds()))
		}
		// A document may belong to no enrollment.
		if d := f.put(t, f.agentA, f.orgA, 0, documents.PowerOfAttorney, "", minimalPDF("poder", 0)); d.EnrollmentID != 0 {
			t.Errorf("enrollment %d", d.EnrollmentID)
		}
		f.verifyAudit(t)
	})
}

func TestRule_R7_BiometricsSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		bio := map[string][]byte{
			documents.Photo:                jpegOf(t, 480, 640, false),
			documents.Fingerprints:         pngOf(t, 500, 500, true),
			documents.HandwrittenSignature: pngOf(t, 600, 150, false),
		}
		for kind, data := range bio {
			if !documents.IsBiometric(kind) {
				t.Fatalf("%s is not biometric", kind)
			}
			d := f.put(t, f.agentA, f.orgA, f.enrA, kind, "", data)
			row := f.rawRow(t, d.ID)
			ct := row["sealed"]
			// The image's pixel data (its last kilobyte) is nowhere in the row.
			f.assertNowhere(t, d.ID, data[len(data)-1024:], data[len(data)/2:len(data)/2+64])
			if len(ct) < len(data) || bytes.Equal(ct, data) {
				t.Errorf("%s: sealed column of %d bytes for %d bytes of image", kind, len(ct), len(data))
			}
			// It is AES-GCM under the data key, bound to its row, kind and digest.
			pt, err := e.Box.Open(ct, sealed.RowAAD("documents", "sealed", d.ID, kind, hexSum(data)))
			if err != nil || !bytes.Equal(pt, data) {
				t.Errorf("%s: sealed content does not open with its row, kind and digest: %v", kind, err)
			}
			if _, err := e.Box.Open(ct, sealed.RowAAD("documents", "sealed", d.ID, documents.IDCopy, hexSum(data))); err == nil {
				t.Errorf("%s: sealed content opens as another kind", kind)
			}
			if _, err := e.Box.Open(ct, sealed.RowAAD("documents", "sealed", d.ID+1000, kind, hexSum(data))); err == nil {
				t.Errorf("%s: sealed content opens in another row", kind)
			}
			if string(row["sha256"]) != hexSum(data) {
				t.Errorf("%s: sha256 column %q", kind, row["sha256"])
			}
		}
	})
}

func TestRule_G6_DocumentsNeverInClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		pdf := minimalPDF(marker, 0)
		if !bytes.Contains(pdf, []byte(marker)) {
			t.Fatal("the test PDF does not carry the marker in clear")
		}
		d := f.put(t, f.agentA, f.orgA, f.enrA, documents.IDCopy, documents.PDF, pdf)
		if _, _, err := f.svc.Get(ctx, f.agentA, d.ID); err != nil {
			t.Fatal(err)
		}
		// Refused uploads carrying it leave no trace of it either.
		f.svc.Put(ctx, nil, f.agentB, f.orgA, f.enrA, documents.IDCopy, documents.PDF, pdf)
		f.svc.Put(ctx, nil, f.agentA, f.orgA, f.enrA, documents.IDCopy, documents.PNG, pdf)
		f.svc.Put(ctx, nil, f.agentA, f.orgA, f.enrA, marker, marker+"/pdf", pdf)
		f.assertNowhere(t, d.ID, []byte(marker), pdf[:64], []byte(base64.StdEncoding.EncodeToString(pdf)[:40]))

		// The metadata type has no field that could carry content.
		for i, typ := 0, reflect.TypeOf(documents.Document{}); i < typ.NumField(); i++ {
			if k := typ.Field(i).Type.Kind(); k == reflect.Slice || k == reflect.Interface || k == reflect.Map {
				t.Errorf("Document.%s could carry content", typ.Field(i).Name)
			}
		}
	})
}

func TestRule_G6_AuditHasDigestNotContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		pdf := minimalPDF(marker, 0)
		d := f.put(t, f.agentA, f.orgA, f.enrA, documents.ProofOfAddress, "", pdf)
		up := f.audit(t, documents.ActionUpload, store.OutcomeOK)
		if len(up) != 1 {
			t.Fatalf("%d upload entries, want 1", len(up))
		}
		if up[0].Actor != "agent:11" || up[0].Object != "document:"+itoa(d.ID) {
			t.Errorf("upload entry %+v", up[0])
		}
		var details map[string]any
		if err := json.Unmarshal([]byte(up[0].Details), &details); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"kind": documents.ProofOfAddress, "contentType": documents.PDF, "size": float64(len(pdf)),
			"sha256": hexSum(pdf), "org": float64(f.orgA), "enrollment": float64(f.enrA)}
		if !reflect.DeepEqual(details, want) {
			t.Errorf("upload details %v, want %v", details, want)
		}
		if _, _, err := f.svc.Get(ctx, f.auditor, d.ID); err != nil {
			t.Fatal(err)
		}
		fetch := f.audit(t, documents.ActionFetch, store.OutcomeOK)
		if len(fetch) != 1 || fetch[0].Actor != "auditor:44" || !strings.Contains(fetch[0].Details, hexSum(pdf)) {
			t.Errorf("fetch entries %+v", fetch)
		}
		f.assertNowhere(t, d.ID, []byte(marker))
		f.verifyAudit(t)
	})
}

func TestRule_O2_OnlyOwnOrganisationSeesDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		data := jpegOf(t, 400, 500, false)
		d := f.put(t, f.agentA, f.orgA, f.enrA, documents.Photo, documents.JPEG, data)

		// An agent of another organisation, or an HR client, cannot fetch,
		// and each refusal is in the audit log.
		for _, a := range []ra.Actor{f.agentB, f.hr, {Kind: ra.ActorApplicant, EnrollmentID: f.enrA}} {
			if _, got, err := f.svc.Get(ctx, a, d.ID); !errs.Has(err, errs.Forbidden) || got != nil {
				t.Errorf("%s fetched: %v", a, err)
			}
		}
		refused := f.audit(t, documents.ActionFetch, store.OutcomeRefused)
		if len(refused) != 3 || refused[0].Actor != "agent:22" || refused[0].Object != "document:"+itoa(d.ID) ||
			!strings.Contains(refused[0].Details, `"error":"forbidden"`) {
			t.Errorf("refused fetches audited as %+v", refused)
		}
		// Auditors and admins read every organisation's.
		for _, a := range []ra.Actor{f.auditor, f.admin} {
			if _, got, err := f.svc.Get(ctx, a, d.ID); err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s: %v", a, err)
			}
		}
		if n := len(f.audit(t, documents.ActionFetch, store.OutcomeOK)); n != 2 {
			t.Errorf("%d granted fetches audited, want 2", n)
		}
		// Unknown documents are refused and audited too.
		if _, _, err := f.svc.Get(ctx, f.agentA, 999_999); !errs.Has(err, errs.NotFound) {
			t.Errorf("unknown document: %v", err)
		}

		// Nobody uploads for an organisation they do not act for; auditors never act.
		before := f.countDocs(t)
		for _, c := range []struct {
			actor    ra.Actor
			org, enr int64
		}{
			{f.agentB, f.orgA, f.enrA},
			{f.auditor, f.orgA, f.enrA},
			{f.hr, f.orgA, f.enrA},
			{f.agentA, f.orgA, f.enrB}, // an enrollment of another organisation
			{f.agentA, f.orgB, f.enrB},
		} {
			if _, err := f.svc.Put(ctx, nil, c.actor, c.org, c.enr, documents.Photo, "", data); !errs.Has(err, errs.Forbidden) {
				t.Errorf("%s uploading for org %d, enrollment %d: %v", c.actor, c.org, c.enr, err)
			}
		}
		if _, err := f.svc.Put(ctx, nil, f.agentA, f.orgA, 999_999, documents.Photo, "", data); !errs.Has(err, errs.NotFound) {
			t.Errorf("unknown enrollment: %v", err)
		}
		if f.countDocs(t) != before {
			t.Error("a refused upload was stored")
		}
		if n := len(f.audit(t, documents.ActionUpload, store.OutcomeRefused)); n != 6 {
			t.Errorf("%d refused uploads audited, want 6", n)
		}
		// Lists follow the same rule.
		if _, err := f.svc.List(ctx, f.agentB, f.enrA); !errs.Has(err, errs.Forbidden) {
			t.Errorf("agent of another organisation listed: %v", err)
		}
		if _, err := f.svc.ListAll(ctx, f.agentB, f.enrA); !errs.Has(err, errs.Forbidden) {
			t.Errorf("agent of another organisation listed all: %v", err)
		}
		if n := len(f.audit(t, documents.ActionList, store.OutcomeRefused)); n != 2 {
			t.Errorf("%d refused lists audited, want 2", n)
		}
		if l, err := f.svc.List(ctx, f.auditor, f.enrA); err != nil || len(l) != 1 {
			t.Errorf("auditor list: %d, %v", len(l), err)
		}
		if _, err := f.svc.List(ctx, f.agentA, 999_999); !errs.Has(err, errs.NotFound) {
			t.Errorf("unknown enrollment listed: %v", err)
		}
		f.verifyAudit(t)
	})
}

func TestRule_G5_AllVersionsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		v1, v2, v3 := minimalPDF("domicilio enero", 0), minimalPDF("domicilio febrero", 0), pngOf(t, 800, 600, false)
		d1 := f.put(t, f.agentA, f.orgA, f.enrA, documents.ProofOfAddress, documents.PDF, v1)
		other := f.put(t, f.agentA, f.orgA, f.enrA, documents.IDCopy, documents.PDF, v1)
		sameKindOtherEnrollment := f.put(t, f.agentA, f.orgA, f.enrA2, documents.ProofOfAddress, documents.PDF, v1)
		e.Clock.Add(36 * time.Hour)
		d2 := f.put(t, f.agentA, f.orgA, f.enrA, documents.ProofOfAddress, documents.PDF, v2)
		e.Clock.Add(time.Hour)
		d3 := f.put(t, f.admin, f.orgA, f.enrA, documents.ProofOfAddress, documents.PNG, v3)

		cur, err := f.svc.List(ctx, f.agentA, f.enrA)
		if err != nil {
			t.Fatal(err)
		}
		if len(cur) != 2 || cur[0].ID != other.ID || cur[1].ID != d3.ID {
			t.Fatalf("current versions %+v, want the ID copy and the third proof of address", cur)
		}
		all, err := f.svc.ListAll(ctx, f.agentA, f.enrA)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Fatalf("ListAll has %d versions, want 4", len(all))
		}
		byID := map[int64]documents.Document{}
		for _, d := range all {
			byID[d.ID] = d
		}
		if s := byID[d1.ID].SupersededAt; s == nil || !s.Equal(storetest.Start.Add(36*time.Hour)) {
			t.Errorf("first version superseded at %v, want when the second arrived", s)
		}
		if s := byID[d2.ID].SupersededAt; s == nil || !s.Equal(storetest.Start.Add(37*time.Hour)) {
			t.Errorf("second version superseded at %v", s)
		}
		if byID[d3.ID].SupersededAt != nil || byID[other.ID].SupersededAt != nil {
			t.Error("a current version is marked superseded")
		}
		if l, _ := f.svc.List(ctx, f.agentA, f.enrA2); len(l) != 1 || l[0].ID != sameKindOtherEnrollment.ID {
			t.Errorf("another enrollment's proof of address was superseded: %+v", l)
		}
		// Every version still opens, with its own content.
		for _, c := range []struct {
			id   int64
			want []byte
		}{{d1.ID, v1}, {d2.ID, v2}, {d3.ID, v3}} {
			d, got, err := f.svc.Get(ctx, f.agentA, c.id)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("version %d: %v", c.id, err)
			}
			if c.id != d3.ID && d.SupersededAt == nil {
				t.Errorf("Get of version %d does not say it is superseded", c.id)
			}
		}
		up := f.audit(t, documents.ActionUpload, store.OutcomeOK)
		if last := up[len(up)-1]; !strings.Contains(last.Details, `"supersedes":[`+itoa(d2.ID)+`]`) {
			t.Errorf("the upload that superseded does not say so: %s", last.Details)
		}
		f.verifyAudit(t)
	})
}

func TestTamperedContentFailsCleanly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		db := e.Store.DB()
		a := f.put(t, f.agentA, f.orgA, f.enrA, documents.IDCopy, "", minimalPDF("a", 0))
		b := f.put(t, f.agentA, f.orgA, f.enrA, documents.AppointmentLetter, "", minimalPDF("b", 0))
		c := f.put(t, f.agentA, f.orgA, f.enrA, documents.Photo, "", pngOf(t, 300, 300, false))
		d := f.put(t, f.agentA, f.orgA, f.enrA, documents.PaymentReceipt, "", minimalPDF("d", 0))
		// issue 16: another enrollment's copy of an ID, overwritten with this
		// one's sealed content and every column describing it.
		g := f.put(t, f.agentA, f.orgA, f.enrA2, documents.IDCopy, "", minimalPDF("g", 0))
		ct := f.rawRow(t, a.ID)["sealed"]

		flipped := append([]byte{}, ct...)
		flipped[len(flipped)/2] ^= 0x01
		set := func(id int64, col string, v any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, db.Rebind("UPDATE documents SET "+col+" = ? WHERE id = ?"), v, id); err != nil {
				t.Fatal(err)
			}
		}
		set(a.ID, "sealed", flipped)
		set(b.ID, "sealed", ct)                  // moved from another row
		set(c.ID, "sealed", []byte{1, 2, 3})     // truncated
		set(d.ID, "sha256", hexSum([]byte("x"))) // record altered
		set(g.ID, "sealed", ct)                  // copied with what describes it
		set(g.ID, "sha256", a.SHA256)
		set(g.ID, "size", a.Size)
		set(g.ID, "content_type", a.ContentType)
		for _, id := range []int64{a.ID, b.ID, c.ID, d.ID, g.ID} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("document %d: panic %v", id, r)
					}
				}()
				doc, got, err := f.svc.Get(ctx, f.agentA, id)
				if !errs.Has(err, errs.Internal) || doc != nil || got != nil {
					t.Errorf("document %d: %v, want an Internal error and nothing else", id, err)
				}
			}()
		}
		if n := len(f.audit(t, documents.ActionFetch, store.OutcomeFailed)); n != 5 {
			t.Errorf("%d failed fetches audited, want 5", n)
		}
		f.verifyAudit(t)
	})
}

func TestPutRefusesBadFilesAndAuditsNoContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		html := []byte("<html><body>" + marker + "</body></html>")
		cases := []struct {
			kind, declared string
			data           []byte
			want           errs.Type
		}{
			{documents.IDCopy, "application/pdf", html, errs.UnsupportedType},
			{documents.ProofOfAddress, documents.PDF, pngOf(t, 400, 400, false), errs.UnsupportedType},
			{documents.Photo, documents.PNG, pngOf(t, 10, 10, false), errs.Malformed},
			{documents.Photo, "", pngOfSize(t, documents.MaxImageSize+1), errs.TooLarge},
			{documents.IDCopy, "", nil, errs.Malformed},
			{"SELFIE", "", pngOf(t, 400, 400, false), errs.Malformed},
		}
		for _, c := range cases {
			if _, err := f.svc.Put(ctx, nil, f.agentA, f.orgA, f.enrA, c.kind, c.declared, c.data); !errs.Has(err, c.want) {
				t.Errorf("%s declared %q: %v, want %s", c.kind, c.declared, err, c.want)
			}
		}
		if n := f.countDocs(t); n != 0 {
			t.Errorf("%d refused files stored", n)
		}
		refused := f.audit(t, documents.ActionUpload, store.OutcomeRefused)
		if len(refused) != len(cases) {
			t.Fatalf("%d refusals audited, want %d", len(refused), len(cases))
		}
		if r := refused[0]; r.Object != "enrollment:"+itoa(f.enrA) ||
			!strings.Contains(r.Details, `"declaredType":"application/pdf"`) || !strings.Contains(r.Details, `"error":"unsupportedMedia"`) {
			t.Errorf("refusal audited as %+v", r)
		}
		if !strings.Contains(refused[5].Details, `"kind":"unknown"`) {
			t.Errorf("an unknown kind is audited as %s", refused[5].Details)
		}
		for _, r := range refused {
			if strings.Contains(r.Details, marker) || strings.Contains(r.Details, "<html") {
				t.Errorf("refusal details carry content: %s", r.Details)
			}
		}
		if bytes.Contains(f.logs.Bytes(), []byte(marker)) {
			t.Error("logs carry content")
		}
	})
}

// In a caller's transaction the document, the version it supersedes and
// the audit entry commit or roll back with the caller's other changes.
func TestPutInCallerTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		v1 := f.put(t, f.agentA, f.orgA, f.enrA, documents.RequestFormSigned, "", minimalPDF("v1", 0))

		// The caller rolls back: nothing of the upload remains.
		changedMind := errors.New("the agent cancelled the request")
		err := e.Store.InTx(ctx, func(tx *store.Tx) error {
			if _, err := f.svc.Put(ctx, tx, f.agentA, f.orgA, f.enrA, documents.RequestFormSigned, "", minimalPDF("v2", 0)); err != nil {
				return err
			}
			return changedMind
		})
		if !errors.Is(err, changedMind) {
			t.Fatalf("rolled-back transaction: %v", err)
		}
		if all, _ := f.svc.ListAll(ctx, f.agentA, f.enrA); len(all) != 1 || all[0].ID != v1.ID || all[0].SupersededAt != nil {
			t.Errorf("after a rollback: %+v, want only the first version, current", all)
		}
		if n := len(f.audit(t, documents.ActionUpload, store.OutcomeOK)); n != 1 {
			t.Errorf("%d upload entries after a rollback, want 1", n)
		}

		// The caller commits: the upload and the caller's own entry are both there.
		var v2 *documents.Document
		err = e.Store.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if v2, err = f.svc.Put(ctx, tx, f.agentA, f.orgA, f.enrA, documents.RequestFormSigned, "", minimalPDF("v2", 0)); err != nil {
				return err
			}
			// A refusal inside the transaction is recorded in it.
			if _, err := f.svc.Put(ctx, tx, f.agentB, f.orgA, f.enrA, documents.Photo, "", pngOf(t, 300, 300, false)); !errs.Has(err, errs.Forbidden) {
				t.Errorf("another organisation's agent in a transaction: %v", err)
			}
			_, err = tx.Audit(ctx, store.Event{Actor: "agent:11", Action: "enrollment.confirm", Object: "enrollment:" + itoa(f.enrA), Outcome: store.OutcomeOK})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := f.svc.List(ctx, f.agentA, f.enrA)
		if len(cur) != 1 || cur[0].ID != v2.ID {
			t.Errorf("current versions %+v, want the one uploaded in the transaction", cur)
		}
		if n := len(f.audit(t, documents.ActionUpload, store.OutcomeOK)); n != 2 {
			t.Errorf("%d upload entries, want 2", n)
		}
		if n := len(f.audit(t, documents.ActionUpload, store.OutcomeRefused)); n != 1 {
			t.Errorf("%d refusals recorded in the committed transaction, want 1", n)
		}
		f.verifyAudit(t)
	})
}

func TestNoDataKey(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	f := newFixture(t, e)
	svc := documents.New(documents.Bind[*store.Tx](e.Store), nil, e.Clock, nil)
	if _, err := svc.Put(ctx, nil, f.agentA, f.orgA, f.enrA, documents.IDCopy, "", minimalPDF("x", 0)); !errs.Has(err, errs.BadConfig) {
		t.Errorf("Put without a data key: %v", err)
	}
	d := f.put(t, f.agentA, f.orgA, f.enrA, documents.IDCopy, "", minimalPDF("x", 0))
	if _, _, err := svc.Get(ctx, f.agentA, d.ID); !errs.Has(err, errs.BadConfig) {
		t.Errorf("Get without a data key: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A document is never stored without its audit entry: if the entry cannot
// be written, nothing is, and the version it would have superseded stays
// current.
func TestUploadCommitsWithItsAuditEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		v1 := f.put(t, f.agentA, f.orgA, f.enrA, documents.ProofOfAddress, "", minimalPDF("v1", 0))
		db := e.Store.DB()
		stmts := []string{`CREATE TRIGGER audit_down BEFORE INSERT ON audit_entries
			WHEN NEW.action = 'document.upload' AND NEW.outcome = 'ok'
			BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`}
		if e.Store.Dialect() == store.Postgres {
			stmts = []string{`CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF NEW.action = 'document.upload' AND NEW.outcome = 'ok' THEN
						RAISE EXCEPTION 'audit log unavailable';
					END IF;
					RETURN NEW;
				END $$`,
				"CREATE TRIGGER audit_down BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_down()"}
		}
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.Put(ctx, nil, f.agentA, f.orgA, f.enrA, documents.ProofOfAddress, "", minimalPDF("v2", 0)); err == nil {
			t.Fatal("stored although its audit entry could not be written")
		}
		all, err := f.svc.ListAll(ctx, f.agentA, f.enrA)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].ID != v1.ID || all[0].SupersededAt != nil {
			t.Errorf("after a failed audit: %+v, want only the first version, current", all)
		}
	})
}

// Uploads of one kind for one enrollment at once leave exactly one current
// version and keep all of them.
func TestConcurrentUploadsKeepOneCurrentVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		f := newFixture(t, e)
		const n = 6
		errc := make(chan error, n)
		for i := range n {
			go func() {
				_, err := f.svc.Put(ctx, nil, f.agentA, f.orgA, f.enrA, documents.PaymentReceipt, "", minimalPDF("pago "+itoa(int64(i)), 0))
				errc <- err
			}()
		}
		for range n {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
		cur, _ := f.svc.List(ctx, f.agentA, f.enrA)
		all, _ := f.svc.ListAll(ctx, f.agentA, f.enrA)
		if len(cur) != 1 || len(all) != n {
			t.Errorf("%d current and %d versions, want 1 and %d", len(cur), len(all), n)
		}
		f.verifyAudit(t)
	})
}
