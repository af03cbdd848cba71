package web

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/problem"
	"github.com/sello-pki/sello/ra"
)

// RA is what the pages need of the registration authority.
type RA interface {
	VerifyDocument(ctx context.Context, folio, code string) (*ra.Acknowledgement, error)
	VerifyEmail(ctx context.Context, folio, token string) (*ra.Request, error)
	RequestStatus(ctx context.Context, from ra.Origin, folio string) (*ra.PublicStatus, error)
}

// Handler serves the public pages:
//
//	GET  /verificar/{folio}?codigo=…        online check of a printed document (G4)
//	GET  /solicitud/verificar?folio=…&token=…  the e-mail link: a page with a confirm button
//	POST /solicitud/verificar               verifies the e-mail (ra.VerifyEmail)
//	GET  /solicitud/{folio}                 the request's state and dates
type Handler struct {
	ra   RA
	log  *slog.Logger
	page *template.Template
	mux  *http.ServeMux
}

//go:embed templates/*.html
var files embed.FS

// New returns the pages' handler.
func New(r RA, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{ra: r, log: log, mux: http.NewServeMux(),
		page: template.Must(template.New("").ParseFS(files, "templates/*.html"))}
	h.mux.HandleFunc("GET /verificar/{folio}", h.verifyDocument)
	h.mux.HandleFunc("GET /solicitud/verificar", h.emailForm)
	h.mux.HandleFunc("POST /solicitud/verificar", h.emailConfirm)
	h.mux.HandleFunc("GET /solicitud/{folio}", h.status)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.mux.ServeHTTP(w, r)
}

// page is what every template receives.
type page struct {
	Lang  string
	Title [2]string
	Error string // the problem's message, when the page reports one
	Data  any
}

// T picks the page's language.
func (p page) T(es, en string) string {
	if p.Lang == "en" {
		return en
	}
	return es
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := h.page.ExecuteTemplate(&buf, name, p); err != nil {
		h.log.Error("public page failed to render", "page", name, "err", err)
		http.Error(w, "error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders err as a page with the status of its type; internal
// failures say nothing about their cause.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	t := errs.TypeOf(err)
	if t == errs.Internal || t == errs.Unavailable {
		h.log.Error("public page failed", "path", r.URL.Path, "err", err)
		p.Error = problem.Title(t, p.Lang)
	} else {
		p.Error = errs.MessageOf(err, p.Lang)
	}
	h.render(w, problem.StatusOf(t), name, p)
}

// documentView is the verified acknowledgement as the page shows it.
type documentView struct {
	Folio, Code, Action, Received, Filer, Organisation, Unit, Authority string
}

func (h *Handler) verifyDocument(w http.ResponseWriter, r *http.Request) {
	p := page{Lang: lang(r), Title: [2]string{"Verificación de documentos", "Document check"}}
	folio := r.PathValue("folio")
	code := r.URL.Query().Get("codigo")
	if code == "" {
		code = r.URL.Query().Get("code")
	}
	form := struct {
		Folio string
		Doc   *documentView
	}{Folio: folio}
	p.Data = &form
	if strings.TrimSpace(code) == "" {
		// The printed address has no code: ask for the one printed
		// beside it.
		h.render(w, http.StatusOK, "verify.html", p)
		return
	}
	a, err := h.ra.VerifyDocument(r.Context(), folio, code)
	if err != nil {
		h.fail(w, r, "verify.html", p, err)
		return
	}
	b := a.Ack.ReceivingBody
	form.Doc = &documentView{Folio: a.Ack.Folio, Code: a.Code, Action: p.T(a.Ack.ActionES, a.Ack.ActionEN),
		Received: when(a.Ack.ReceivedAt, a.Ack.TZ, p.Lang), Filer: a.Ack.Filer.Name,
		Organisation: b.Organisation, Unit: b.Unit, Authority: b.Authority}
	h.render(w, http.StatusOK, "verify.html", p)
}

type emailView struct {
	Folio, Token string
	Done         bool
	State        string
}

func (h *Handler) emailForm(w http.ResponseWriter, r *http.Request) {
	p := page{Lang: lang(r), Title: [2]string{"Verificación de correo electrónico", "E-mail verification"}}
	q := r.URL.Query()
	p.Data = emailView{Folio: q.Get("folio"), Token: q.Get("token")}
	// A GET changes nothing: a mail scanner that follows the link must not
	// use the one-time token. The page posts it when the person confirms.
	h.render(w, http.StatusOK, "email.html", p)
}

func (h *Handler) emailConfirm(w http.ResponseWriter, r *http.Request) {
	p := page{Lang: lang(r), Title: [2]string{"Verificación de correo electrónico", "E-mail verification"}}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, "email.html", p, errs.New(errs.Malformed, "the form could not be read"))
		return
	}
	v := emailView{Folio: r.PostForm.Get("folio"), Token: r.PostForm.Get("token")}
	p.Data = v
	if v.Folio == "" || v.Token == "" {
		h.fail(w, r, "email.html", p, errs.New(errs.Malformed, "the link is incomplete: copy the whole address from the e-mail"))
		return
	}
	q, err := h.ra.VerifyEmail(r.Context(), v.Folio, v.Token)
	if err != nil {
		h.fail(w, r, "email.html", p, err)
		return
	}
	p.Data = emailView{Folio: q.Folio, Done: true, State: stateName(q.State, p.Lang)}
	h.render(w, http.StatusOK, "email.html", p)
}

// statusView is a request's state and dates, in the jurisdiction's zone.
type statusView struct {
	Folio, State, Filed, Received, EmailVerified, Deadline, Closed, Updated string
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	p := page{Lang: lang(r), Title: [2]string{"Estado de su solicitud", "Status of your request"}}
	s, err := h.ra.RequestStatus(r.Context(), ra.Origin{Addr: r.RemoteAddr, Call: r.Method + " /solicitud/{folio}"}, r.PathValue("folio"))
	if err != nil {
		h.fail(w, r, "status.html", p, err)
		return
	}
	p.Data = statusView{Folio: s.Folio, State: stateName(s.State, p.Lang), Filed: when(s.FiledAt, s.TZ, p.Lang),
		Received: when(s.ReceivedAt, s.TZ, p.Lang), EmailVerified: when(s.EmailVerifiedAt, s.TZ, p.Lang),
		Deadline: when(s.DeficiencyDeadline, s.TZ, p.Lang), Closed: when(s.ClosedAt, s.TZ, p.Lang), Updated: when(s.UpdatedAt, s.TZ, p.Lang)}
	h.render(w, http.StatusOK, "status.html", p)
}
