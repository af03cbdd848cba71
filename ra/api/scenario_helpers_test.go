package api

// The harness of the acceptance scenarios (issue #4): the real stack built
// in-process and driven over HTTPS. Nothing here is faked except the two
// outside systems Sello talks to, each replaced by a real server of the same
// protocol (scenario_fakes_test.go): Human Resources (an HTTP JSON API
// behind a bearer token, read through appointment.NewHTTPSource) and the mail
// relay (an SMTP server, emersion/go-smtp, fed by notify.SMTPSender through
// notify.Worker). The files, identifiers and keys the scenarios feed the API
// are in scenario_fixtures_test.go.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/ca/local"
	"github.com/sello-pki/sello/internal/problem"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/appointment"
	"github.com/sello-pki/sello/ra/documents"
	"github.com/sello-pki/sello/ra/notify"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// ---------------------------------------------------------------------------
// The harness.

const scPublicURL = "http://firma.example.gob.mx"

// scPortalURL is the HTTPS base of the links handed to people
// (listen.portal_url): they lead to pages with personal data.
const scPortalURL = "https://firma.example.gob.mx"

type scHarness struct {
	t      *testing.T
	env    *storetest.Env
	store  *store.Store
	clk    interface{ Now() time.Time }
	hier   *local.Hierarchy
	ra     *ra.RA
	pols   policies.Set
	hr     *scFakeHR
	sink   *scSMTPSink
	worker *notify.Worker
	srv    *httptest.Server
	api    *Handler
	roots  *x509.CertPool // the embedded CA's root
	inter  *x509.CertPool // its issuing CA
	anon   *http.Client   // TLS without a client certificate
	mails  []scEmail      // every e-mail received so far, in order
	seen   int            // sink messages already parsed into mails
	links  []scLink       // every link found in an e-mail, a PDF or a QR code
}

