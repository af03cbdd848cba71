package main

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
)

// newCertIssueCmd is `sello cert issue`: operator issuance, which files the
// request in person and takes it through the workflow (ra.IssueForPerson).
func newCertIssueCmd(g *globalFlags) *cobra.Command {
	var (
		pf                                     personFlags
		org, csr, out, reason, place           string
		idKind, idNumber, idIssuer             string
		documents, biometrics                  []string
		inPerson, agreement, requestForm, rnpo bool
		payment, dniIssued                     string
	)
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "File a request in person and issue its certificate for the holder's CSR",
		Long: `Issue a public servant's certificate at the desk, for a CSR the holder made on
their own device (RULES P3). The request is filed in person (it gets a folio and an
acknowledgement) and taken through the workflow: the appointment is looked up in
the organisation's HR source (RULES R1), the in-person items declared with the
flags below are confirmed, and the policy's evaluation must find nothing unmet.
Validity ends no later than the appointment's end and the government's term (P2).
The subject comes from the data given here and HR's post; the CSR's subject is
ignored.

Nothing is issued when a requirement is unmet (no HR source configured, no
current appointment, a missing ID, biometric or signature...): the command lists
every unmet requirement with its rule id, and the request stays in review under
its folio (see sello enrollment show FOLIO).`,
		Example: `  # Jalisco: ID, appointment letter, biometrics, appearance and agreement
  sello cert issue --org SEP-JAL --csr juan.csr --given-names Juan --first-surname Pérez \
    --curp PEXJ800101HJCRXN07 --email juan.perez@jalisco.gob.mx --title "Jefe de Departamento" \
    --id-kind INE --id-number IDMEX1234567890 --document APPOINTMENT_LETTER=2026-11-02 \
    --biometrics PHOTO,FINGERPRINTS,HANDWRITTEN_SIGNATURE --in-person --agreement-signed --out juan.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" || csr == "" || pf.title == "" {
				return errs.New(errs.Malformed, "--org, --csr and --title are required")
			}
			der, err := os.ReadFile(csr)
			if err != nil {
				return errs.Wrap(errs.Malformed, err, "--csr")
			}
			c := ra.Confirm{Biometrics: biometrics, PaymentReceipt: payment, DNIIssueDate: dniIssued}
			if idKind != "" || idNumber != "" {
				c.IDDocument = &policies.IDDocument{Kind: strings.ToUpper(idKind), Number: idNumber, Issuer: strings.ToUpper(idIssuer)}
			}
			for _, d := range documents {
				kind, date, ok := strings.Cut(d, "=")
				issued, perr := time.Parse("2006-01-02", date)
				if !ok || kind == "" || perr != nil {
					return errs.New(errs.Malformed, "--document %q: want KIND=YYYY-MM-DD (the document's issue date)", d)
				}
				if c.Documents == nil {
					c.Documents = map[string]time.Time{}
				}
				c.Documents[strings.ToUpper(kind)] = issued
			}
			flag := func(name string, v bool) *bool {
				if !cmd.Flags().Changed(name) {
					return nil
				}
				return &v
			}
			c.InPerson, c.Agreement = flag("in-person", inPerson), flag("agreement-signed", agreement)
			c.RequestForm, c.RENAPO = flag("request-form-signed", requestForm), flag("renapo-confirmed", rnpo)
			a, err := openApp(cmd.Context(), g, cmd.ErrOrStderr(), openOptions{signer: true})
			if err != nil {
				return err
			}
			defer a.Close()
			iss, err := a.ra.IssueForPerson(cmd.Context(), operator(), ra.OperatorIssuance{OrgCode: org, Reason: reason,
				Person: pf.data(), Title: pf.title, Place: place, Confirm: c, CSR: der})
			if err != nil {
				lang, _ := cmd.Root().PersistentFlags().GetString("lang")
				printFindings(cmd.ErrOrStderr(), err, lang)
				return err
			}
			var body []byte
			body = append(body, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.Cert.Raw})...)
			for _, c := range iss.Chain {
				body = append(body, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(body)
				return err
			}
			if err := os.WriteFile(out, body, 0o644); err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "request %s: certificate %s for %s written to %s (valid until %s)\n", iss.Request.Folio,
				iss.Record.Serial, iss.Cert.Subject.CommonName, out, iss.Cert.NotAfter.Format(time.RFC3339))
			return nil
		},
	}
	pf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&org, "org", "", "organisation code (required)")
	f.StringVar(&csr, "csr", "", "the holder's CSR file, PEM or DER (required)")
	f.StringVar(&out, "out", "-", "where to write the certificate and chain (PEM)")
	f.StringVar(&reason, "reason", "", "request reason of the policy (default: its first, first issuance)")
	f.StringVar(&place, "place", "", "where the request is filed, for the acknowledgement")
	f.StringVar(&idKind, "id-kind", "", "official ID the agent saw (RULES R2): INE, PASSPORT, DRIVING_LICENSE, DNI...")
	f.StringVar(&idNumber, "id-number", "", "the ID document's number")
	f.StringVar(&idIssuer, "id-issuer", "", "who issued the ID, as an ISO 3166 code (e.g. MX-JAL), when the policy restricts it")
	f.StringArrayVar(&documents, "document", nil, "supporting document seen, KIND=YYYY-MM-DD with its issue date (repeatable)")
	f.StringSliceVar(&biometrics, "biometrics", nil, "biometrics captured (RULES R7): PHOTO,FINGERPRINTS,HANDWRITTEN_SIGNATURE")
	f.BoolVar(&inPerson, "in-person", false, "the applicant appeared in person and their data match the ID (RULES R6)")
	f.BoolVar(&agreement, "agreement-signed", false, "the holder signed the agreement (RULES R8)")
	f.BoolVar(&requestForm, "request-form-signed", false, "the holder signed the request form (RULES R8)")
	f.BoolVar(&rnpo, "renapo-confirmed", false, "the CURP was confirmed with RENAPO (RULES R3, Zacatecas)")
	f.StringVar(&payment, "payment-receipt", "", "payment receipt number (RULES R10)")
	f.StringVar(&dniIssued, "dni-issue-date", "", "the DNI's issue date, YYYY-MM-DD (Peru)")
	return cmd
}

// printFindings lists a refusal's unmet requirements, one a line with its
// rule id, in lang ("en" or Spanish), so the operator sees what is missing.
func printFindings(w io.Writer, err error, lang string) {
	var e *errs.Error
	if !errors.As(err, &e) {
		return
	}
	for _, s := range e.Subproblems {
		text := s.ES
		if lang == "en" {
			text = s.EN
		}
		fmt.Fprintf(w, "  - %s: %s\n", s.Rule, text)
	}
}
