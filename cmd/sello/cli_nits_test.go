package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
)

// Issue 17: the enrollment commands take a folio or an id, as the API does.
func TestEnrollmentCommandsTakeFolioOrID(t *testing.T) {
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "init", "--data", data)
	a, err := openApp(context.Background(), &globalFlags{data: data}, io.Discard, openOptions{signer: true, ack: true})
	if err != nil {
		t.Fatal(err)
	}
	f, err := a.ra.FileInPerson(context.Background(), operator(), ra.FileRequest{OrgCode: "AC", Reason: "first_issuance",
		Person: store.PersonData{GivenNames: "Ana", FirstSurname: "Ruiz", CURP: "LOHM800101MJCPRR06", Email: "ana.ruiz@jalisco.gob.mx"}})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{f.Request.Folio, strconv.FormatInt(f.Request.ID, 10)} {
		if out := mustRun(t, "enrollment", "show", ref, "--data", data); !strings.Contains(out, f.Request.Folio) {
			t.Errorf("enrollment show %s:\n%s", ref, out)
		}
	}
	if out := mustRun(t, "enrollment", "deficient", strconv.FormatInt(f.Request.ID, 10), "--data", data); !strings.Contains(out, f.Request.Folio) {
		t.Errorf("a step by id:\n%s", out)
	}
}

// Issue 17: the examples of `sello cert suspend|revoke|extinguish --help`
// name a reason of the default policy's catalogue, of the right kind, that
// the requester shown may ask for.
func TestStatusExamplesUseReasonsThatExist(t *testing.T) {
	set, err := policies.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := set.Get("jalisco")
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]string{"suspend": "suspension", "revoke": "revocation", "extinguish": "extinction"}
	for use, group := range groups {
		ex := statusExample(use)
		fields := strings.Fields(ex)
		var reason, requester string
		for i, f := range fields {
			if f == "--reason" && i+1 < len(fields) {
				reason = fields[i+1]
			}
			if f == "--requester" && i+1 < len(fields) {
				requester = fields[i+1]
			}
		}
		r, g, ok := pol.StatusReason(reason)
		if !ok || g != group {
			t.Errorf("sello cert %s example: reason %q is not a %s reason of jalisco (%s)", use, reason, group, ex)
		}
		if requester == ra.ByHolder && !r.HolderMay {
			t.Errorf("sello cert %s example: the holder may not ask for %q", use, reason)
		}
	}
}

// Issue 17: the job commands print a report for a person, not a Go struct.
func TestJobReportsAreReadable(t *testing.T) {
	var b strings.Builder
	if err := printReport(&b, "deadline scheduler", &ra.DeadlineReport{NotPresented: []string{"AC-SOL-2026-000001"}, Errors: []string{"boom"}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"not presented: 1", "    AC-SOL-2026-000001", "errors: 1", "boom"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "{}[]") || strings.Contains(out, "null") {
		t.Errorf("report looks like a Go value or JSON:\n%s", out)
	}
	b.Reset()
	printReport(&b, "appointment monitor", &ra.MonitorReport{})
	if b.String() != "appointment monitor: nothing to do\n" {
		t.Errorf("empty report: %q", b.String())
	}
}