// newScHarness builds the whole stack on e, with the fake clock set to now.
func newScHarness(t *testing.T, e *storetest.Env, now time.Time) *scHarness {
	t.Helper()
	e.Clock.Set(now)
	h := &scHarness{t: t, env: e, store: e.Store, clk: e.Clock, hr: &scFakeHR{people: map[string]scHRRecord{}}}

	// The embedded CA: a root and an issuing CA (both backdated an hour), and
	// the local signer that lints before it signs.
	hier, err := local.GenerateHierarchy(e.Clock, local.HierarchyOptions{CommonName: "Gobierno de Prueba", Organization: "Gobierno de Prueba",
		Country: "MX", RootCRLURL: scPublicURL + "/crl/root.crl", RootCertURL: scPublicURL + "/ca/root.crt"})
	if err != nil {
		t.Fatal(err)
	}
	h.hier = hier
	signer, err := local.New(local.Config{Issuer: hier.Issuing, Key: hier.IssuingKey, Chain: hier.Chain, Store: e.Store, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}
	h.roots, h.inter = x509.NewCertPool(), x509.NewCertPool()
	h.roots.AddCert(hier.Root)
	h.inter.AddCert(hier.Issuing)

	h.pols, err = policies.Builtin()
	if err != nil {
		t.Fatal(err)
	}

	// Human Resources, asked through the real HTTP source.
	hrSrv := httptest.NewServer(h.hr)
	t.Cleanup(hrSrv.Close)
	tokenFile := filepath.Join(t.TempDir(), "rh.token")
	if err := os.WriteFile(tokenFile, []byte(scHRToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srcs := map[string]appointment.Source{}
	for id := range h.pols {
		src, err := appointment.NewHTTPSource("rh-"+id, appointment.HTTPConfig{
			URL: hrSrv.URL + "/api/v1/servidores/{kind}/{id}", TokenFile: tokenFile, Timeout: 5 * time.Second,
			Fields: appointment.HTTPFields{Organisation: "data.dependencia", Position: "data.puesto", Status: "data.estatus",
				Start: "data.fecha_inicio", End: "data.fecha_fin"},
			Mapping: appointment.Mapping{StatusMap: map[string]appointment.Status{"ACTIVO": appointment.Active,
				"LICENCIA": appointment.OnLeave, "SUSPENDIDO": appointment.Suspended, "BAJA": appointment.Terminated}},
		}, e.Clock)
		if err != nil {
			t.Fatal(err)
		}
		srcs[id] = src
	}

	var issuers []*ra.Issuer
	for id := range h.pols {
		is, err := ra.NewIssuer(context.Background(), id, signer)
		if err != nil {
			t.Fatal(err)
		}
		issuers = append(issuers, is)
	}
	h.ra = ra.New(ra.Config{Store: ra.Bind[*store.Tx](e.Store), Issuers: issuers,
		Policies: h.pols, PublicURL: scPublicURL, PortalURL: scPortalURL, Clock: e.Clock, Appointments: srcs,
		Documents: documents.New(documents.Bind[*store.Tx](e.Store), e.Box, e.Clock, nil)})

	// The mail relay and the outbox worker that feeds it.
	h.sink = startScSink(t)
	host, port, _ := net.SplitHostPort(h.sink.addr)
	var portN int
	fmt.Sscan(port, &portN)
	sender, err := notify.NewSMTPSender(notify.Config{Host: host, Port: portN, From: "Firma Electrónica <no-reply@firma.example.gob.mx>",
		TLS: notify.TLSNone, Timeout: 10 * time.Second}, e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	h.worker, err = notify.NewWorker(notify.WorkerConfig{Store: e.Store, Sender: sender, Clock: e.Clock})
	if err != nil {
		t.Fatal(err)
	}

	// The agents' API over HTTPS: client certificates verified against the
	// CA chain when given, at the fake clock's time.
	handler := New(Config{RA: h.ra})
	h.api = handler
	h.srv = httptest.NewUnstartedServer(handler)
	clientCAs := x509.NewCertPool()
	for _, c := range hier.Chain {
		clientCAs.AddCert(c)
	}
	h.srv.TLS = &tls.Config{MinVersion: tls.VersionTLS12, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: clientCAs, Time: e.Clock.Now}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	h.anon = h.client(nil)
	return h
}

// client returns an HTTPS client for the test server, presenting cert when
// given.
func (h *scHarness) client(cert *tls.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(h.srv.Certificate())
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	h.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// addOrg accredits an organisation the way `sello org add` does.
func (h *scHarness) addOrg(code, name, policy, unit string) *store.Organisation {
	h.t.Helper()
	ctx := context.Background()
	o := &store.Organisation{Code: code, Name: name, PolicyID: policy, ResponsibleUnit: unit}
	err := h.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		_, err := tx.Audit(ctx, store.Event{Actor: "cli:prueba", Action: "org.add", Object: fmt.Sprintf("org:%d", o.ID),
			Outcome: store.OutcomeOK, Details: map[string]any{"code": code, "policy": policy}})
		return err
	})
	if err != nil {
		h.t.Fatalf("org add %s: %v", code, err)
	}
	return o
}

// setAckSigner issues the acknowledgement signer's certificate through the
// CA, as `sello init` does, under the organisation orgCode.
func (h *scHarness) setAckSigner(orgCode, scEmail string) {
	h.t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		h.t.Fatal(err)
	}
	iss, err := h.ra.IssueServiceCertificate(context.Background(), ra.System("init"), orgCode, "Acuses de recibo", scEmail,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))
	if err != nil {
		h.t.Fatalf("acknowledgement signer: %v", err)
	}
	h.ra.SetAckSigner(ra.AckSigner{Key: key, Chain: append([]*x509.Certificate{iss.Cert}, iss.Chain...)})
}

// scAgent is a registration agent (or admin) logged in with the certificate
// `sello agent add` gave them.
type scAgent struct {
	*http.Client
	ID   int64
	Cert *x509.Certificate
}

// addAgent registers an agent the way `sello agent add` does and returns an
// HTTPS client that logs in with the agent's certificate.
func (h *scHarness) addAgent(orgCode, role string, p store.PersonData, title string) *scAgent {
	h.t.Helper()
	cred, err := h.ra.AddAgent(context.Background(), ra.CLI("prueba"), ra.AddAgentRequest{OrgCode: orgCode, Role: role, Person: p, Title: title})
	if err != nil {
		h.t.Fatalf("agent add %s %s: %v", orgCode, p.Email, err)
	}
	chain := [][]byte{cred.Cert.Raw}
	for _, c := range cred.Chain {
		chain = append(chain, c.Raw)
	}
	return &scAgent{Client: h.client(&tls.Certificate{Certificate: chain, PrivateKey: cred.Key, Leaf: cred.Cert}), ID: cred.Agent.ID, Cert: cred.Cert}
}

// ---------------------------------------------------------------------------
// HTTP.

type scResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r scResponse) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// scRawJSON is sent as the body as it is (malformed JSON).
type scRawJSON string

