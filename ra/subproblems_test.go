package ra_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/store/storetest"
)

// RULES R1: a refused approval names each failed rule as a subproblem, in
// Spanish and English, so a client needs no second call to learn why.
func TestRule_R1_ApprovalRefusalCarriesSubproblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		w := newWF(t, e)
		w.hr.set(maria.CURP, appointment.Active, time.Time{})
		f, _ := w.ra.FileInPerson(ctx, w.agent, ra.FileRequest{OrgCode: "SEP-JAL", Reason: "first_issuance", Person: maria})
		w.ra.Confirm(ctx, w.agent, f.Request.ID, allIn(w))
		w.hr.down = true
		_, _, err := w.ra.Approve(ctx, w.agent, f.Request.ID)
		var pe *errs.Error
		if !errors.As(err, &pe) || pe.Type != errs.PolicyRefused {
			t.Fatalf("approve with HR down: %v", err)
		}
		var r1 *errs.Subproblem
		for i, s := range pe.Subproblems {
			if s.Rule == "" || s.ES == "" || s.EN == "" || s.ES == s.EN {
				t.Errorf("subproblem %d incomplete: %+v", i, s)
			}
			if s.Rule == "R1" {
				r1 = &pe.Subproblems[i]
			}
		}
		if r1 == nil {
			t.Fatalf("no R1 subproblem in %+v", pe.Subproblems)
		}
	})
}
