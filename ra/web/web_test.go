package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/receipt"
)

// fakeRA answers as ra does, and counts the e-mail verifications.
type fakeRA struct {
	verified int
}

const (
	folio = "SEP-JAL-SOL-2026-000001"
	code  = "K7Q2-9XMA-3HTN-0C5E"
	token = "vo9L4IUdTNBIONAL3ChPEYluRl5Lb9yn"
)

var received = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

func (f *fakeRA) VerifyDocument(_ context.Context, fo, c string) (*ra.Acknowledgement, error) {
	if fo != folio || c != code {
		return nil, errs.New(errs.NotFound, "no document with folio %s and that verification code", fo)
	}
	return &ra.Acknowledgement{Code: code, Ack: receipt.Acknowledgement{Folio: folio, ActionES: "Solicitud de certificado electrónico",
		ActionEN: "Request for an electronic certificate", ReceivedAt: received, TZ: "America/Mexico_City",
		Filer:         receipt.Filer{Name: "MARÍA LÓPEZ HERNÁNDEZ"},
		ReceivingBody: receipt.ReceivingBody{Organisation: "Secretaría de Educación Jalisco", Unit: "Recursos Humanos"}}}, nil
}

func (f *fakeRA) VerifyEmail(_ context.Context, fo, tok string) (*ra.Request, error) {
	if fo != folio || tok != token || f.verified > 0 {
		return nil, errs.New(errs.Unauthorized, "the e-mail verification code is not valid")
	}
	f.verified++
	return &ra.Request{Enrollment: &model.Enrollment{Folio: folio, State: ra.StateEmailVerified}}, nil
}

func (f *fakeRA) RequestStatus(_ context.Context, _ ra.Origin, fo string) (*ra.PublicStatus, error) {
	if fo != folio {
		return nil, errs.New(errs.NotFound, "no request with folio %s", fo)
	}
	return &ra.PublicStatus{Folio: folio, State: ra.StateInReview, TZ: "America/Mexico_City", ReceivedAt: received, UpdatedAt: received}, nil
}

func get(t *testing.T, h http.Handler, target string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	return w.Code, w.Body.String()
}

func want(t *testing.T, body string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q:\n%s", s, body)
		}
	}
}

// RULES G4: the online check of a printed document, in Spanish and English;
// without the code it asks for it, with a wrong one it says so.
func TestRule_G4_OnlineCheckPage(t *testing.T) {
	h := New(&fakeRA{}, nil)
	status, body := get(t, h, "/verificar/"+folio+"?codigo="+code)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	want(t, body, `lang="es"`, "El documento es auténtico", folio, "MARÍA LÓPEZ HERNÁNDEZ", "23 de noviembre de 2026, 10:00 h")
	_, body = get(t, h, "/verificar/"+folio+"?codigo="+code+"&lang=en")
	want(t, body, `lang="en"`, "The document is authentic", "23 November 2026, 10:00")
	status, body = get(t, h, "/verificar/"+folio)
	if status != 200 || strings.Contains(body, "MARÍA") {
		t.Fatalf("without a code: %d\n%s", status, body)
	}
	want(t, body, `name="codigo"`)
	status, body = get(t, h, "/verificar/"+folio+"?codigo=AAAA-BBBB-CCCC-DDDD")
	if status != 404 || strings.Contains(body, "MARÍA") {
		t.Fatalf("a wrong code: %d\n%s", status, body)
	}
	want(t, body, "no existe un documento", `role="alert"`)
}

// RULES R9: following the e-mail link changes nothing (a mail scanner may
// follow it); the person confirms with a button, which posts the token.
func TestRule_R9_EmailLinkConfirmsWithAButton(t *testing.T) {
	f := &fakeRA{}
	h := New(f, nil)
	status, body := get(t, h, "/solicitud/verificar?folio="+folio+"&token="+token)
	if status != 200 || f.verified != 0 {
		t.Fatalf("GET: %d, verified %d times", status, f.verified)
	}
	want(t, body, `method="post"`, `value="`+token+`"`, "Confirmar mi correo electrónico")
	post := func(form url.Values, query string) (int, string) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/solicitud/verificar"+query, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	status, body = post(url.Values{"folio": {folio}, "token": {token}}, "?lang=en")
	if status != 200 || f.verified != 1 {
		t.Fatalf("POST: %d, verified %d times\n%s", status, f.verified, body)
	}
	want(t, body, "Your e-mail address is verified", "/solicitud/"+folio+"?lang=en")
	status, body = post(url.Values{"folio": {folio}, "token": {token}}, "")
	if status != 401 {
		t.Fatalf("the token used twice: %d\n%s", status, body)
	}
	if status, _ = post(url.Values{"folio": {folio}}, ""); status != 400 {
		t.Fatalf("no token: %d", status)
	}
}

// The status page by folio shows the state and the dates, nothing about
// the person: a folio is sequential and proves nothing.
func TestStatusPageShowsStateAndDatesOnly(t *testing.T) {
	h := New(&fakeRA{}, nil)
	status, body := get(t, h, "/solicitud/"+folio)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	want(t, body, folio, "En revisión", "23 de noviembre de 2026, 10:00 h")
	for _, leak := range []string{"MARÍA", "LÓPEZ", "@"} {
		if strings.Contains(body, leak) {
			t.Errorf("the status page shows %q", leak)
		}
	}
	if status, _ := get(t, h, "/solicitud/SEP-JAL-SOL-2026-999999?lang=en"); status != 404 {
		t.Errorf("an unknown folio: %d", status)
	}
}
