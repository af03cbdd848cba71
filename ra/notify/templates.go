package notify

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// Template names.
const (
	TemplateEmailVerification  = "email_verification"
	TemplateDeficiencyNotice   = "deficiency_notice"
	TemplateRefusal            = "refusal"
	TemplateNotPresented       = "not_presented"
	TemplateApprovalCredential = "approval_credential"
	TemplateCertificateIssued  = "certificate_issued"
	TemplateSuspension         = "suspension"
	TemplateLift               = "lift"
	TemplateRevocation         = "revocation"
	TemplateRenewalReminder    = "renewal_reminder"
	TemplateAcknowledgement    = "acknowledgement"
	TemplateBatchScheduled     = "batch_scheduled"   // RULES D5
	TemplateRevocationNotice   = "revocation_notice" // RULES S2
	// TemplateRevocationNoticeCancelled tells the holder a prior notice of
	// revocation was withdrawn before its term (RULES S2).
	TemplateRevocationNoticeCancelled = "revocation_notice_cancelled"
)

// KeyTZ is the optional data key naming the IANA time zone dates are shown
// in; without it they are shown in DefaultTZ.
const KeyTZ = "TZ"

// DefaultTZ is the zone of dates when the data names none.
const DefaultTZ = "America/Mexico_City"

// Item is one entry of the Items and Reasons lists: a requirement or ground
// with the id of the rule behind it ("R2", "D1", or a policy's own id) and a
// sentence in the message's language.
type Item struct {
	Rule string `json:"Rule"`
	Text string `json:"Text"`
}

// templateKeys is the contract between the RA and the templates: the data
// keys each template needs, all of them required (a test removes each in turn
// and expects the render to fail, so the list cannot drift from the files).
// Times are time.Time or RFC 3339 strings; Items and Reasons are lists of
// Item (or of maps with the keys Rule and Text); Days is a number.
var templateKeys = map[string][]string{
	TemplateEmailVerification:         {"Name", "Link", "Code", "ExpiresAt"},
	TemplateDeficiencyNotice:          {"Name", "Folio", "Items", "Days", "Deadline", "LegalBasis"},
	TemplateRefusal:                   {"Name", "Folio", "Date", "Grounds", "Reasons", "LegalBasis"},
	TemplateNotPresented:              {"Name", "Folio", "Items", "Deadline", "Date", "LegalBasis"},
	TemplateApprovalCredential:        {"Name", "Folio", "ESTURL", "ESTUser", "ESTPassword", "ACMEURL", "EABKeyID", "EABHMACKey", "ExpiresAt"},
	TemplateCertificateIssued:         {"Name", "Serial", "NotBefore", "NotAfter", "CertificatePEM", "Link", "ResendUntil"},
	TemplateSuspension:                {"Name", "Serial", "Reason", "At", "Folio"},
	TemplateLift:                      {"Name", "Serial", "At"},
	TemplateRevocation:                {"Name", "Serial", "Reason", "At", "Folio"},
	TemplateRenewalReminder:           {"Name", "Serial", "NotAfter", "WindowStart", "Link"},
	TemplateAcknowledgement:           {"Name", "Folio", "ReceivedAt", "Link"},
	TemplateBatchScheduled:            {"Name", "Folio", "SendAt"},
	TemplateRevocationNotice:          {"Name", "Serial", "Reason", "EffectiveAt", "Folio", "LegalBasis"},
	TemplateRevocationNoticeCancelled: {"Name", "Serial", "Folio"},
}

