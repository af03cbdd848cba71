package policies

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
)

// The CEL variables a condition may use. Each is typed, so a misspelt name or
// a wrong comparison fails when the policy loads, not when an applicant files.
var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		ext.Strings(),
		cel.Variable("reason", cel.StringType),
		cel.Variable("curp", cel.StringType),
		cel.Variable("rfc", cel.StringType),
		cel.Variable("dni", cel.StringType),
		cel.Variable("email", cel.StringType),
		cel.Variable("email_verified", cel.BoolType),
		cel.Variable("online", cel.BoolType),
		cel.Variable("id_kind", cel.StringType),
		cel.Variable("in_person", cel.BoolType),
		cel.Variable("agreement_signed", cel.BoolType),
		cel.Variable("request_form_signed", cel.BoolType),
		cel.Variable("payment_receipt", cel.StringType),
		cel.Variable("appointment_status", cel.StringType),
		cel.Variable("appointment_position", cel.StringType),
		cel.Variable("appointment_organisation", cel.StringType),
		cel.Variable("appointment_start", cel.TimestampType),
		cel.Variable("appointment_end", cel.TimestampType),
		cel.Variable("documents", cel.MapType(cel.StringType, cel.TimestampType)),
		cel.Variable("biometrics", cel.ListType(cel.StringType)),
		cel.Variable("filed_at", cel.TimestampType),
		cel.Variable("now", cel.TimestampType),
	)
})

// CELVariables lists the variables conditions may use (for policies/README.md).
func CELVariables() []string {
	env, _ := celEnv()
	var out []string
	for _, v := range env.Variables() {
		out = append(out, v.Name())
	}
	sort.Strings(out)
	return out
}

type compiledCondition struct {
	Condition
	when cel.Program // nil when there is no guard
	must cel.Program
}

func compileBool(env *cel.Env, field, expr string) (cel.Program, error) {
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%s: %s does not compile: %v", field, expr, iss.Err())
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("%s: %s is %s, want bool", field, expr, ast.OutputType())
	}
	return env.Program(ast)
}

func compileCondition(c Condition) (compiledCondition, error) {
	env, err := celEnv()
	if err != nil {
		return compiledCondition{}, err
	}
	out := compiledCondition{Condition: c}
	if c.Must == "" {
		return out, fmt.Errorf("must: the condition's CEL expression is required")
	}
	if out.must, err = compileBool(env, "must", c.Must); err != nil {
		return out, err
	}
	if c.When != "" {
		if out.when, err = compileBool(env, "when", c.When); err != nil {
			return out, err
		}
	}
	return out, nil
}

// farFuture stands for an open-ended appointment in CEL.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func (e *Enrollment) activation(now time.Time) map[string]any {
	a := map[string]any{
		"reason": e.Reason, "curp": e.CURP, "rfc": e.RFC, "dni": e.DNI, "email": e.Email,
		"email_verified": e.EmailVerified, "online": e.Online, "id_kind": "", "in_person": e.InPerson,
		"agreement_signed": e.AgreementSigned, "request_form_signed": e.RequestFormSigned,
		"payment_receipt": e.PaymentReceipt, "appointment_status": "", "appointment_position": "",
		"appointment_organisation": "", "appointment_start": time.Time{}, "appointment_end": farFuture,
		"documents": map[string]time.Time{}, "biometrics": []string{}, "filed_at": e.FiledAt, "now": now,
	}
	if e.IDDocument != nil {
		a["id_kind"] = e.IDDocument.Kind
	}
	if ap := e.Appointment; ap != nil && ap.State == AppointmentFound {
		a["appointment_status"], a["appointment_position"], a["appointment_organisation"] = ap.Status, ap.Position, ap.Organisation
		a["appointment_start"] = ap.Start
		if !ap.End.IsZero() {
			a["appointment_end"] = ap.End
		}
	}
	if e.Documents != nil {
		a["documents"] = e.Documents
	}
	if e.Biometrics != nil {
		a["biometrics"] = e.Biometrics
	}
	return a
}

// eval runs a condition; an evaluation error counts as unmet (never as met).
func (c compiledCondition) eval(act map[string]any) (applies, met bool, err error) {
	if c.when != nil {
		v, _, err := c.when.Eval(act)
		if err != nil {
			return true, false, err
		}
		if b, ok := v.Value().(bool); !ok || !b {
			return false, true, nil
		}
	}
	v, _, err := c.must.Eval(act)
	if err != nil {
		return true, false, err
	}
	b, ok := v.Value().(bool)
	return true, ok && b, nil
}
