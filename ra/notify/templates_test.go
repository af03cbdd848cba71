package notify

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"
)

var (
	// 16:00 in Mexico City (UTC-6, no daylight saving time since 2022).
	tMonday = time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	// Thursday 26 November 2026, 18:00 in Mexico City.
	tDeadline = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
)

const (
	fMondayES   = "lunes 23 de noviembre de 2026, 16:00 h (hora del centro)"
	fMondayEN   = "Monday, 23 November 2026, 16:00 (Mexico central time)"
	fDeadlineES = "jueves 26 de noviembre de 2026, 18:00 h (hora del centro)"
	fDeadlineEN = "Thursday, 26 November 2026, 18:00 (Mexico central time)"
)

// sample returns data for every template and, per language, facts the
// rendered text and HTML must contain.
func sample(name string) (data map[string]any, facts map[string][]string) {
	items := []Item{
		{Rule: "R2", Text: "Identificación oficial con fotografía"},
		{Rule: "R5", Text: "Comprobante de domicilio con antigüedad no mayor a tres meses"},
	}
	basis := "Artículo 16 de la Ley de Firma Electrónica Avanzada del Estado de Zacatecas"
	d := map[string]any{"Name": "María José Núñez Peña"}
	both := []string{"María José Núñez Peña"}
	es, en := []string{"Estimado(a) María José Núñez Peña:"}, []string{"Dear María José Núñez Peña,"}
	add := func(kv ...any) {
		for i := 0; i < len(kv); i += 2 {
			d[kv[i].(string)] = kv[i+1]
		}
	}
	switch name {
	case TemplateEmailVerification:
		add("Link", "https://sello.example.gob.mx/verificar?t=abc123", "Code", "482 913", "ExpiresAt", tMonday)
		both = append(both, "https://sello.example.gob.mx/verificar?t=abc123", "482 913")
		es, en = append(es, fMondayES), append(en, fMondayEN)
	case TemplateDeficiencyNotice:
		add("Folio", "ZAC-2026-000123", "Items", items, "Days", 3, "Deadline", tDeadline, "LegalBasis", basis)
		both = append(both, "ZAC-2026-000123", "R2", "Identificación oficial con fotografía", "R5", basis)
		es = append(es, fDeadlineES, "3 días hábiles", "no presentada")
		en = append(en, fDeadlineEN, "3 business days", "not presented")
	case TemplateRefusal:
		add("Folio", "ZAC-2026-000124", "Date", tMonday, "LegalBasis", "Artículo 58 de la Ley", "Reasons", []Item{
			{Rule: "R1", Text: "El nombramiento no está vigente según Recursos Humanos"},
		}, "Grounds", "Recursos Humanos informó la baja del solicitante el 15 de octubre.")
		both = append(both, "ZAC-2026-000124", "R1", "El nombramiento no está vigente según Recursos Humanos", "Artículo 58 de la Ley",
			"Recursos Humanos informó la baja del solicitante el 15 de octubre.")
		es, en = append(es, fMondayES, "negar", "Requisitos no cumplidos"), append(en, fMondayEN, "refuse", "Requirements not met")
	case TemplateNotPresented:
		add("Folio", "ZAC-2026-000125", "Deadline", tDeadline, "Date", tMonday, "Items", items[:1], "LegalBasis", basis)
		both = append(both, "ZAC-2026-000125", "Identificación oficial con fotografía", basis)
		es = append(es, fDeadlineES, fMondayES, "no presentada")
		en = append(en, fDeadlineEN, fMondayEN, "not presented")
	case TemplateApprovalCredential:
		add("Folio", "JAL-2026-000042", "ESTURL", "https://sello.example.gob.mx/.well-known/est/jalisco",
			"ESTUser", "est-7f3a", "ESTPassword", "Xq9-pLm2-Rt7w", "ACMEURL", "https://sello.example.gob.mx/acme/jalisco/directory",
			"EABKeyID", "kid-51c2e8", "EABHMACKey", "c2VjcmV0LWhtYWMta2V5LWZvci10ZXN0cw", "ExpiresAt", tMonday)
		both = append(both, "JAL-2026-000042", "https://sello.example.gob.mx/.well-known/est/jalisco", "est-7f3a",
			"Xq9-pLm2-Rt7w", "https://sello.example.gob.mx/acme/jalisco/directory", "kid-51c2e8", "c2VjcmV0LWhtYWMta2V5LWZvci10ZXN0cw")
		es, en = append(es, fMondayES, "exclusivo control"), append(en, fMondayEN, "sole control")
	case TemplateCertificateIssued:
		add("Serial", "4F2A9C01D3", "NotBefore", tMonday, "NotAfter", tDeadline, "CertificatePEM", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			"Link", "https://sello.example.gob.mx/solicitud/SEP-JAL-SOL-2026-000001", "ResendUntil", tDeadline)
		both = append(both, "4F2A9C01D3", "https://sello.example.gob.mx/solicitud/SEP-JAL-SOL-2026-000001")
		es, en = append(es, fMondayES, fDeadlineES), append(en, fMondayEN, fDeadlineEN)
	case TemplateSuspension:
		add("Serial", "4F2A9C01D3", "Reason", "Posible compromiso de la clave privada", "At", tMonday, "Folio", "SUS-2026-0007")
		both = append(both, "4F2A9C01D3", "Posible compromiso de la clave privada", "SUS-2026-0007")
		es, en = append(es, fMondayES, "revocado"), append(en, fMondayEN, "revoked")
	case TemplateLift:
		add("Serial", "4F2A9C01D3", "At", tMonday)
		both = append(both, "4F2A9C01D3")
		es, en = append(es, fMondayES, "vigente"), append(en, fMondayEN, "valid again")
	case TemplateRevocation:
		add("Serial", "4F2A9C01D3", "Reason", "Separación del cargo", "At", tMonday, "Folio", "REV-2026-0031")
		both = append(both, "4F2A9C01D3", "Separación del cargo", "REV-2026-0031")
		es, en = append(es, fMondayES, "definitiva"), append(en, fMondayEN, "final")
	case TemplateRenewalReminder:
		add("Serial", "4F2A9C01D3", "NotAfter", tDeadline, "WindowStart", tMonday, "Link", "https://sello.example.gob.mx/renovar")
		both = append(both, "4F2A9C01D3", "https://sello.example.gob.mx/renovar")
		es, en = append(es, fDeadlineES, fMondayES), append(en, fDeadlineEN, fMondayEN)
	case TemplateAcknowledgement:
		add("Folio", "ZAC-2026-000126", "ReceivedAt", tMonday, "Link", "https://sello.example.gob.mx/acuse/ZAC-2026-000126")
		both = append(both, "ZAC-2026-000126", "https://sello.example.gob.mx/acuse/ZAC-2026-000126")
		es, en = append(es, fMondayES, "acusa recibo"), append(en, fMondayEN, "acknowledge receipt")
	case TemplateBatchScheduled:
		add("Folio", "CAJ-2026-000017", "SendAt", tMonday)
		both = append(both, "CAJ-2026-000017")
		es, en = append(es, fMondayES, "lotes semanales"), append(en, fMondayEN, "weekly batches")
	case TemplateRevocationNotice:
		add("Serial", "4F2A9C01D3", "Reason", "Incumplimiento del titular de sus obligaciones", "EffectiveAt", tDeadline,
			"Folio", "REV-2026-0032", "LegalBasis", "Reglamento de la Ley de Firma Electrónica del Estado de Zacatecas, art. 66-IV")
		both = append(both, "4F2A9C01D3", "Incumplimiento del titular de sus obligaciones", "REV-2026-0032", "art. 66-IV")
		es, en = append(es, fDeadlineES, "será revocado"), append(en, fDeadlineEN, "will be revoked")
	case TemplateRevocationNoticeCancelled:
		add("Serial", "4F2A9C01D3", "Folio", "REV-2026-0032")
		both = append(both, "4F2A9C01D3", "REV-2026-0032")
		es, en = append(es, "sin efecto", "sigue vigente"), append(en, "withdrawn", "remains valid")
	}
	return d, map[string][]string{LangES: append(es, both...), LangEN: append(en, both...)}
}

