// Package policies owns the rules of each jurisdiction: one YAML policy file
// per jurisdiction (in this folder, embedded in the binary), the schema that
// validates them at load, and the engine that evaluates an enrollment
// against them. Jurisdiction details live in the files, never in Go code.
package policies

import (
	"embed"
	"encoding/asn1"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/yamlx"

	"github.com/sello-pki/sello/ca"
)

//go:embed *.yaml
var builtin embed.FS

// Semantics identifier prefixes (ETSI EN 319 412-1 §5.1.3) Sello knows.
var serialNumberSchemes = map[string]string{
	"PNOMX": "CURP", "TINMX": "RFC", "PNOPE": "DNI",
}

// TermEnd returns the end of the government's constitutional term: the last
// second of its last day, in the calendar's time zone (RULES P2).
func (p *Policy) TermEnd() time.Time {
	t, _ := time.Parse("2006-01-02", p.Term.End)
	return p.EndOfDay(t)
}

// Location is the jurisdiction's time zone (the calendar's), UTC when the
// policy has no calendar.
func (p *Policy) Location() *time.Location {
	if c := p.Calendar(); c != nil {
		return c.Location()
	}
	return time.UTC
}

// EndOfDay returns the last second (23:59:59) of the calendar day date in
// the jurisdiction's time zone. date is a calendar date as HR sources and
// the policy record it: its year, month and day read in UTC (RULES P2: the
// holder keeps the whole of their last day in office).
func (p *Policy) EndOfDay(date time.Time) time.Time {
	y, m, d := date.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, p.Location()).Add(-time.Second)
}

// AppointmentEnd is the instant an appointment's End stops being current.
// HR gives the last day of the appointment as a date (midnight UTC once
// mapped, see ra/appointment): it lasts to the end of that day in the
// jurisdiction's zone. An End with a time of day is already an instant and
// is kept. Zero stays zero (open-ended). Applying it twice changes nothing.
func (p *Policy) AppointmentEnd(end time.Time) time.Time {
	if end.IsZero() || !isDate(end) {
		return end
	}
	return p.EndOfDay(end)
}

// isDate reports whether t is a bare calendar date: midnight UTC.
func isDate(t time.Time) bool {
	u := t.UTC()
	return u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
}

// File is the path the policy was loaded from.
func (p *Policy) File() string { return p.file }

// IssuerName is the issuer whose issuing CA signs this policy's
// certificates: the issuer key, or the policy's id when it has none.
func (p *Policy) IssuerName() string {
	if p.Issuer != "" {
		return p.Issuer
	}
	return p.ID
}

// Profile returns the certificate profile with the status URLs of the
// deployment for the issuer that signs: where its certificate is served
// (AIA caIssuers, /ca/<issuer>/issuing.crt) and its CRL (/crl/<issuer>.crl).
// OCSP is one responder for every issuer (a request names its issuer).
func (p *Policy) Profile(publicURL string, issuerName string) ca.Profile {
	base := strings.TrimRight(publicURL, "/")
	return ca.Profile{
		Name:                  p.ID,
		PolicyOID:             p.Certificate.PolicyOID,
		UserNotice:            p.Certificate.UserNotice,
		CPSURI:                p.Certificate.CPSURI,
		DocumentSigning:       p.Certificate.DocumentSigning,
		OCSPURLs:              []string{base + "/ocsp"},
		IssuingCertificateURL: []string{base + "/ca/" + issuerName + "/issuing.crt"},
		CRLURLs:               []string{base + "/crl/" + issuerName + ".crl"},
		Template:              p.Certificate.Template,
	}
}

// SerialNumber renders the subject serialNumber for an identifier value.
func (p *Policy) SerialNumber(value string) string {
	return p.Identifiers.SerialNumber + "-" + value
}

// IdentifierKind is the identifier the serialNumber carries: CURP, RFC or DNI.
func (p *Policy) IdentifierKind() string { return serialNumberSchemes[p.Identifiers.SerialNumber] }

// LoadError is a policy file error with its position.
type LoadError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *LoadError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

// Parse reads and checks one policy file's bytes; name is used in errors.
func Parse(name string, data []byte) (*Policy, error) {
	var p Policy
	if err := yamlx.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %s", name, err)
	}
	p.file = name
	c := &checker{name: name, data: data}
	p.check(c)
	if c.err != nil {
		return nil, c.err
	}
	return &p, nil
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("not a dotted object identifier")
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			// UUID arcs (2.25.<128-bit>) do not fit an int; accept long digit runs.
			if strings.Trim(p, "0123456789") == "" && p != "" {
				oid[i] = 0
				continue
			}
			return nil, fmt.Errorf("arc %q is not a number", p)
		}
		oid[i] = n
	}
	return oid, nil
}

// Set is the loaded policies, by id.
type Set map[string]*Policy

// Builtin returns the policies compiled into the binary.
func Builtin() (Set, error) { return loadFS(builtin, ".") }

// BuiltinFiles returns the raw built-in policy files by file name, for
// `sello init` to install into a data folder.
func BuiltinFiles() (map[string][]byte, error) {
	out := map[string][]byte{}
	entries, err := fs.ReadDir(builtin, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(builtin, e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// LoadDir loads every *.yaml in dir. Any error stops the load.
func LoadDir(dir string) (Set, error) { return loadFS(os.DirFS(dir), dir) }

func loadFS(fsys fs.FS, label string) (Set, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no policy files (*.yaml)", label)
	}
	set := Set{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		p, err := Parse(filepath.Join(label, n), data)
		if err != nil {
			return nil, err
		}
		if prev, dup := set[p.ID]; dup {
			return nil, &LoadError{File: p.file, Key: "id", Msg: fmt.Sprintf("%q is also the id of %s", p.ID, prev.file)}
		}
		set[p.ID] = p
	}
	return set, nil
}

// Get returns the policy id or an error naming the ones there are.
func (s Set) Get(id string) (*Policy, error) {
	if p, ok := s[id]; ok {
		return p, nil
	}
	var ids []string
	for k := range s {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return nil, fmt.Errorf("no policy %q (have %s)", id, strings.Join(ids, ", "))
}
