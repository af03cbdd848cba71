package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// exampleArgs returns the arguments of the `sello cert issue` line of a
// command's --help example (continuation lines joined, double quotes
// honoured).
func exampleArgs(t *testing.T, example string) []string {
	t.Helper()
	i := strings.Index(example, "sello cert issue")
	if i < 0 {
		t.Fatalf("no `sello cert issue` in the example:\n%s", example)
	}
	line := strings.ReplaceAll(example[i+len("sello "):], "\\\n", " ")
	var args []string
	var cur strings.Builder
	quoted, any := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, any = !quoted, true
		case (r == ' ' || r == '\n') && !quoted:
			if any || cur.Len() > 0 {
				args = append(args, cur.String())
			}
			cur.Reset()
			any = false
		default:
			cur.WriteRune(r)
		}
	}
	if any || cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args
}

// RULES R1, P2: `sello cert issue` takes the request through the workflow.
// Its --help example, in a fresh data folder with no HR source, is refused
// (R1) and issues nothing; with the CSV roster the README shows, it issues
// a certificate that ends with the appointment's last day.
func TestRule_R1_CertIssueHelpExampleWorksWithAnHRRoster(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("SELLO_CA_PASSPHRASE", "")
	data := filepath.Join(dir, "sello-data")
	mustRun(t, "init", "--data", data)
	mustRun(t, "org", "add", "--data", data, "--code", "SEP-JAL", "--name", "Secretaría de Educación Jalisco", "--policy", "jalisco")
	openssl(t, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "juan.key",
		"-subj", "/CN=ignored", "-out", "juan.csr")
	args := append(exampleArgs(t, newCertIssueCmd(&globalFlags{}).Example), "--data", data)

	_, err := run(t, context.Background(), args...)
	if !errs.Has(err, errs.PolicyRefused) || !strings.Contains(err.Error(), "R1") {
		t.Fatalf("without an HR source: %v, want a policy refusal citing R1", err)
	}
	if _, err := os.Stat("juan.pem"); err == nil {
		t.Fatal("a certificate was written on a refusal")
	}

	mx, _ := time.LoadLocation("America/Mexico_City")
	lastDay := time.Now().In(mx).AddDate(1, 0, 0)
	roster := "curp,nombre,dependencia,puesto,estatus,inicio,fin\n" +
		"PEXJ800101HJCRXN07,Juan Pérez,Secretaría de Educación Jalisco,Jefe de Departamento,ACTIVO,2024-01-16," + lastDay.Format("2006-01-02") + "\n"
	if err := os.WriteFile("roster.csv", []byte(roster), 0o644); err != nil {
		t.Fatal(err)
	}
	hr := "\nhr:\n  - policy: jalisco\n    source:\n      kind: csv\n      name: rh-jalisco\n      csv:\n" +
		"        file: " + filepath.Join(dir, "roster.csv") + "\n        id_kind: CURP\n" +
		"        columns: {id: curp, name: nombre, organisation: dependencia, position: puesto, status: estatus, start: inicio, end: fin}\n" +
		"        status_map: {ACTIVO: active, LICENCIA: on_leave, SUSPENDIDO: suspended, BAJA: terminated}\n"
	f, err := os.OpenFile(filepath.Join(data, "sello.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(hr)
	f.Close()

	out := mustRun(t, args...)
	if !strings.Contains(out, "SEP-JAL-SOL-") {
		t.Errorf("output %q does not name the request", out)
	}
	block, _ := pem.Decode(mustRead(t, "juan.pem"))
	if block == nil {
		t.Fatal("no certificate written")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := lastDay.Date()
	if end := time.Date(y, m, d+1, 0, 0, 0, 0, mx); cert.NotAfter.After(end) || cert.NotAfter.Before(end.Add(-time.Minute)) {
		t.Errorf("notAfter %s, want the end of the appointment's last day (%s) in Mexico City", cert.NotAfter, lastDay.Format("2006-01-02"))
	}
	if cert.Subject.SerialNumber != "PNOMX-PEXJ800101HJCRXN07" || len(cert.Subject.OrganizationalUnit) != 0 {
		t.Errorf("subject %s", cert.Subject)
	}
}
