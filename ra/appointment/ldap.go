package appointment

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
)

// adAccountDisable is the ACCOUNTDISABLE bit of Active Directory's
// userAccountControl.
const adAccountDisable = 0x2

// LDAPConfig configures a source that searches an LDAP directory or Active
// Directory for the person's entry.
type LDAPConfig struct {
	// URL is ldap://host[:port] or ldaps://host[:port].
	URL string `yaml:"url"`
	// StartTLS upgrades an ldap:// connection before binding.
	StartTLS bool `yaml:"start_tls"`
	// CAFile holds the PEM roots that verify the server (default: system).
	CAFile string `yaml:"ca_file"`
	// BindDN and PasswordFile authenticate the search; both empty searches
	// anonymously. The password is the file's content without its final
	// line break.
	BindDN       string `yaml:"bind_dn"`
	PasswordFile string `yaml:"password_file"`
	// BaseDN is where the subtree search starts.
	BaseDN string `yaml:"base_dn"`
	// Filter is a template with {id}, which is escaped (RFC 4515), e.g.
	// "(&(objectClass=inetOrgPerson)(employeeNumber={id}))".
	Filter string `yaml:"filter"`
	// IDKind is the kind of identifier the filter expects.
	IDKind string `yaml:"id_kind"`
	// Attributes names the attribute holding each value; end is optional.
	Attributes LDAPAttributes `yaml:"attributes"`
	// DisabledAttribute names an LDAP Boolean attribute (e.g. nsAccountLock)
	// whose value TRUE marks the account disabled: the status is then
	// terminated, whatever the status attribute says.
	DisabledAttribute string `yaml:"disabled_attribute"`
	// ADUserAccountControl reads Active Directory's userAccountControl: an
	// account with the ACCOUNTDISABLE bit (0x2) is terminated.
	ADUserAccountControl bool `yaml:"ad_user_account_control"`
	// Timeout bounds connecting and each operation (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	Mapping `yaml:",inline"`
}

// LDAPAttributes maps each value to an attribute name.
type LDAPAttributes struct {
	Organisation string `yaml:"organisation"`
	Position     string `yaml:"position"`
	Status       string `yaml:"status"`
	Start        string `yaml:"start"`
	End          string `yaml:"end"`
	// Name, optional, holds the holder's full name (e.g. displayName); the
	// RA checks that the applicant's name agrees with it (RULES R3). Choose
	// a single-valued attribute: an entry with several values of it is
	// ambiguous, hence Unavailable (cn is often multi-valued).
	Name string `yaml:"name"`
}

// LDAPSource looks appointments up in a directory, one connection per lookup.
type LDAPSource struct {
	m        *mapper
	url      string
	startTLS bool
	tls      *tls.Config
	bindDN   string
	password func() string // a closure, so that printing the source cannot show it
	baseDN   string
	filter   string
	idKind   string
	attrs    [6]string // organisation, position, status, start, end, name
	disabled string
	uac      bool
	timeout  time.Duration
}

