package main

import (
	"crypto"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
)

func newMigrateCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations (serve also applies them at start)",
		Args:  cobra.NoArgs,
		// Opening the app with migrate applies what is pending: an empty
		// database or one behind the binary is what this command is for.
		RunE: withApp(g, openOptions{migrate: true}, func(cmd *cobra.Command, a *app, _ []string) error {
			applied := a.migrated
			if len(applied) == 0 {
				printf(cmd.OutOrStdout(), "database is up to date (%s)\n", a.store.Dialect())
			}
			for _, m := range applied {
				printf(cmd.OutOrStdout(), "applied %s\n", m)
			}
			return nil
		}),
	}
}

func newOrgCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage organisations accredited as certification service providers (RULES O1)"}
	var code, name, policy, unit, reason string
	add := &cobra.Command{
		Use:     "add",
		Short:   "Register an organisation (a dependency or entity) as an accredited service provider",
		Example: `  sello org add --code SEP-JAL --name "Secretaría de Educación Jalisco" --policy jalisco --unit "Dirección de Recursos Humanos"`,
		Args:    cobra.NoArgs,
		RunE: withApp(g, openOptions{signer: true}, func(cmd *cobra.Command, a *app, _ []string) error {
			if code == "" || name == "" {
				return errs.New(errs.Malformed, "--code and --name are required")
			}
			if policy == "" {
				policy = a.cfg.DefaultPolicy
			}
			o, err := a.ra.AddOrganisation(cmd.Context(), operator(), ra.OrganisationInput{Code: code, Name: name, Policy: policy, Unit: unit})
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "organisation %s (%s) accredited under policy %s\n", o.Code, o.Name, o.PolicyID)
			return nil
		}),
	}
	add.Flags().StringVar(&code, "code", "", "short unique code, e.g. SEP-JAL (required)")
	add.Flags().StringVar(&name, "name", "", "official name (required)")
	add.Flags().StringVar(&policy, "policy", "", "jurisdiction policy id (default: policy.default)")
	add.Flags().StringVar(&unit, "unit", "", "responsible unit within the organisation")

	list := &cobra.Command{
		Use:   "list",
		Short: "List organisations",
		Args:  cobra.NoArgs,
		RunE: withApp(g, openOptions{}, func(cmd *cobra.Command, a *app, _ []string) error {
			orgs, err := a.ra.Organisations(cmd.Context(), operator())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tPOLICY\tSTATUS\tSINCE")
			for _, o := range orgs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Code, o.Name, o.PolicyID, o.Status, o.StatusChangedAt.Format("2006-01-02 15:04:05Z"))
			}
			return tw.Flush()
		}),
	}
	status := func(use, short, st string) *cobra.Command {
		c := &cobra.Command{
			Use: use + " CODE", Short: short, Args: cobra.ExactArgs(1),
			RunE: withApp(g, openOptions{signer: true}, func(cmd *cobra.Command, a *app, args []string) error {
				o, err := a.ra.SetOrganisationStatus(cmd.Context(), operator(), args[0], st, reason)
				if err == nil {
					printf(cmd.OutOrStdout(), "organisation %s is now %s\n", o.Code, st)
				}
				return err
			}),
		}
		c.Flags().StringVar(&reason, "reason", "", "written reason (required to suspend or revoke)")
		return c
	}
	cmd.AddCommand(add, list,
		status("accredit", "Accredit (or re-accredit) an organisation", store.OrgAccredited),
		status("suspend", "Suspend an organisation's accreditation", store.OrgSuspended),
		status("revoke", "Revoke an organisation's accreditation", store.OrgRevoked))
	return cmd
}

type personFlags struct {
	given, first, second, curp, rfc, dni, email, title string
}

func (p *personFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.given, "given-names", "", "given names as on the official ID (required)")
	f.StringVar(&p.first, "first-surname", "", "first surname (required)")
	f.StringVar(&p.second, "second-surname", "", "second surname")
	f.StringVar(&p.curp, "curp", "", "CURP (Mexico)")
	f.StringVar(&p.rfc, "rfc", "", "RFC (Mexico)")
	f.StringVar(&p.dni, "dni", "", "DNI (Peru)")
	f.StringVar(&p.email, "email", "", "institutional e-mail (required)")
	f.StringVar(&p.title, "title", "", "position (cargo), shown in the certificate (required)")
}

