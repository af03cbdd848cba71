package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RULES P1: one deployment serves two jurisdictions; each organisation's
// certificates are issued by the issuer of its policy, whose name is its
// government's, and verify against that issuer's chain only.
func TestRule_P1_TwoJurisdictionsOneDeployment(t *testing.T) {
	data := filepath.Join(t.TempDir(), "sello-data")
	t.Setenv("SELLO_LISTEN_HTTP", "127.0.0.1:0")
	t.Setenv("SELLO_LISTEN_HTTPS", "127.0.0.1:0")
	t.Setenv("SELLO_CA_PASSPHRASE", "")

	mustRun(t, "init", "--data", data)
	out := mustRun(t, "issuer", "add", "--data", data, "--policy", "cajamarca")
	if !strings.Contains(out, "Gobierno Regional Cajamarca Issuing CA") {
		t.Fatalf("issuer add: %s", out)
	}
	if _, err := run(t, t.Context(), "issuer", "add", "--data", data, "--policy", "cajamarca"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second issuer add: %v", err)
	}
	list := mustRun(t, "issuer", "list", "--data", data)
	for _, want := range []string{"cajamarca\t", "jalisco\t", "Gobierno del Estado de Jalisco Issuing CA", "policy zacatecas has no issuer"} {
		if !strings.Contains(list, want) {
			t.Errorf("issuer list lacks %q:\n%s", want, list)
		}
	}
	for _, f := range []string{"ca/root.crt", "ca/root.key", "ca/jalisco/issuing.crt", "ca/jalisco/chain.pem", "ca/cajamarca/issuing.crt", "ca/cajamarca/issuing.key"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("data folder lacks %s", f)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(data, "ca", "cajamarca", "issuing.key")); !bytes.Contains(b, []byte("ENCRYPTED PRIVATE KEY")) {
		t.Error("the new issuer's key is not encrypted at rest")
	}

	httpURL, _, _ := startServe(t, data)
	dir := t.TempDir()
	save := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fetch := func(path string) []byte {
		code, body := get(t, http.DefaultClient, httpURL+path)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", path, code, body)
		}
		return body
	}
	root := save("root.pem", fetch("/ca/root.pem"))
	chains := map[string]string{"jalisco": save("jalisco-chain.pem", fetch("/ca/jalisco/chain.pem")),
		"cajamarca": save("cajamarca-chain.pem", fetch("/ca/cajamarca/chain.pem"))}

	mustRun(t, "org", "add", "--data", data, "--code", "SEP-JAL", "--name", "Secretaría de Educación Jalisco", "--policy", "jalisco")
	mustRun(t, "org", "add", "--data", data, "--code", "GRC-SGRH", "--name", "Gobierno Regional Cajamarca", "--policy", "cajamarca")
	agents := map[string][]string{
		"jalisco": {"--org", "SEP-JAL", "--given-names", "María Guadalupe", "--first-surname", "López", "--curp", "LOHM800101MJCPRR06",
			"--email", "maria.lopez@jalisco.gob.mx"},
		"cajamarca": {"--org", "GRC-SGRH", "--given-names", "Rosa", "--first-surname", "Quispe", "--dni", "45678912",
			"--email", "rosa.quispe@regioncajamarca.gob.pe"},
	}
	wantIssuer := map[string]string{"jalisco": "CN=Gobierno del Estado de Jalisco Issuing CA", "cajamarca": "CN=Gobierno Regional Cajamarca Issuing CA"}
	for name, args := range agents {
		p12 := filepath.Join(dir, name+".p12")
		mustRun(t, append([]string{"agent", "add", "--data", data, "--role", "agent", "--title", "Agente registrador", "--out", p12}, args...)...)
		pass, _ := os.ReadFile(p12 + ".pass")
		leafPEM := firstCert(openssl(t, "pkcs12", "-info", "-in", p12, "-passin", "pass:"+strings.TrimSpace(string(pass)), "-nodes"))
		leaf := save(name+".pem", leafPEM)

		issuerDN := openssl(t, "x509", "-in", leaf, "-noout", "-issuer", "-nameopt", "utf8,sep_comma_plus_space")
		if !strings.Contains(issuerDN, wantIssuer[name]) {
			t.Errorf("%s certificate issued by %s, want %s", name, issuerDN, wantIssuer[name])
		}
		for other, chain := range chains {
			out, err := exec.Command("openssl", "verify", "-CAfile", root, "-untrusted", chain, leaf).CombinedOutput()
			if ok := err == nil && strings.Contains(string(out), ": OK"); ok != (other == name) {
				t.Errorf("%s certificate against the %s chain: verified=%v\n%s", name, other, ok, out)
			}
		}

		// The caIssuers URL written into the certificate answers with the
		// certificate of the issuer that signed it.
		blk, _ := pem.Decode(leafPEM)
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if len(cert.IssuingCertificateURL) != 1 {
			t.Fatalf("%s: caIssuers %v", name, cert.IssuingCertificateURL)
		}
		u, _ := url.Parse(cert.IssuingCertificateURL[0])
		if u.Path != "/ca/"+name+"/issuing.crt" {
			t.Errorf("%s: caIssuers %s", name, u)
		}
		issuing, err := x509.ParseCertificate(fetch(u.Path))
		if err != nil || cert.CheckSignatureFrom(issuing) != nil {
			t.Errorf("%s: the caIssuers certificate did not sign it: %v", name, err)
		}
		if len(cert.CRLDistributionPoints) != 1 || !strings.HasSuffix(cert.CRLDistributionPoints[0], "/crl/"+name+".crl") {
			t.Errorf("%s: CRL %v", name, cert.CRLDistributionPoints)
		}
	}
	metrics := string(fetch("/metrics"))
	for _, want := range []string{`sello_certificates{issuer="jalisco",status="valid"}`, `sello_certificates{issuer="cajamarca",status="valid"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
