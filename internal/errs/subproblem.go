package errs

// Subproblem is one of several reasons behind an error, e.g. one failed rule
// of an approval refusal, already written in both languages (the policy's
// findings carry their own texts, so they are not catalogue entries).
type Subproblem struct {
	Rule string // rule id, e.g. "R1"
	ES   string
	EN   string
}

// Message returns the subproblem's text in lang.
func (s Subproblem) Message(lang string) string {
	if Normalize(lang) == English {
		return s.EN
	}
	return s.ES
}

// WithSubproblems attaches subproblems to e and returns it.
func (e *Error) WithSubproblems(subs ...Subproblem) *Error {
	e.Subproblems = append(e.Subproblems, subs...)
	return e
}