// Templates returns the template names, sorted.
func Templates() []string {
	out := make([]string, 0, len(templateKeys))
	for k := range templateKeys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TemplateKeys returns the data keys template name needs (besides the
// optional KeyTZ), or nil for an unknown template.
func TemplateKeys(name string) []string {
	return slices.Clone(templateKeys[name])
}

// Rendered is an e-mail ready to send.
type Rendered struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

//go:embed templates/es/*.tmpl templates/en/*.tmpl
var templateFS embed.FS

// A template file defines three templates: "subject" (one line), "text"
// (the plain-text body) and "html" (the HTML body), and may call those of
// the language's _layout.tmpl.
const layoutFile = "_layout.tmpl"

type parsed struct {
	text *template.Template
	html *htmltemplate.Template
}

type registry map[string]parsed // by lang + "/" + template

// placeholderFuncs declares the functions at parse time; Render binds the
// real ones (which know the message's zone) on a clone.
var placeholderFuncs = map[string]any{
	"fecha": func(any) (string, error) { return "", nil },
	"date":  func(any) (string, error) { return "", nil },
}

var loadTemplates = sync.OnceValues(func() (registry, error) { return parseTemplates(templateFS) })

func parseTemplates(fsys fs.FS) (registry, error) {
	reg := registry{}
	for _, lang := range []string{LangES, LangEN} {
		dir := path.Join("templates", lang)
		files, err := fs.Glob(fsys, path.Join(dir, "*.tmpl"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".tmpl")
			if name == strings.TrimSuffix(layoutFile, ".tmpl") {
				continue
			}
			if _, ok := templateKeys[name]; !ok {
				return nil, errs.New(errs.Internal, "notify: %s has no entry in templateKeys", f)
			}
		}
		for name := range templateKeys {
			files := []string{path.Join(dir, layoutFile), path.Join(dir, name+".tmpl")}
			tt, err := template.New(name).Option("missingkey=error").Funcs(placeholderFuncs).ParseFS(fsys, files...)
			if err != nil {
				return nil, errs.Wrap(errs.Internal, err, "notify: template %s/%s", lang, name)
			}
			ht, err := htmltemplate.New(name).Option("missingkey=error").Funcs(placeholderFuncs).ParseFS(fsys, files...)
			if err != nil {
				return nil, errs.Wrap(errs.Internal, err, "notify: HTML template %s/%s", lang, name)
			}
			for _, d := range []string{"subject", "text", "html"} {
				if tt.Lookup(d) == nil {
					return nil, errs.New(errs.Internal, "notify: template %s/%s does not define %q", lang, name, d)
				}
			}
			reg[lang+"/"+name] = parsed{text: tt, html: ht}
		}
	}
	return reg, nil
}

// Render fills m's template. It fails on an unknown template, a bad address
// or language, and on any missing data key or unusable value: a notice with
// a hole in it is never sent. The RA's tests can call it to check the data
// they enqueue.
func Render(m Message) (Rendered, error) {
	m, err := m.normalize()
	if err != nil {
		return Rendered{}, err
	}
	if err := checkKeys(m); err != nil {
		return Rendered{}, err
	}
	reg, err := loadTemplates()
	if err != nil {
		return Rendered{}, err
	}
	return reg.render(m)
}

// render fills the templates of a normalized, checked message.
func (reg registry) render(m Message) (Rendered, error) {
	p, ok := reg[m.Lang+"/"+m.Template]
	if !ok {
		return Rendered{}, errs.New(errs.Internal, "notify: no template %s/%s", m.Lang, m.Template)
	}
	loc, err := zoneOf(m.Data[KeyTZ])
	if err != nil {
		return Rendered{}, err
	}
	funcs := map[string]any{
		"fecha": func(v any) (string, error) { return formatTime(v, loc, fechaES) },
		"date":  func(v any) (string, error) { return formatTime(v, loc, dateEN) },
	}
	tt, err := p.text.Clone()
	if err != nil {
		return Rendered{}, errs.Wrap(errs.Internal, err, "notify: template %s/%s", m.Lang, m.Template)
	}
	tt.Funcs(funcs)
	ht, err := p.html.Clone()
	if err != nil {
		return Rendered{}, errs.Wrap(errs.Internal, err, "notify: template %s/%s", m.Lang, m.Template)
	}
	ht.Funcs(funcs)

	var subject, text, html bytes.Buffer
	for _, x := range []struct {
		part string
		exec func() error
	}{
		{"subject", func() error { return tt.ExecuteTemplate(&subject, "subject", m.Data) }},
		{"text", func() error { return tt.ExecuteTemplate(&text, "text", m.Data) }},
		{"html", func() error { return ht.ExecuteTemplate(&html, "html", m.Data) }},
	} {
		if err := x.exec(); err != nil {
			return Rendered{}, errs.Wrap(errs.Internal, err, "notify: rendering the %s of %s/%s", x.part, m.Lang, m.Template)
		}
	}
	// A subject is one header line: folding the data's whitespace also
	// keeps a stray newline from starting a new header.
	subj := strings.Join(strings.Fields(subject.String()), " ")
	if subj == "" {
		return Rendered{}, errs.New(errs.Internal, "notify: template %s/%s renders an empty subject", m.Lang, m.Template)
	}
	return Rendered{
		To:      m.To,
		Subject: subj,
		Text:    wrapText(strings.TrimSpace(text.String()), textWidth) + "\n",
		HTML:    strings.TrimSpace(html.String()) + "\n",
	}, nil
}

// zoneOf loads the zone named by a data value, DefaultTZ when absent.
func zoneOf(v any) (*time.Location, error) {
	if v == nil {
		return time.LoadLocation(DefaultTZ)
	}
	name, ok := v.(string)
	if !ok || name == "" || name == "Local" {
		return nil, errs.New(errs.Internal, "notify: data key %q must be an IANA zone name", KeyTZ)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "notify: unknown time zone %q", name)
	}
	return loc, nil
}
