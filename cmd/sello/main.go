// Command sello is Sello's one binary: the registration authority, its CA
// backends, status services and publishers, and the operator's tools.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/internal/errs"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type globalFlags struct {
	config string
	data   string
}

func newRoot() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "sello",
		Short: "Sello: PKI for public servants' electronic signature certificates",
		Long: `Sello registers public servants, has their signing certificates issued, and keeps
the public registry of every certificate's status, following the law of each
jurisdiction (Mexican states and municipalities, Peruvian regions).

With no configuration, "sello serve" creates ./sello-data and runs everything.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.config, "config", os.Getenv("SELLO_CONFIG"), "configuration file (default: <data>/sello.yaml if present, else built-in defaults; env SELLO_CONFIG)")
	root.PersistentFlags().StringVar(&g.data, "data", envOr("SELLO_DATA", "sello-data"), "data folder used when no configuration file is given (env SELLO_DATA)")
	root.AddCommand(newVersionCmd(), newInitCmd(g), newIssuerCmd(g), newServeCmd(g), newMigrateCmd(g), newOrgCmd(g), newAgentCmd(g),
		newCertCmd(g), newAuditCmd(g), newEnrollmentCmd(g))
	root.AddCommand(newJobsCmds(g)...)
	revoke := newStatusCmds(g)[0]
	revoke.Short += " (same as sello cert revoke)"
	root.AddCommand(revoke)
	return root
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sello %s\n", v)
			return nil
		},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sello:", userMessage(err))
		os.Exit(exitCode(err))
	}
}

// userMessage shows typed errors by their client-safe detail and cause.
func userMessage(err error) string {
	return err.Error()
}

func exitCode(err error) int {
	switch errs.TypeOf(err) {
	case errs.BadConfig:
		return 78 // EX_CONFIG
	case errs.Unavailable:
		return 69 // EX_UNAVAILABLE
	}
	return 1
}