func (h *scHarness) do(c *http.Client, method, path string, body any) scResponse {
	h.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case scRawJSON:
		rd, ct = strings.NewReader(string(b)), "application/json"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return h.send(c, req)
}

func (h *scHarness) send(c *http.Client, req *http.Request) scResponse {
	h.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL.Path, err)
	}
	out := scResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
	checkContract(h.t, h.api, req, out)
	return out
}

// ok calls and requires the status want, decoding the JSON answer into out.
func (h *scHarness) ok(c *http.Client, want int, method, path string, body, out any) scResponse {
	h.t.Helper()
	r := h.do(c, method, path, body)
	if r.Status != want {
		h.t.Fatalf("%s %s = %s, want %d", method, path, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			h.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, r.Body)
		}
	}
	return r
}

// upload posts one document or biometric capture as multipart/form-data.
func (h *scHarness) upload(c *http.Client, requestID int64, kind, issuedOn, contentType, filename string, data []byte) scResponse {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", kind)
	if issuedOn != "" {
		mw.WriteField("issuedOn", issuedOn)
	}
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	hdr.Set("Content-Type", contentType)
	part, err := mw.CreatePart(hdr)
	if err != nil {
		h.t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/requests/%d/documents", h.srv.URL, requestID), &buf)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.send(c, req)
}

// ---------------------------------------------------------------------------
// Refusals: a typed RFC 7807 problem, an audit entry, and no change.

// auditHead is the sequence number of the last audit entry.
func (h *scHarness) auditHead() int64 {
	h.t.Helper()
	var seq int64
	if err := h.store.DB().GetContext(context.Background(), &seq, "SELECT COALESCE(MAX(seq), 0) FROM audit_entries"); err != nil {
		h.t.Fatal(err)
	}
	return seq
}

// auditSince returns the audit entries after seq.
func (h *scHarness) auditSince(seq int64) []store.AuditEntry {
	h.t.Helper()
	var out []store.AuditEntry
	db := h.store.DB()
	if err := db.SelectContext(context.Background(), &out, db.Rebind(
		"SELECT seq, at, actor, action, object, outcome, details, prev_hash, hash FROM audit_entries WHERE seq > ? ORDER BY seq"), seq); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// refused checks that call answers the problem status and type, that it left
// a "refused" audit entry naming that error type, and that snapshot (the
// state the call must not change) reads the same before and after.
func (h *scHarness) refused(what string, status int, typ string, snapshot func() string, call func() scResponse) {
	h.t.Helper()
	before := ""
	if snapshot != nil {
		before = snapshot()
	}
	seq := h.auditHead()
	r := call()
	if r.Status != status {
		h.t.Errorf("%s: answered %s, want %d %s", what, r, status, typ)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		h.t.Errorf("%s: content type %q, want application/problem+json", what, ct)
	}
	var p problem.Document
	if err := json.Unmarshal(r.Body, &p); err != nil {
		h.t.Errorf("%s: not a problem document: %v %s", what, err, r.Body)
		return
	}
	if p.Type != typ || p.Status != status || p.Title == "" {
		h.t.Errorf("%s: problem %+v, want type %s status %d", what, p, typ, status)
	}
	short := strings.TrimPrefix(typ, problem.TypeBase)
	found := false
	// Anonymous callers' refusals are tallied per client and minute; write
	// the minute in progress to see this one.
	h.ra.FlushAnonymousRefusals(context.Background(), true)
	for _, e := range h.auditSince(seq) {
		var d struct {
			Error    string         `json:"error"`
			Answered string         `json:"answered"`
			Errors   map[string]int `json:"errors"`
		}
		json.Unmarshal([]byte(e.Details), &d)
		// Another organisation's record is answered "not found" and
		// audited as the refusal it is ("answered" notFound).
		if e.Outcome == store.OutcomeRefused && (d.Error == short || d.Answered == short || d.Errors[short] > 0) {
			found = true
		}
		if e.Outcome == store.OutcomeOK {
			h.t.Errorf("%s: a refused call audited a successful %s on %s", what, e.Action, e.Object)
		}
	}
	if !found {
		h.t.Errorf("%s: no refused audit entry with error %q (entries: %+v)", what, short, h.auditSince(seq))
	}
	if snapshot != nil {
		if after := snapshot(); after != before {
			h.t.Errorf("%s: the refused call changed state:\nbefore %s\nafter  %s", what, before, after)
		}
	}
}

// ---------------------------------------------------------------------------
// E-mail.

// flush runs the notify worker until the outbox has no due e-mail, and
// returns the e-mails the sink received meanwhile. Every queued e-mail must
// have been sent: none is left pending or dead.
func (h *scHarness) flush() []scEmail {
	h.t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		n, err := h.worker.RunOnce(ctx)
		if err != nil {
			h.t.Fatalf("notify worker: %v", err)
		}
		if n == 0 {
			break
		}
		if i > 50 {
			h.t.Fatal("the notify worker does not drain")
		}
	}
	jobs, err := h.store.JobsByKind(ctx, notify.JobKind)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, j := range jobs {
		if j.State != store.JobDone {
			var m notify.Message
			json.Unmarshal(j.Payload, &m)
			h.t.Errorf("e-mail job %d (%s) is %s after flushing: %s", j.ID, m.Template, j.State, j.LastError)
		}
	}
	msgs := h.sink.messages()
	var out []scEmail
	for _, m := range msgs[h.seen:] {
		out = append(out, parseScEmail(h.t, m))
	}
	h.seen = len(msgs)
	h.mails = append(h.mails, out...)
	for _, m := range out {
		h.collectLinks("e-mail "+m.Subject, m.Text+" "+html.UnescapeString(m.HTML))
	}
	return out
}

// scMailSubjects are the Spanish subjects of the templates, as received.
var scMailSubjects = map[string]*regexp.Regexp{
	notify.TemplateEmailVerification:  regexp.MustCompile(`^Verifique su correo electrónico institucional$`),
	notify.TemplateAcknowledgement:    regexp.MustCompile(`^Acuse de recibo de su solicitud, folio \S+$`),
	notify.TemplateDeficiencyNotice:   regexp.MustCompile(`^Requisitos faltantes en su solicitud con folio \S+$`),
	notify.TemplateApprovalCredential: regexp.MustCompile(`^Solicitud con folio \S+ aprobada: datos para obtener su certificado$`),
	notify.TemplateCertificateIssued:  regexp.MustCompile(`^Su certificado de firma electrónica fue emitido \(número de serie [0-9a-f]+\)$`),
	notify.TemplateSuspension:         regexp.MustCompile(`^Suspensión de su certificado de firma electrónica \(número de serie [0-9a-f]+\)$`),
	notify.TemplateLift:               regexp.MustCompile(`^Se levantó la suspensión de su certificado de firma electrónica \(número de serie [0-9a-f]+\)$`),
	notify.TemplateRevocation:         regexp.MustCompile(`^Revocación de su certificado de firma electrónica \(número de serie [0-9a-f]+\)$`),
	notify.TemplateNotPresented:       regexp.MustCompile(`^Su solicitud con folio \S+ se tiene por no presentada$`),
	notify.TemplateBatchScheduled:     regexp.MustCompile(`^Fecha de envío de su solicitud \S+ a la Entidad de Certificación$`),
	notify.TemplateRevocationNotice:   regexp.MustCompile(`^Aviso previo de revocación de su certificado de firma electrónica \(número de serie [0-9a-f]+\)$`),
}

func scTemplateOf(m scEmail) string {
	for name, re := range scMailSubjects {
		if re.MatchString(m.Subject) {
			return name
		}
	}
	return ""
}

// one returns the only e-mail of template among mails, checking that it went
// to addr alone and is written in Spanish.
func (h *scHarness) one(mails []scEmail, template, addr string) scEmail {
	h.t.Helper()
	var got []scEmail
	for _, m := range mails {
		if scTemplateOf(m) == template {
			got = append(got, m)
		}
	}
	if len(got) != 1 {
		var subjects []string
		for _, m := range mails {
			subjects = append(subjects, m.Subject)
		}
		h.t.Fatalf("%d %s e-mails among %q, want 1", len(got), template, subjects)
	}
	m := got[0]
	if len(m.To) != 1 || m.To[0] != addr || m.Header.Get("To") != "<"+addr+">" && m.Header.Get("To") != addr {
		h.t.Errorf("%s e-mail went to %v (To: %q), want only %s", template, m.To, m.Header.Get("To"), addr)
	}
	if !strings.HasPrefix(m.Text, "Estimado(a) ") || !strings.Contains(m.Text, "Atentamente, Autoridad de Registro de Firma Electrónica") ||
		!strings.Contains(m.HTML, `lang="es-MX"`) {
		h.t.Errorf("%s e-mail is not the Spanish one: %q", template, m.Text)
	}
	return m
}

// scFechaES is how the e-mails write a date (ra/notify's format), computed
// independently here.
func scFechaES(t time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(err)
	}
	t = t.In(loc)
	dias := []string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
	meses := []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	zone := map[string]string{"America/Mexico_City": "hora del centro", "America/Tijuana": "hora del noroeste", "America/Lima": "hora de Perú"}[tz]
	return fmt.Sprintf("%s %d de %s de %d, %02d:%02d h (%s)", dias[t.Weekday()], t.Day(), meses[t.Month()-1], t.Year(), t.Hour(), t.Minute(), zone)
}