// roundTrip is what the outbox does to a message: JSON and back.
func roundTrip(t testing.TB, m Message) Message {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out Message
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTemplates_AllRenderInBothLanguages(t *testing.T) {
	if got := len(Templates()); got != 14 {
		t.Fatalf("%d templates, want 14", got)
	}
	for _, name := range Templates() {
		for _, lang := range []string{LangES, LangEN} {
			t.Run(lang+"/"+name, func(t *testing.T) {
				data, facts := sample(name)
				m := Message{Template: name, Lang: lang, To: "maria.nunez@zacatecas.gob.mx", Data: data}
				// Before and after the outbox's JSON, the same e-mail.
				r, err := Render(m)
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				r2, err := Render(roundTrip(t, m))
				if err != nil {
					t.Fatalf("render after JSON: %v", err)
				}
				if r != r2 {
					t.Errorf("rendering differs after JSON:\n%s\n----\n%s", r.Text, r2.Text)
				}
				if r.To != m.To {
					t.Errorf("To = %q", r.To)
				}
				if r.Subject == "" || strings.ContainsAny(r.Subject, "\r\n") {
					t.Errorf("subject %q must be one non-empty line", r.Subject)
				}
				for part, s := range map[string]string{"subject": r.Subject, "text": r.Text, "html": r.HTML} {
					for _, bad := range []string{"<no value>", "{{", "}}", "%!", "ZgotmplZ"} {
						if strings.Contains(s, bad) {
							t.Errorf("%s contains %q:\n%s", part, bad, s)
						}
					}
				}
				// Plain text is wrapped; a fact may span lines.
				flat := strings.Join(strings.Fields(r.Text), " ")
				for _, line := range strings.Split(r.Text, "\n") {
					if utf8.RuneCountInString(line) > textWidth && strings.Contains(strings.TrimSpace(line), " ") {
						t.Errorf("text line longer than %d: %q", textWidth, line)
					}
				}
				for _, f := range facts[lang] {
					if !strings.Contains(flat, f) {
						t.Errorf("text lacks %q:\n%s", f, r.Text)
					}
					if !strings.Contains(r.HTML, htmlEscape(f)) {
						t.Errorf("HTML lacks %q:\n%s", f, r.HTML)
					}
				}
				if !strings.HasPrefix(r.HTML, "<!DOCTYPE html>") || !strings.Contains(r.HTML, "</html>") {
					t.Errorf("HTML is not a document:\n%s", r.HTML)
				}
				wantLang := map[string]string{LangES: `lang="es-MX"`, LangEN: `lang="en"`}[lang]
				if !strings.Contains(r.HTML, wantLang) {
					t.Errorf("HTML lacks %s", wantLang)
				}
				// Spanish e-mails never slip into English and the other way round.
				if lang == LangES && (strings.Contains(r.Text, "Dear") || strings.Contains(r.Text, " the ")) {
					t.Errorf("Spanish text has English in it:\n%s", r.Text)
				}
				if lang == LangEN && (strings.Contains(r.Text, "Estimado") || strings.Contains(r.Text, " usted")) {
					t.Errorf("English text has Spanish in it:\n%s", r.Text)
				}
			})
		}
	}
}

// html/template escapes apostrophes and such; the sample facts only need
// the characters below.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func TestTemplates_EveryKeyIsRequired(t *testing.T) {
	for _, name := range Templates() {
		data, _ := sample(name)
		if got, want := slices.Sorted(maps.Keys(data)), slices.Sorted(slices.Values(TemplateKeys(name))); !slices.Equal(got, want) {
			t.Fatalf("%s: sample keys %v, contract %v", name, got, want)
		}
		for _, key := range TemplateKeys(name) {
			for _, lang := range []string{LangES, LangEN} {
				d := maps.Clone(data)
				delete(d, key)
				m := Message{Template: name, Lang: lang, To: "a@b.gob.mx", Data: d}
				if _, err := Render(m); err == nil {
					t.Errorf("%s/%s renders without %q", lang, name, key)
				}
				// The templates themselves refuse it, not only the key check:
				// every key of the contract is used by every language.
				reg, err := loadTemplates()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := reg.render(m); err == nil {
					t.Errorf("%s/%s: template does not use %q (missingkey=error did not fire)", lang, name, key)
				}
			}
		}
	}
}

