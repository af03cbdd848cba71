package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/ra"
)

// The operator's console mirrors the agents' API: it acts as a trusted
// operator ("cli:<user>" in the audit log).

func newEnrollmentCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "enrollment", Aliases: []string{"request"}, Short: "Certificate requests (the registration workflow)"}
	var org, state string
	list := &cobra.Command{
		Use: "list", Short: "List requests (newest first)", Args: cobra.NoArgs,
		RunE: withApp(g, openOptions{}, func(cmd *cobra.Command, a *app, _ []string) error {
			list, err := a.ra.Requests(cmd.Context(), operator(), ra.RequestQuery{OrgCode: org, States: splitList(state)})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FOLIO\tSTATE\tREASON\tCHANNEL\tRECEIVED")
			for _, e := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Folio, e.State, e.Reason, e.Channel, e.ReceivedAt.Time.Format("2006-01-02 15:04Z07:00"))
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&org, "org", "", "organisation code")
	list.Flags().StringVar(&state, "state", "", "states, comma-separated (submitted, email_verified, in_review, deficient, approved, …)")

	show := &cobra.Command{
		Use: "show FOLIO|ID", Short: "Show a request, with what its policy still requires", Args: cobra.ExactArgs(1),
		RunE: withApp(g, openOptions{signer: true}, func(cmd *cobra.Command, a *app, args []string) error {
			actor := operator()
			q, err := loadRequest(cmd.Context(), a, actor, args[0])
			if err != nil {
				return err
			}
			_, d, err := a.ra.Evaluation(cmd.Context(), actor, q.ID)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"folio": q.Folio, "state": q.State, "reason": q.Reason, "policy": q.PolicyID,
				"applicant": q.Person.DisplayName, "receivedAt": q.ReceivedAt.Time, "deficiencyDeadline": q.DeficiencyDeadline.Time,
				"approvable": d.Approvable(), "unmetRules": d.Rules(), "unmet": d.Unmet, "checklist": d.Checklist, "warnings": d.Warnings})
		}),
	}

	step := func(use, short string, run func(ctx context.Context, a *app, actor ra.Actor, id int64, text string) error, textFlag string) *cobra.Command {
		var text string
		c := &cobra.Command{
			Use: use + " FOLIO|ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: withApp(g, openOptions{signer: true, ack: true}, func(cmd *cobra.Command, a *app, args []string) error {
				actor := operator()
				q, err := loadRequest(cmd.Context(), a, actor, args[0])
				if err != nil {
					return err
				}
				if err := run(cmd.Context(), a, actor, q.ID, text); err != nil {
					return err
				}
				q, err = a.ra.Load(cmd.Context(), actor, q.ID)
				if err != nil {
					return err
				}
				printf(cmd.OutOrStdout(), "%s is now %s\n", q.Folio, q.State)
				return nil
			}),
		}
		if textFlag != "" {
			c.Flags().StringVar(&text, textFlag, "", "written "+textFlag+" (required)")
		}
		return c
	}
	cmd.AddCommand(list, show,
		step("attend", "Take an online request whose e-mail is verified", func(ctx context.Context, a *app, actor ra.Actor, id int64, _ string) error {
			_, err := a.ra.Attend(ctx, actor, id)
			return err
		}, ""),
		step("check-appointment", "Look the applicant's appointment up in HR (RULES R1)", func(ctx context.Context, a *app, actor ra.Actor, id int64, _ string) error {
			_, err := a.ra.CheckAppointment(ctx, actor, id)
			return err
		}, ""),
		step("deficient", "Notify the missing requirements and open the D1 term", func(ctx context.Context, a *app, actor ra.Actor, id int64, _ string) error {
			_, err := a.ra.MarkDeficient(ctx, actor, id)
			return err
		}, ""),
		step("resume", "Bring a deficient request back to review", func(ctx context.Context, a *app, actor ra.Actor, id int64, _ string) error {
			_, err := a.ra.Resume(ctx, actor, id)
			return err
		}, ""),
		step("approve", "Approve; the one-time credential goes to the institutional e-mail", func(ctx context.Context, a *app, actor ra.Actor, id int64, _ string) error {
			_, _, err := a.ra.Approve(ctx, actor, id)
			return err
		}, ""),
		step("refuse", "Refuse in writing with its grounds (RULES D2)", func(ctx context.Context, a *app, actor ra.Actor, id int64, note string) error {
			_, err := a.ra.Refuse(ctx, actor, id, note)
			return err
		}, "note"),
		step("cancel", "Cancel with a written reason (RULES R11)", func(ctx context.Context, a *app, actor ra.Actor, id int64, reason string) error {
			_, err := a.ra.Cancel(ctx, actor, id, reason)
			return err
		}, "reason"),
		step("accept", "Record the signed acceptance form (RULES R8)", func(ctx context.Context, a *app, actor ra.Actor, id int64, _ string) error {
			_, err := a.ra.Accept(ctx, actor, id)
			return err
		}, ""),
		step("issue", "Issue the certificate for the holder's CSR (--csr FILE)", func(ctx context.Context, a *app, actor ra.Actor, id int64, csrFile string) error {
			if csrFile == "" {
				return errs.New(errs.Malformed, "--csr is required")
			}
			csr, err := os.ReadFile(csrFile)
			if err != nil {
				return errs.Wrap(errs.Malformed, err, "--csr")
			}
			_, err = a.ra.IssueInPerson(ctx, actor, id, csr)
			return err
		}, "csr"),
	)
	return cmd
}

