// Package receipt owns the documents Sello hands to people on paper or as
// files: the signed acuse de recibo of every filing (RULES G3), the acceptance
// of responsibility form (R8), the revocation receipt (S4) and the written
// refusal or "not presented" decision (D1, D2).
//
// Every printed document is Spanish by default (lang "es"; "en" for English),
// A4, set in the embedded DejaVu Sans so that names such as "MARÍA
// GUADALUPE LÓPEZ HERNÁNDEZ" or "NÚÑEZ MÜLLER" print intact whatever the
// machine has installed (a character the font lacks, a control or an emoji
// prints as a visible U+FFFD: see printable), and carries in its footer the folio, a verification
// code and a QR code that leads to the online check (G4).
//
// The package does not look up policies, stores or clocks: callers pass the
// texts (reasons, grounds) and the exact times, so the same input always
// prints the same document.
package receipt
