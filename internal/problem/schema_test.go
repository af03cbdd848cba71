package problem_test

import (
	"net/http/httptest"
	"testing"

	"github.com/sello-pki/sello/internal/apischema"
	"github.com/sello-pki/sello/internal/apischema/schematest"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
)

// The problem document a client receives conforms to the schema the OpenAPI
// document publishes for it, in both languages.
func TestDocument_ConformsToItsSchema(t *testing.T) {
	reg := apischema.NewRegistry()
	if _, err := reg.Response(problem.Document{}); err != nil {
		t.Fatal(err)
	}
	v, err := schematest.FromRegistry(reg)
	if err != nil {
		t.Fatal(err)
	}
	refusal := errs.New(errs.PolicyRefused, "requirements not met: %s", "R1").WithSubproblems(
		errs.Subproblem{Rule: "R1", ES: "sin nombramiento", EN: "no appointment"})
	for _, lang := range []string{"es", "en"} {
		for _, err := range []error{refusal, errs.New(errs.NotFound, "agent %d not found", 1), errs.New(errs.Internal, "internal error")} {
			w := httptest.NewRecorder()
			problem.Write(w, lang, err)
			if err := v.Validate("Problem", w.Body.Bytes()); err != nil {
				t.Errorf("%s: %s: %v", lang, w.Body.String(), err)
			}
		}
	}
}