// ---------------------------------------------------------------------------
// PDFs.

// pdfText fetches a PDF from the API and returns its text as pdftotext
// (poppler-utils) reads it.
func (h *scHarness) pdfText(c *http.Client, path string) string {
	h.t.Helper()
	r := h.do(c, "GET", path, nil)
	if r.Status != http.StatusOK {
		h.t.Fatalf("GET %s = %s", path, r)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		h.t.Fatalf("GET %s: content type %q", path, ct)
	}
	if !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		h.t.Fatalf("GET %s: not a PDF", path)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		h.t.Fatalf("pdftotext is needed to read the receipts: install poppler-utils (apt-get install poppler-utils, brew install poppler): %v", err)
	}
	file := filepath.Join(h.t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, r.Body, 0o644); err != nil {
		h.t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		h.t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	h.collectPDFLinks(path, file, string(out))
	return string(out)
}

// receipt fetches a printed document and checks that it is a real PDF that
// shows folio, and that the verification code and link it prints lead to a
// valid online check of that folio (RULES G4). It returns the text with its
// whitespace collapsed.
func (h *scHarness) receipt(c *http.Client, path, folio string) string {
	h.t.Helper()
	text := strings.Join(strings.Fields(h.pdfText(c, path)), " ")
	if !strings.Contains(text, folio) {
		h.t.Errorf("%s does not show folio %s:\n%s", path, folio, text)
	}
	link := scPortalURL + "/verificar/" + folio
	if !strings.Contains(text, link) {
		h.t.Errorf("%s does not print the online check %s (RULES G4):\n%s", path, link, text)
	}
	m := regexp.MustCompile(`Código de verificación: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})`).FindStringSubmatch(text)
	if m == nil {
		h.t.Errorf("%s prints no verification code:\n%s", path, text)
		return text
	}
	var check struct {
		Valid bool
		Folio string
	}
	h.ok(h.anon, 200, "GET", "/verificar/"+folio+"?codigo="+m[1], nil, &check)
	if !check.Valid || check.Folio != folio {
		h.t.Errorf("%s: the online check of its code says %+v", path, check)
	}
	return text
}

