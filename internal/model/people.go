package model

import (
	"strings"
	"time"
)

// PersonData is personal data, sealed at rest (RULES G6, R7).
type PersonData struct {
	GivenNames    string `json:"givenNames"`
	FirstSurname  string `json:"firstSurname"`
	SecondSurname string `json:"secondSurname,omitempty"`
	CURP          string `json:"curp,omitempty"`
	RFC           string `json:"rfc,omitempty"`
	DNI           string `json:"dni,omitempty"`
	Email         string `json:"email,omitempty"`
	Phone         string `json:"phone,omitempty"`
}

// FullName is given names and surnames as printed on an ID, in upper case.
func (d PersonData) FullName() string {
	parts := []string{d.GivenNames, d.FirstSurname, d.SecondSurname}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.ToUpper(strings.Join(out, " "))
}

// Person is a natural person known to Sello (an applicant, holder or agent).
type Person struct {
	ID          int64
	DisplayName string // public in the registry (RULES G1)
	Data        PersonData
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
