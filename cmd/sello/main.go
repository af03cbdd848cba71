// Command sello is Sello's one binary: the registration authority, its CA
// backends, status services and publishers, and the operator's tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sello-pki/sello/internal/errs"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type globalFlags struct {
	config string
	data   string
	lang   string // language of messages: "es" (default) or "en"
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
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if g.lang != errs.Spanish && g.lang != errs.English {
				return errs.New(errs.Malformed, "language %q: use \"es\" or \"en\"", g.lang)
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&g.config, "config", os.Getenv("SELLO_CONFIG"), "configuration file (default: <data>/sello.yaml if present, else built-in defaults; env SELLO_CONFIG)")
	root.PersistentFlags().StringVar(&g.lang, "lang", envOr("SELLO_LANG", errs.Spanish), "language of messages and errors: es or en (env SELLO_LANG)")
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
	root := newRoot()
	if err := root.ExecuteContext(ctx); err != nil {
		lang, _ := root.PersistentFlags().GetString("lang")
		fmt.Fprintln(os.Stderr, "sello:", userMessage(err, lang))
		os.Exit(exitCode(err))
	}
}

// userMessage says what went wrong once, in lang: a typed error by its
// detail in that language, followed by its cause only when the detail does
// not already quote it (errs.Wrap callers often do), so an operator reads
// neither the type name nor the same text twice.
func userMessage(err error, lang string) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	// Keep the context an untyped wrapper added in front of the typed error.
	prefix := strings.TrimSuffix(err.Error(), e.Error())
	if prefix == err.Error() {
		prefix = ""
	}
	return prefix + typedMessage(e, lang)
}

func typedMessage(e *errs.Error, lang string) string {
	msg := e.Message(lang)
	if e.Cause == nil {
		return msg
	}
	cause := e.Cause.Error()
	var inner *errs.Error
	if errors.As(e.Cause, &inner) && (strings.Contains(e.Detail, inner.Detail) || strings.Contains(msg, inner.Message(lang))) {
		return msg
	}
	if strings.Contains(e.Detail, cause) || strings.Contains(msg, cause) {
		return msg
	}
	return msg + ": " + userMessage(e.Cause, lang)
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