func TestTemplates_MissingFieldFailsTheRender(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/es/_layout.tmpl": {Data: []byte(`{{define "saludo"}}Hola {{.Name}}{{end}}`)},
		"templates/en/_layout.tmpl": {Data: []byte(``)},
	}
	for name := range templateKeys {
		for _, lang := range []string{LangES, LangEN} {
			fsys["templates/"+lang+"/"+name+".tmpl"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}s{{end}}{{define "text"}}t{{end}}{{define "html"}}h{{end}}`)}
		}
	}
	fsys["templates/es/lift.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}{{.Serial}}{{end}}{{define "text"}}{{template "saludo" .}} {{.Nope}}{{end}}{{define "html"}}h{{end}}`)}
	fsys["templates/en/lift.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}{{.Serial}}{{end}}{{define "text"}}t{{end}}{{define "html"}}{{range .Items}}{{.Rule}}{{end}}{{end}}`)}
	reg, err := parseTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := sample(TemplateLift)
	for _, lang := range []string{LangES, LangEN} {
		m, err := Message{Template: TemplateLift, Lang: lang, To: "a@b.gob.mx", Data: data}.normalize()
		if err != nil {
			t.Fatal(err)
		}
		_, err = reg.render(m)
		if err == nil || !strings.Contains(err.Error(), "map has no entry for key") {
			t.Errorf("%s: render with a missing field: %v, want a missing-key error", lang, err)
		}
	}
	// Nested: an item without Rule.
	data["Items"] = []any{map[string]any{"Text": "x"}}
	m, _ := Message{Template: TemplateLift, Lang: LangEN, To: "a@b.gob.mx", Data: data}.normalize()
	if _, err := reg.render(m); err == nil || !strings.Contains(err.Error(), `"Rule"`) {
		t.Errorf("render with an item lacking Rule: %v", err)
	}

	// A template file outside the contract, or lacking a part, is refused.
	fsys["templates/es/extra.tmpl"] = &fstest.MapFile{Data: []byte(`x`)}
	if _, err := parseTemplates(fsys); err == nil {
		t.Error("a template without a contract entry was accepted")
	}
	delete(fsys, "templates/es/extra.tmpl")
	fsys["templates/en/lift.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}s{{end}}{{define "text"}}t{{end}}`)}
	if _, err := parseTemplates(fsys); err == nil {
		t.Error("a template without an html part was accepted")
	}
}

func TestTemplates_HTMLEscapesDataTextDoesNot(t *testing.T) {
	data, _ := sample(TemplateLift)
	data["Name"] = `Ana <script>alert("x")</script> & Cía`
	data["Serial"] = `<b>1</b>`
	r, err := Render(Message{Template: TemplateLift, To: "a@b.gob.mx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "<b>1</b>") {
		t.Errorf("HTML not escaped:\n%s", r.HTML)
	}
	if !strings.Contains(r.HTML, "Ana &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cía") {
		t.Errorf("HTML lacks the escaped name:\n%s", r.HTML)
	}
	if !strings.Contains(r.Text, `Estimado(a) Ana <script>alert("x")</script> & Cía:`) {
		t.Errorf("text should carry the name verbatim:\n%s", r.Text)
	}
	// A javascript: link is neutralised in the HTML part.
	data, _ = sample(TemplateAcknowledgement)
	data["Link"] = "javascript:alert(1)"
	r, err = Render(Message{Template: TemplateAcknowledgement, To: "a@b.gob.mx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, `href="javascript:`) {
		t.Errorf("javascript: URL survived:\n%s", r.HTML)
	}
}

func TestTemplates_SubjectIsOneLine(t *testing.T) {
	data, _ := sample(TemplateRevocation)
	data["Serial"] = "12\r\nBcc: victim@example.com"
	r, err := Render(Message{Template: TemplateRevocation, To: "a@b.gob.mx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", r.Subject)
	}
}

func TestFecha(t *testing.T) {
	mx, _ := time.LoadLocation("America/Mexico_City")
	tj, _ := time.LoadLocation("America/Tijuana")
	lima, _ := time.LoadLocation("America/Lima")
	bogota, _ := time.LoadLocation("America/Bogota")
	for _, c := range []struct {
		t      time.Time
		loc    *time.Location
		es, en string
	}{
		{tMonday, mx, fMondayES, fMondayEN},
		// The zone the data names, not the server's or UTC.
		{tMonday, tj, "lunes 23 de noviembre de 2026, 14:00 h (hora del noroeste)", "Monday, 23 November 2026, 14:00 (Mexico northwest time)"},
		{tMonday, lima, "lunes 23 de noviembre de 2026, 17:00 h (hora de Perú)", "Monday, 23 November 2026, 17:00 (Peru time)"},
		{tMonday, bogota, "lunes 23 de noviembre de 2026, 17:00 h (America/Bogota)", "Monday, 23 November 2026, 17:00 (America/Bogota)"},
		// Accents, single-digit days, midnight; UTC 02:05 on the 3rd is the 2nd in Mexico.
		{time.Date(2027, 2, 3, 2, 5, 0, 0, time.UTC), mx, "martes 2 de febrero de 2027, 20:05 h (hora del centro)", "Tuesday, 2 February 2027, 20:05 (Mexico central time)"},
		{time.Date(2026, 9, 16, 6, 0, 0, 0, time.UTC), mx, "miércoles 16 de septiembre de 2026, 00:00 h (hora del centro)", "Wednesday, 16 September 2026, 00:00 (Mexico central time)"},
		{time.Date(2026, 8, 15, 18, 30, 0, 0, time.UTC), mx, "sábado 15 de agosto de 2026, 12:30 h (hora del centro)", "Saturday, 15 August 2026, 12:30 (Mexico central time)"},
	} {
		if got := fechaES(c.t, c.loc); got != c.es {
			t.Errorf("fecha(%v) = %q, want %q", c.t, got, c.es)
		}
		if got := dateEN(c.t, c.loc); got != c.en {
			t.Errorf("date(%v) = %q, want %q", c.t, got, c.en)
		}
	}
	// Strings (after JSON) and pointers work; anything else is an error
	// that does not repeat the value.
	for _, v := range []any{tMonday, &tMonday, tMonday.Format(time.RFC3339), tMonday.In(lima).Format(time.RFC3339Nano)} {
		if got, err := formatTime(v, mx, fechaES); err != nil || got != fMondayES {
			t.Errorf("formatTime(%T) = %q, %v", v, got, err)
		}
	}
	for _, v := range []any{"María", 3, nil, time.Time{}, "0001-01-01T00:00:00Z"} {
		_, err := formatTime(v, mx, fechaES)
		if err == nil {
			t.Errorf("formatTime(%#v) accepted", v)
		} else if strings.Contains(err.Error(), "María") {
			t.Errorf("error repeats the value: %v", err)
		}
	}
}

func TestTemplates_TimeZoneFromData(t *testing.T) {
	data, _ := sample(TemplateLift)
	data[KeyTZ] = "America/Lima"
	r, err := Render(roundTrip(t, Message{Template: TemplateLift, To: "a@b.gob.mx", Data: data}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "lunes 23 de noviembre de 2026, 17:00 h (hora de Perú)"; !strings.Contains(strings.Join(strings.Fields(r.Text), " "), want) {
		t.Errorf("text lacks %q:\n%s", want, r.Text)
	}
	for _, tz := range []any{"Mars/Olympus", "", "Local", 5} {
		data[KeyTZ] = tz
		if _, err := Render(Message{Template: TemplateLift, To: "a@b.gob.mx", Data: data}); err == nil {
			t.Errorf("TZ %#v accepted", tz)
		}
	}
}

func TestRender_DefaultsToSpanishAndRejectsOtherLanguages(t *testing.T) {
	data, _ := sample(TemplateLift)
	r, err := Render(Message{Template: TemplateLift, To: "a@b.gob.mx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Text, "Estimado(a) ") {
		t.Errorf("default language is not Spanish:\n%s", r.Text)
	}
	for _, lang := range []string{"fr", "es-MX", "EN"} {
		if _, err := Render(Message{Template: TemplateLift, Lang: lang, To: "a@b.gob.mx", Data: data}); err == nil {
			t.Errorf("language %q accepted", lang)
		}
	}
}

func TestWrapText(t *testing.T) {
	in := "Corto.\n" +
		"Le notificamos que su certificado de firma electrónica con número de serie 4F2A fue revocado el lunes.\n" +
		"  - La suspensión se mantendrá mientras se investiga la causa. Si la causa se aclara, se levantará.\n" +
		"1. Primero una línea muy larga que necesita partirse en dos porque no cabe en setenta y seis.\n" +
		"Enlace: https://sello.example.gob.mx/una/ruta/muy/larga/que/no/cabe/en/una/sola/linea/de/setenta/y/seis/caracteres fin\n" +
		"   Folio: X"
	want := "Corto.\n" +
		"Le notificamos que su certificado de firma electrónica con número de serie\n" +
		"4F2A fue revocado el lunes.\n" +
		"  - La suspensión se mantendrá mientras se investiga la causa. Si la causa\n" +
		"    se aclara, se levantará.\n" +
		"1. Primero una línea muy larga que necesita partirse en dos porque no cabe\n" +
		"   en setenta y seis.\n" +
		"Enlace:\n" +
		"https://sello.example.gob.mx/una/ruta/muy/larga/que/no/cabe/en/una/sola/linea/de/setenta/y/seis/caracteres\n" +
		"fin\n" +
		"   Folio: X"
	if got := wrapText(in, 76); got != want {
		t.Errorf("wrapText:\n%s\nwant:\n%s", got, want)
	}
}

func TestRender_Concurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := Templates()[i%len(Templates())]
			data, _ := sample(name)
			lang := []string{LangES, LangEN}[i%2]
			if _, err := Render(Message{Template: name, Lang: lang, To: "a@b.gob.mx", Data: data}); err != nil {
				t.Errorf("%s/%s: %v", lang, name, err)
			}
		}()
	}
	wg.Wait()
}
