package validate

import (
	"errors"
	"testing"
)

func TestRule_R9_InstitutionalEmail(t *testing.T) {
	jalisco := []string{"jalisco.gob.mx"}
	tests := []struct {
		name    string
		addr    string
		domains []string
		code    string // "" means accepted
	}{
		{"exact domain", "ana.lopez@jalisco.gob.mx", jalisco, ""},
		{"subdomain", "ana.lopez@sep.jalisco.gob.mx", jalisco, ""},
		{"deep subdomain", "a@x.sep.jalisco.gob.mx", jalisco, ""},
		{"domain in capitals", "ana.lopez@JALISCO.Gob.MX", jalisco, ""},
		{"allow-list in capitals with trailing dot", "a@jalisco.gob.mx", []string{"Jalisco.GOB.MX."}, ""},
		{"second allowed domain", "a@regioncajamarca.gob.pe", []string{"jalisco.gob.mx", "regioncajamarca.gob.pe"}, ""},
		{"seed 001 address", "certificadodigital@regioncajamarca.gob.pe", []string{"regioncajamarca.gob.pe"}, ""},
		{"look-alike prefix", "a@evil-jalisco.gob.mx", jalisco, "email.domain"},
		{"glued prefix", "a@eviljalisco.gob.mx", jalisco, "email.domain"},
		{"allowed domain as a subdomain of another", "a@jalisco.gob.mx.evil.com", jalisco, "email.domain"},
		{"parent domain", "a@gob.mx", jalisco, "email.domain"},
		{"personal mail", "ana.lopez@gmail.com", jalisco, "email.domain"},
		{"display name", "Ana López <ana.lopez@jalisco.gob.mx>", jalisco, "email.bare_address"},
		{"angle brackets", "<ana.lopez@jalisco.gob.mx>", jalisco, "email.bare_address"},
		{"comment", "ana.lopez@jalisco.gob.mx (Ana)", jalisco, "email.bare_address"},
		{"surrounding space", " ana.lopez@jalisco.gob.mx", jalisco, "email.bare_address"},
		{"two addresses", "a@jalisco.gob.mx, b@jalisco.gob.mx", jalisco, "email.format"},
		{"no at sign", "ana.lopez.jalisco.gob.mx", jalisco, "email.format"},
		{"empty", "", jalisco, "email.format"},
		{"address literal", "a@[10.0.0.1]", jalisco, "email.domain"},
		{"Cyrillic look-alike", "a@jаlisco.gob.mx", jalisco, "email.domain"},
		{"empty allow-list", "a@jalisco.gob.mx", nil, "email.allow_list"},
		{"blank allow-list entry", "a@jalisco.gob.mx", []string{""}, "email.allow_list"},
		{"allow-list entry with @", "a@jalisco.gob.mx", []string{"@jalisco.gob.mx"}, "email.allow_list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := InstitutionalEmail(tc.addr, tc.domains)
			if CodeOf(err) != tc.code {
				t.Fatalf("InstitutionalEmail(%q, %q) = %v (code %q); want %q", tc.addr, tc.domains, err, CodeOf(err), tc.code)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Field != "email" || e.EN == "" || e.ES == "" {
					t.Errorf("incomplete error %#v", err)
				}
			}
		})
	}
}
