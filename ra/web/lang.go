package web

import (
	"fmt"
	"net/http"
	"time"
)

// lang is the language of a page: Spanish unless ?lang=en.
func lang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "es"
}

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "octubre", "noviembre", "diciembre"}

// when writes t in the jurisdiction's zone tz, in the page's language; ""
// for the zero time.
func when(t time.Time, tz, lang string) string {
	if t.IsZero() {
		return ""
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if lang == "en" {
		return fmt.Sprintf("%s, %s (%s)", t.Format("2 January 2006"), t.Format("15:04"), tz)
	}
	return fmt.Sprintf("%d de %s de %d, %s h (hora de %s)", t.Day(), monthsES[t.Month()-1], t.Year(), t.Format("15:04"), tz)
}

// stateText names a request's state for the applicant.
var stateText = map[string][2]string{
	"submitted":          {"Recibida; falta verificar su correo electrónico", "Received; your e-mail address is not yet verified"},
	"email_verified":     {"Recibida; en espera de atención", "Received; waiting to be attended"},
	"in_review":          {"En revisión", "Under review"},
	"deficient":          {"Con requisitos faltantes (se le notificó por correo)", "Requirements missing (you were notified by e-mail)"},
	"approved":           {"Aprobada", "Approved"},
	"credential_issued":  {"Aprobada; datos para generar el certificado enviados", "Approved; the data to generate the certificate was sent"},
	"certificate_issued": {"Certificado emitido", "Certificate issued"},
	"accepted":           {"Certificado emitido y aceptado", "Certificate issued and accepted"},
	"refused":            {"Negada (se le notificó por escrito)", "Refused (you were notified in writing)"},
	"not_presented":      {"Tenida por no presentada", "Deemed not presented"},
	"cancelled":          {"Cancelada", "Cancelled"},
}

func stateName(state, lang string) string {
	t, ok := stateText[state]
	if !ok {
		return state
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}