// attrName is an attribute description: a name or OID with options.
var attrName = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)(;[A-Za-z0-9-]+)*$`)

// NewLDAPSource checks cfg and returns a source named name. It does not
// connect: a directory that is down makes lookups Unavailable.
func NewLDAPSource(name string, cfg LDAPConfig, clk clock.Clock) (*LDAPSource, error) {
	const sec = "ldap"
	m, err := newMapper(sec, name, cfg.Mapping, clk)
	if err != nil {
		return nil, err
	}
	s := &LDAPSource{m: m, url: cfg.URL, startTLS: cfg.StartTLS, bindDN: cfg.BindDN, baseDN: cfg.BaseDN,
		filter: cfg.Filter, idKind: cfg.IDKind, disabled: cfg.DisabledAttribute, uac: cfg.ADUserAccountControl}

	if cfg.URL == "" {
		return nil, badConfig(sec, "url", "required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		return nil, badConfig(sec, "url", "%q is not an ldap:// or ldaps:// URL", cfg.URL)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		return nil, badConfig(sec, "url", "give only scheme, host and port; the DN goes in base_dn")
	}
	secure := u.Scheme == "ldaps" || cfg.StartTLS
	if cfg.StartTLS && u.Scheme == "ldaps" {
		return nil, badConfig(sec, "start_tls", "not with ldaps://, which is already TLS")
	}
	s.tls = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	if cfg.CAFile != "" {
		if !secure {
			return nil, badConfig(sec, "ca_file", "only meaningful with ldaps:// or start_tls")
		}
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, badConfig(sec, "ca_file", "cannot read: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, badConfig(sec, "ca_file", "%s holds no PEM certificate", cfg.CAFile)
		}
		s.tls.RootCAs = pool
	}

	switch {
	case cfg.BindDN == "" && cfg.PasswordFile != "":
		return nil, badConfig(sec, "bind_dn", "required with password_file")
	case cfg.BindDN != "" && cfg.PasswordFile == "":
		// A simple bind with an empty password is an anonymous bind that
		// "succeeds" (RFC 4513 5.1.2): never let a config fall into it.
		return nil, badConfig(sec, "password_file", "required with bind_dn")
	case cfg.BindDN != "":
		if _, err := ldap.ParseDN(cfg.BindDN); err != nil {
			return nil, badConfig(sec, "bind_dn", "%q is not a DN: %v", cfg.BindDN, err)
		}
		if !secure && !loopback(u.Hostname()) {
			return nil, badConfig(sec, "password_file", "a password is only sent over ldaps://, start_tls or to a loopback address")
		}
		b, err := os.ReadFile(cfg.PasswordFile)
		if err != nil {
			return nil, badConfig(sec, "password_file", "cannot read: %v", err)
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		s.password = func() string { return pw }
		if pw == "" {
			return nil, badConfig(sec, "password_file", "%s is empty", cfg.PasswordFile)
		}
	}

	if cfg.BaseDN == "" {
		return nil, badConfig(sec, "base_dn", "required")
	}
	if _, err := ldap.ParseDN(cfg.BaseDN); err != nil {
		return nil, badConfig(sec, "base_dn", "%q is not a DN: %v", cfg.BaseDN, err)
	}
	if !strings.Contains(cfg.Filter, "{id}") {
		return nil, badConfig(sec, "filter", "required, with the {id} placeholder")
	}
	if _, err := ldap.CompileFilter(strings.ReplaceAll(cfg.Filter, "{id}", "x")); err != nil {
		return nil, badConfig(sec, "filter", "%q is not an LDAP filter: %v", cfg.Filter, err)
	}
	if cfg.IDKind == "" {
		return nil, badConfig(sec, "id_kind", "required: the identifier kind the filter expects (CURP, RFC, DNI or EMPLOYEE)")
	}
	if !validKind(cfg.IDKind) {
		return nil, badConfig(sec, "id_kind", "%q; want CURP, RFC, DNI or EMPLOYEE", cfg.IDKind)
	}
	a := cfg.Attributes
	for i, p := range []struct{ key, name string }{
		{"organisation", a.Organisation}, {"position", a.Position}, {"status", a.Status}, {"start", a.Start}, {"end", a.End},
		{"name", a.Name},
	} {
		if p.name == "" {
			if p.key == "end" || p.key == "name" {
				continue
			}
			return nil, badConfig(sec, "attributes."+p.key, "required: the attribute holding the %s", p.key)
		}
		if !attrName.MatchString(p.name) {
			return nil, badConfig(sec, "attributes."+p.key, "%q is not an attribute name", p.name)
		}
		s.attrs[i] = p.name
	}
	if cfg.DisabledAttribute != "" && !attrName.MatchString(cfg.DisabledAttribute) {
		return nil, badConfig(sec, "disabled_attribute", "%q is not an attribute name", cfg.DisabledAttribute)
	}
	if s.timeout, err = checkPositive(sec, "timeout", cfg.Timeout, DefaultTimeout); err != nil {
		return nil, err
	}
	return s, nil
}

// Name returns the source's name.
func (s *LDAPSource) Name() string { return s.m.source }

// Lookup connects, binds, searches for the one entry of id and maps it.
func (s *LDAPSource) Lookup(ctx context.Context, id PersonID) (Appointment, error) {
	if err := id.check(); err != nil {
		return Appointment{}, err
	}
	if id.Kind != s.idKind {
		return Appointment{}, errs.New(errs.Malformed, "HR source %q is keyed by %s, not %s", s.m.source, s.idKind, id.Kind)
	}
	if err := ctx.Err(); err != nil {
		return Appointment{}, s.m.down(err, "lookup cancelled")
	}
	conn, err := ldap.DialURL(s.url, ldap.DialWithDialer(&net.Dialer{Timeout: s.timeout}), ldap.DialWithTLSConfig(s.tls))
	if err != nil {
		return Appointment{}, s.m.down(err, "cannot connect")
	}
	defer conn.Close()
	// go-ldap's operations take no context: closing the connection is what
	// makes a cancelled lookup return.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetTimeout(s.timeout)
	if s.startTLS {
		if err := conn.StartTLS(s.tls); err != nil {
			return Appointment{}, s.m.down(err, "StartTLS failed")
		}
	}
	if s.bindDN != "" {
		if err := conn.Bind(s.bindDN, s.password()); err != nil {
			return Appointment{}, s.m.down(err, "bind failed")
		}
	}
	attrs := make([]string, 0, 8)
	for _, a := range s.attrs {
		if a != "" {
			attrs = append(attrs, a)
		}
	}
	if s.disabled != "" {
		attrs = append(attrs, s.disabled)
	}
	if s.uac {
		attrs = append(attrs, "userAccountControl")
	}
	filter := strings.ReplaceAll(s.filter, "{id}", ldap.EscapeFilter(id.Value))
	req := ldap.NewSearchRequest(s.baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, // enough to see that an answer is ambiguous
		int(math.Ceil(s.timeout.Seconds())), false, filter, attrs, nil)
	res, err := conn.Search(req)
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded):
		return Appointment{}, s.m.unavailable("ambiguous: more than one entry for this %s", id.Kind)
	case err != nil:
		return Appointment{}, s.m.down(err, "search failed")
	case ctx.Err() != nil:
		return Appointment{}, s.m.down(ctx.Err(), "lookup cancelled")
	}
	// Search continuation references (Active Directory returns them for
	// its application partitions) are not entries and are ignored.
	switch len(res.Entries) {
	case 0:
		return Appointment{}, s.m.notFound(id)
	case 1:
	default:
		return Appointment{}, s.m.unavailable("ambiguous: more than one entry for this %s", id.Kind)
	}
	return s.entry(id, res.Entries[0])
}

// entry maps one directory entry.
func (s *LDAPSource) entry(id PersonID, e *ldap.Entry) (Appointment, error) {
	var vals [6]string
	for i, a := range s.attrs {
		if a == "" {
			continue
		}
		v, err := s.single(e, a)
		if err != nil {
			return Appointment{}, err
		}
		vals[i] = v
	}
	r := raw{organisation: vals[0], position: vals[1], status: vals[2], start: vals[3], end: vals[4], name: vals[5]}
	if s.disabled != "" {
		v, err := s.single(e, s.disabled)
		if err != nil {
			return Appointment{}, err
		}
		switch strings.ToUpper(strings.TrimSpace(v)) {
		case "TRUE":
			r.force = Terminated
		case "FALSE", "":
		default:
			return Appointment{}, s.m.unavailable("%s is %q, not TRUE or FALSE", s.disabled, v)
		}
	}
	if s.uac {
		v, err := s.single(e, "userAccountControl")
		if err != nil {
			return Appointment{}, err
		}
		flags, perr := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if perr != nil {
			// Every AD account has the attribute: its absence means the
			// bind cannot read it or this is not AD, and either is a doubt.
			return Appointment{}, s.m.unavailable("userAccountControl is %q, not a number", v)
		}
		if flags&adAccountDisable != 0 {
			r.force = Terminated
		}
	}
	return s.m.build(id, r)
}

// single returns an attribute's only value ("" when absent); several values
// are ambiguous.
func (s *LDAPSource) single(e *ldap.Entry, attr string) (string, error) {
	vs := e.GetEqualFoldAttributeValues(attr)
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	}
	return "", s.m.unavailable("attribute %s has %d values", attr, len(vs))
}