// newJaliscoDesk is a harness at Monday 23 November 2026, 10:00 in Mexico
// City, with the authority (AC) and its administrator, and SEP-JAL with its
// acknowledgement signer and a registration agent.
func newJaliscoDesk(t *testing.T, e *storetest.Env) (h *scHarness, admin, clerk *scAgent) {
	t.Helper()
	mx, _ := time.LoadLocation("America/Mexico_City")
	h = newScHarness(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, mx))
	h.addOrg("AC", "Gobierno del Estado de Jalisco", "jalisco", "Autoridad Certificadora")
	h.addOrg("SEP-JAL", "Secretaría de Educación Jalisco", "jalisco", "Dirección de Personal")
	h.setAckSigner("SEP-JAL", "acuses@jalisco.gob.mx")
	admin = h.addAgent("AC", store.RoleAdmin, store.PersonData{GivenNames: "Ada", FirstSurname: "Admin", CURP: "LOHM800101MJCPRR06",
		Email: "ada.admin@jalisco.gob.mx"}, "Administradora")
	clerk = h.addAgent("SEP-JAL", store.RoleAgent, store.PersonData{GivenNames: "Carlos", FirstSurname: "Clerk",
		CURP: "CLXC800101HJCLRR09", Email: "carlos@jalisco.gob.mx"}, "Agente")
	return h, admin, clerk
}
