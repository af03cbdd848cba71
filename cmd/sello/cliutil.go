package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/sello-pki/sello/ra"
)

// loadRequest finds a request by its folio (SEP-JAL-SOL-2026-000001) or by
// its id (42), as the agents' API names it.
func loadRequest(ctx context.Context, a *app, actor ra.Actor, ref string) (*ra.Request, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return a.ra.Load(ctx, actor, id)
	}
	return a.ra.LoadByFolio(ctx, actor, ref)
}

// statusExamples are the `sello cert` examples, with reasons from the
// default policy's (jalisco) catalogue that the requester shown may ask for.
var statusExamples = map[string]string{
	"suspend":    "--reason possible_compromise --requester holder",
	"revoke":     "--reason key_compromise --requester holder",
	"lift":       "--requester holder",
	"extinguish": "--reason death --requester agent",
}

func statusExample(use string) string {
	return "  sello cert " + use + " 6cca37b4e92176114adf774ac65efb51 --identifier LOHM800101MJCPRR06 " + statusExamples[use]
}

// printReport writes a job's report (ra.DeadlineReport, ra.MonitorReport)
// for a person: one line per count or list, the items of a list below it,
// empty lists and zero counts left out. Fields are read by reflection so
// that a field added to a report is printed without a change here.
func printReport(w io.Writer, what string, rep any) error {
	v := reflect.Indirect(reflect.ValueOf(rep))
	if f := v.FieldByName("Skipped"); f.IsValid() && f.Kind() == reflect.Bool && f.Bool() {
		_, err := fmt.Fprintf(w, "%s: skipped (another node is running it)\n", what)
		return err
	}
	var lines []string
	for i := 0; i < v.NumField(); i++ {
		sf, f := v.Type().Field(i), v.Field(i)
		if !sf.IsExported() || sf.Name == "Skipped" {
			continue
		}
		label := words(sf.Name)
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			if f.Int() != 0 {
				lines = append(lines, fmt.Sprintf("  %s: %d", label, f.Int()))
			}
		case reflect.Slice:
			if f.Len() == 0 {
				continue
			}
			lines = append(lines, fmt.Sprintf("  %s: %d", label, f.Len()))
			for j := 0; j < f.Len(); j++ {
				lines = append(lines, fmt.Sprintf("    %v", f.Index(j).Interface()))
			}
		case reflect.Bool:
			if f.Bool() {
				lines = append(lines, "  "+label)
			}
		}
	}
	if len(lines) == 0 {
		_, err := fmt.Fprintf(w, "%s: nothing to do\n", what)
		return err
	}
	_, err := fmt.Fprintf(w, "%s:\n%s\n", what, strings.Join(lines, "\n"))
	return err
}

// words turns a Go field name (NotPresented) into lower-case words (not
// presented).
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