func (p *personFlags) data() store.PersonData {
	return store.PersonData{GivenNames: p.given, FirstSurname: p.first, SecondSurname: p.second, CURP: p.curp, RFC: p.rfc, DNI: p.dni, Email: p.email}
}

func newAgentCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "agent", Short: "Manage agents, administrators, auditors and HR clients (RULES O2)"}
	var (
		pf                   personFlags
		org, role, out, pass string
	)
	add := &cobra.Command{
		Use:   "add",
		Short: "Register an agent and write their client certificate and key as a PKCS#12 file",
		Long: `Register someone who acts for an organisation and issue their login certificate.
The certificate is built from the data given here (validated under the
organisation's policy), linted, recorded and audited like every certificate.
The PKCS#12 file (AES-256, PBKDF2, SHA-256 MAC) is written to --out and its
password to --out + ".pass" unless --password-file gives one.`,
		Example: `  sello agent add --org SEP-JAL --role agent --given-names "María Guadalupe" \
    --first-surname López --second-surname Hernández --curp LOHM800101MJCPRR06 \
    --email maria.lopez@jalisco.gob.mx --title "Agente registrador" --out maria.p12`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if org == "" || out == "" || pf.title == "" {
				return errs.New(errs.Malformed, "--org, --title and --out are required")
			}
			if fileExists(out) {
				return errs.New(errs.Conflict, "%s already exists", out)
			}
			password := ""
			if pass != "" {
				b, err := os.ReadFile(pass)
				if err != nil {
					return errs.Wrap(errs.Malformed, err, "--password-file")
				}
				password = strings.TrimRight(string(b), "\r\n")
			}
			a, err := openApp(cmd.Context(), g, cmd.ErrOrStderr(), openOptions{signer: true})
			if err != nil {
				return err
			}
			defer a.Close()
			cred, err := a.ra.AddAgent(cmd.Context(), operator(), ra.AddAgentRequest{OrgCode: org, Role: role, Person: pf.data(), Title: pf.title})
			if err != nil {
				return err
			}
			if err := writePKCS12(out, out+".pass", cred, password); err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "agent %d (%s) of %s: certificate %s\n  PKCS#12: %s\n", cred.Agent.ID, role, org, cred.Cert.SerialNumber.Text(16), out)
			if password == "" {
				printf(cmd.OutOrStdout(), "  password: %s.pass\n", out)
			}
			return nil
		},
	}
	pf.register(add)
	add.Flags().StringVar(&org, "org", "", "organisation code (required)")
	add.Flags().StringVar(&role, "role", "agent", "agent, admin, auditor or hr")
	add.Flags().StringVar(&out, "out", "", "PKCS#12 file to write (required)")
	add.Flags().StringVar(&pass, "password-file", "", "file with the PKCS#12 password (default: generate one)")

	var listOrg string
	list := &cobra.Command{
		Use:   "list",
		Short: "List agents (of one organisation with --org)",
		Args:  cobra.NoArgs,
		RunE: withApp(g, openOptions{}, func(cmd *cobra.Command, a *app, _ []string) error {
			agents, err := a.ra.Agents(cmd.Context(), operator(), listOrg)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tORG\tTITLE\tSTATUS")
			for _, ag := range agents {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", ag.ID, ag.Name, ag.Role, ag.OrgCode, ag.Title, ag.Status)
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&listOrg, "org", "", "organisation code")
	var disableReason string
	disable := &cobra.Command{
		Use:   "disable ID",
		Short: "Disable an agent and revoke their login certificates",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return errs.New(errs.Malformed, "%q is not an agent id (see sello agent list)", args[0])
			}
			a, err := openApp(cmd.Context(), g, cmd.ErrOrStderr(), openOptions{signer: true})
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.ra.DisableAgent(cmd.Context(), operator(), id, disableReason); err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "agent %d disabled; their login certificates are revoked\n", id)
			return nil
		},
	}
	disable.Flags().StringVar(&disableReason, "reason", "", "written reason (required)")
	cmd.AddCommand(add, list, disable)
	return cmd
}

func newCertCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "cert", Short: "Certificates"}
	issue := newCertIssueCmd(g)
	var hpf personFlags
	var horg, hcert string
	homologate := &cobra.Command{
		Use:   "homologate",
		Short: "Register another authority's certificate after validating it (RULES O4)",
		Long: `Register a certificate issued by another certification authority. It must chain to
an authority trusted for homologation (PEM files in <data>/homologation/), be
current, and carry the holder's identifier given here.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if horg == "" || hcert == "" {
				return errs.New(errs.Malformed, "--org and --cert are required")
			}
			pemBytes, err := os.ReadFile(hcert)
			if err != nil {
				return errs.Wrap(errs.Malformed, err, "--cert")
			}
			a, err := openApp(cmd.Context(), g, cmd.ErrOrStderr(), openOptions{signer: true})
			if err != nil {
				return err
			}
			defer a.Close()
			c, err := a.ra.Homologate(cmd.Context(), operator(), ra.HomologationRequest{OrgCode: horg,
				Person: hpf.data(), Title: hpf.title, Certificate: pemBytes})
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "certificate %s (%s) registered as homologated for %s\n", c.Serial, c.Subject, horg)
			return nil
		},
	}
	hpf.register(homologate)
	homologate.Flags().StringVar(&horg, "org", "", "organisation code (required)")
	homologate.Flags().StringVar(&hcert, "cert", "", "the certificate, PEM (intermediates may follow) or DER (required)")
	cmd.AddCommand(issue, homologate)
	cmd.AddCommand(newStatusCmds(g)...)
	return cmd
}

func newAuditCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "The hash-chained audit log"}
	var jsonOut bool
	var extraKeys []string
	var headsFile string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the whole audit chain, its signed checkpoints and the heads kept outside the database",
		Long: `Recompute every entry's keyed hash (audit.chain_key_file), check each links
to the one before, that the chain reaches its recorded head, and that every
signed checkpoint still matches. Then compare the chain with what the
checkpoint key recorded outside the database: the last head it signed (its
state file, next to audit.key) must still be in the chain with its
checkpoint, and every head in the heads file (--heads FILE, else
audit.heads_file) must match the chain, which proves nothing up to the last
of them was rewritten. Finally the checkpoint policy: no more than
audit.checkpoint_every_entries entries, and none older than
audit.checkpoint_interval plus audit.checkpoint_slack, may follow the last
checkpoint. Reports the first problem, naming the entry, and exits 1.`,
		Example: `  sello audit verify
  sello audit verify --heads /mnt/backup/audit-heads.jsonl`,
		Args: cobra.NoArgs,
		RunE: withApp(g, openOptions{}, func(cmd *cobra.Command, a *app, _ []string) error {
			keys := []crypto.PublicKey{a.auditPub}
			for _, f := range extraKeys {
				k, err := readPublicKey(f)
				if err != nil {
					return err
				}
				keys = append(keys, k)
			}
			o, heads, err := auditVerifyOptions(a.cfg, keys, headsFile)
			if err != nil {
				return err
			}
			bar := newProgress(cmd.ErrOrStderr(), errs.Translate(g.lang, "verifying audit log"))
			o.Progress = bar.update
			rep, err := a.ra.VerifyAudit(cmd.Context(), operator(), o)
			bar.done()
			if err != nil {
				return err
			}
			if jsonOut {
				json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
			} else if rep.Problem == nil {
				printAuditReport(cmd.OutOrStdout(), g.lang, a.cfg, rep, heads)
			}
			if rep.Problem != nil {
				return auditProblemError(rep.Problem)
			}
			return nil
		}),
	}
	verify.Flags().BoolVar(&jsonOut, "json", false, "print the report as JSON")
	verify.Flags().StringSliceVar(&extraKeys, "key", nil, "further trusted checkpoint public keys (PEM files), e.g. after a key rotation")
	verify.Flags().StringVar(&headsFile, "heads", "", "exported heads (one JSON line each) that must all match the chain (default: audit.heads_file when it exists)")
	checkpoint := &cobra.Command{
		Use:   "checkpoint",
		Short: "Write a signed checkpoint of the chain's tip now",
		Args:  cobra.NoArgs,
		RunE: withApp(g, openOptions{signer: true}, func(cmd *cobra.Command, a *app, _ []string) error {
			wrote, err := a.ra.Checkpoint(cmd.Context(), operator())
			if err != nil {
				return err
			}
			if wrote {
				printf(cmd.OutOrStdout(), "checkpoint written\n")
			} else {
				printf(cmd.OutOrStdout(), "no new entries since the last checkpoint\n")
			}
			return nil
		}),
	}
	cmd.AddCommand(verify, checkpoint)
	return cmd
}