func newStatusCmds(g *globalFlags) []*cobra.Command {
	mk := func(use, kind, short string) *cobra.Command {
		var reason, identifier, requester, statement, issuer string
		var deferIt bool
		var address string
		var powerOfAttorney int64
		c := &cobra.Command{
			Use: use + " SERIAL", Short: short, Args: cobra.ExactArgs(1),
			Example: statusExample(use),
			RunE: withApp(g, openOptions{signer: true, ack: true}, func(cmd *cobra.Command, a *app, args []string) error {
				c, err := a.ra.CertificateBySerial(cmd.Context(), operator(), issuer, args[0])
				if err != nil {
					return err
				}
				res, err := a.ra.ChangeStatus(cmd.Context(), operator(), ra.StatusInput{CertificateID: c.ID,
					Kind: kind, ReasonID: reason, Identifier: identifier, Requester: requester, Statement: statement, Defer: deferIt,
					Address: address, PowerOfAttorney: powerOfAttorney})
				if err != nil {
					return err
				}
				if res.Change != nil {
					printf(cmd.OutOrStdout(), "certificate %s: %s at %s (folio %s, verification code %s)\n", c.Serial, kind,
						res.Change.At.Format("2006-01-02 15:04:05.000000Z07:00"), res.Request.Folio, res.Ack.Code)
				} else if res.Request.EffectiveAt.Valid {
					printf(cmd.OutOrStdout(), "request %s: prior notice sent; the revocation takes effect at %s unless cancelled\n", res.Request.Folio,
						res.Request.EffectiveAt.Time.Format("2006-01-02 15:04:05Z07:00"))
				} else {
					printf(cmd.OutOrStdout(), "request %s filed for another agent to decide\n", res.Request.Folio)
				}
				return nil
			}),
		}
		f := c.Flags()
		f.StringVar(&issuer, "issuer", "", "the issuer of the certificate, when its serial exists under several (see sello issuer list)")
		f.StringVar(&reason, "reason", "", "reason id from the policy's catalogue (see policies/<id>.yaml status_reasons)")
		f.StringVar(&identifier, "identifier", "", "the holder's CURP (or DNI), which must match the certificate (RULES S4)")
		f.StringVar(&requester, "requester", "agent", "holder, superior, representative or agent")
		f.StringVar(&statement, "statement", "", "what the requester stated")
		f.StringVar(&address, "address", "", "the holder's address, stated in a revocation request of the holder or a representative (RULES S4)")
		f.Int64Var(&powerOfAttorney, "power-of-attorney", 0, "id of the POWER_OF_ATTORNEY document uploaded to a request of the holder (a representative's request, RULES S4)")
		f.BoolVar(&deferIt, "defer", false, "file the request for another agent to decide instead of applying it")
		return c
	}
	return []*cobra.Command{
		mk("revoke", ra.ChangeRevoke, "Revoke a certificate (RULES S2, S4)"),
		mk("suspend", ra.ChangeSuspend, "Suspend a certificate (certificateHold; RULES S1)"),
		mk("lift", ra.ChangeLift, "Lift a suspension"),
		mk("extinguish", ra.ChangeExtinguish, "Record a certificate's extinction (death, resolution; RULES S3)"),
	}
}

func newJobsCmds(g *globalFlags) []*cobra.Command {
	deadlines := &cobra.Command{
		Use: "deadlines", Short: "The business-day deadline scheduler (RULES D1, D2, D5, S1, S3)",
	}
	deadlines.AddCommand(&cobra.Command{
		Use: "run", Short: "Run the scheduler once now", Args: cobra.NoArgs,
		RunE: withApp(g, openOptions{signer: true, ack: true}, func(cmd *cobra.Command, a *app, _ []string) error {
			rep, err := a.ra.RunDeadlines(cmd.Context(), operator())
			if err != nil {
				return err
			}
			return printReport(cmd.OutOrStdout(), "deadline scheduler", rep)
		}),
	})
	monitor := &cobra.Command{Use: "monitor", Short: "The appointment monitor (holders re-checked against HR)"}
	monitor.AddCommand(&cobra.Command{
		Use: "run", Short: "Run the appointment monitor once now", Args: cobra.NoArgs,
		RunE: withApp(g, openOptions{signer: true, ack: true}, func(cmd *cobra.Command, a *app, _ []string) error {
			rep, err := a.ra.RunMonitor(cmd.Context(), operator(), 1000)
			if err != nil {
				return err
			}
			return printReport(cmd.OutOrStdout(), "appointment monitor", rep)
		}),
	})
	return []*cobra.Command{deadlines, monitor}
}

// splitList splits a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
