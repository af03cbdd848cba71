// Package validate owns the syntactic and check-digit validation of the
// identifiers an enrollment carries: Mexico's CURP (RULES F1) and RFC (F2),
// Peru's DNI and RUC (F3), and the institutional e-mail address (R9); and,
// with Name and Text, what may be written in a name, a title or a printed
// statement (no controls, ANSI escapes, bidi overrides, zero-width characters
// or characters outside the Basic Multilingual Plane).
//
// Every refusal is an *Error with a stable machine-readable Code (for the
// policy engine and the API) and a message in English and in Spanish (es-MX)
// that a registration clerk can read to the applicant. Facts that do not
// refuse an identifier, such as an RFC whose check digit SAT itself got wrong,
// are returned as Warnings for the agent to look at.
//
// Parsers never rewrite their input: "curp lowercase" is refused, not fixed.
// Callers that want to tolerate sloppy typing normalise explicitly first
// (NormalizeCURP, NormalizeRFC), so the audit log shows both what was typed
// and what was accepted.
//
// The package uses no clock and no network: whether a CURP exists is a
// question for RENAPO, not for this package.
package validate
