package appointment

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

func testLDAPAttributes() LDAPAttributes {
	return LDAPAttributes{Organisation: "o", Position: "title", Status: "employeeType", Start: "description", End: "departmentNumber"}
}

// addPerson adds an inetOrgPerson under ou=people; extra attributes replace
// or add to the defaults, and a nil value removes one.
func addPerson(t *testing.T, s *slapd, uid, employeeNumber string, extra map[string][]string) {
	t.Helper()
	attrs := map[string][]string{
		"objectClass":      {"top", "person", "organizationalPerson", "inetOrgPerson"},
		"uid":              {uid},
		"cn":               {"Persona " + uid},
		"sn":               {uid},
		"employeeNumber":   {employeeNumber},
		"o":                {"Municipalidad Provincial de Cajamarca"},
		"title":            {"Subgerente"},
		"employeeType":     {"ACTIVO"},
		"description":      {"2025-02-01"},
		"departmentNumber": {"2027-01-31"},
	}
	for k, v := range extra {
		if v == nil {
			delete(attrs, k)
		} else {
			attrs[k] = v
		}
	}
	s.add(t, "uid="+uid+",ou=people,"+slapdSuffix, attrs)
}

// newLDAPTest starts slapd with the test people and a source bound as admin.
func newLDAPTest(t *testing.T, edit func(*LDAPConfig)) (*LDAPSource, *slapd, LDAPConfig) {
	t.Helper()
	d := startSlapd(t)
	adAccount := []string{"top", "person", "organizationalPerson", "inetOrgPerson", "selloTestADAccount"}
	addPerson(t, d, "ana", "E1001", nil)
	addPerson(t, d, "beto", "E1002", map[string][]string{"employeeType": {"LICENCIA"}, "departmentNumber": nil})
	addPerson(t, d, "carla", "E1003", map[string][]string{"employeeType": {"BAJA"}, "departmentNumber": {"2026-10-15"}})
	addPerson(t, d, "dup1", "E2000", nil)
	addPerson(t, d, "dup2", "E2000", nil)
	addPerson(t, d, "notitle", "E3000", map[string][]string{"title": nil})
	addPerson(t, d, "twotitles", "E3001", map[string][]string{"title": {"Subgerente", "Gerente"}})
	addPerson(t, d, "jubilado", "E3002", map[string][]string{"employeeType": {"JUBILADO"}})
	addPerson(t, d, "baddate", "E3003", map[string][]string{"description": {"1 de febrero"}})
	addPerson(t, d, "adok", "E4000", map[string][]string{"objectClass": adAccount, "userAccountControl": {"512"}})
	addPerson(t, d, "adoff", "E4001", map[string][]string{"objectClass": adAccount, "userAccountControl": {"514"}})
	addPerson(t, d, "locked", "E5000", map[string][]string{"carLicense": {"TRUE"}})
	addPerson(t, d, "unlocked", "E5001", map[string][]string{"carLicense": {"FALSE"}})
	addPerson(t, d, "lockodd", "E5002", map[string][]string{"carLicense": {"maybe"}})

	cfg := LDAPConfig{
		URL:          d.URL,
		BindDN:       slapdAdminDN,
		PasswordFile: writeFile(t, t.TempDir(), "ldap.pass", slapdPassword+"\n"),
		BaseDN:       "ou=people," + slapdSuffix,
		Filter:       "(&(objectClass=inetOrgPerson)(employeeNumber={id}))",
		IDKind:       KindEmployee,
		Attributes:   testLDAPAttributes(),
		Timeout:      2 * time.Second,
		Mapping:      testMapping(),
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewLDAPSource("ad-cajamarca", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	return s, d, cfg
}

func emp(v string) PersonID { return PersonID{KindEmployee, v} }

func TestLDAP_Lookup(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	s, _, cfg := newLDAPTest(t, nil)
	ctx := context.Background()

	a, err := s.Lookup(ctx, emp("E1001"))
	wantAppointment(t, a, err, Appointment{Person: emp("E1001"), Organisation: "Municipalidad Provincial de Cajamarca",
		Position: "Subgerente", Status: Active, Start: day("2025-02-01"), End: day("2027-01-31"),
		Source: "ad-cajamarca", CheckedAt: testNow})
	if !a.CurrentAt(testNow) {
		t.Fatal("not current")
	}
	a, err = s.Lookup(ctx, emp("E1002"))
	wantAppointment(t, a, err, Appointment{Person: emp("E1002"), Organisation: "Municipalidad Provincial de Cajamarca",
		Position: "Subgerente", Status: OnLeave, Start: day("2025-02-01"), Source: "ad-cajamarca", CheckedAt: testNow})
	a, err = s.Lookup(ctx, emp("E1003"))
	if err != nil || a.Status != Terminated || a.CurrentAt(testNow) {
		t.Fatalf("terminated: %+v %v", a, err)
	}
	a, err = s.Lookup(ctx, emp("E9999"))
	wantNotFound(t, a, err)

	// Searching anonymously works where the directory allows it.
	cfg.BindDN, cfg.PasswordFile = "", ""
	anon, err := NewLDAPSource("anon", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := anon.Lookup(ctx, emp("E1001")); err != nil || a.Status != Active {
		t.Fatalf("anonymous: %+v %v", a, err)
	}
}

func TestRule_R1_LDAPDoubtIsUnavailable(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	s, _, _ := newLDAPTest(t, nil)
	for id, why := range map[string]string{
		"E2000": "ambiguous",
		"E3000": "position",
		"E3001": "values",
		"E3002": `"JUBILADO"`,
		"E3003": "1 de febrero",
	} {
		t.Run(id, func(t *testing.T) {
			a, err := s.Lookup(context.Background(), emp(id))
			wantUnavailable(t, a, err)
			if !strings.Contains(err.Error(), why) {
				t.Fatalf("error %v does not say %q", err, why)
			}
		})
	}
}

func TestLDAP_FilterInjectionIsEscaped(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	s, _, _ := newLDAPTest(t, nil)
	// Unescaped, each of these would match ana or everyone (ambiguous).
	for _, id := range []string{"*)(uid=*", "*", "E100*", "E1001)(|(employeeNumber=*", `E1001\2a`} {
		a, err := s.Lookup(context.Background(), emp(id))
		wantNotFound(t, a, err)
	}
}

func TestLDAP_ActiveDirectoryDisabledAccount(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	s, _, _ := newLDAPTest(t, func(c *LDAPConfig) { c.ADUserAccountControl = true })
	ctx := context.Background()
	if a, err := s.Lookup(ctx, emp("E4000")); err != nil || a.Status != Active {
		t.Fatalf("userAccountControl 512: %+v %v, want active", a, err)
	}
	a, err := s.Lookup(ctx, emp("E4001"))
	if err != nil || a.Status != Terminated || a.CurrentAt(testNow) {
		t.Fatalf("userAccountControl 514 (ACCOUNTDISABLE): %+v %v, want terminated", a, err)
	}
	// An entry without userAccountControl is not what AD looks like.
	a, err = s.Lookup(ctx, emp("E1001"))
	wantUnavailable(t, a, err)
}

func TestLDAP_DisabledAttribute(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	s, _, _ := newLDAPTest(t, func(c *LDAPConfig) { c.DisabledAttribute = "carLicense" })
	ctx := context.Background()
	if a, err := s.Lookup(ctx, emp("E5000")); err != nil || a.Status != Terminated {
		t.Fatalf("TRUE: %+v %v, want terminated", a, err)
	}
	if a, err := s.Lookup(ctx, emp("E5001")); err != nil || a.Status != Active {
		t.Fatalf("FALSE: %+v %v, want active", a, err)
	}
	if a, err := s.Lookup(ctx, emp("E1001")); err != nil || a.Status != Active {
		t.Fatalf("absent: %+v %v, want active", a, err)
	}
	a, err := s.Lookup(ctx, emp("E5002"))
	wantUnavailable(t, a, err)
}

func TestRule_R1_LDAPServerTroubleIsUnavailable(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	ctx := context.Background()
	s, d, cfg := newLDAPTest(t, nil)

	wrong := cfg
	wrong.PasswordFile = writeFile(t, t.TempDir(), "wrong.pass", "not-the-password")
	ws, err := NewLDAPSource("ad", wrong, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err := ws.Lookup(ctx, emp("E1001"))
	wantUnavailable(t, a, err)
	if strings.Contains(err.Error(), "not-the-password") || strings.Contains(err.Error(), slapdPassword) {
		t.Fatalf("the error leaks a password: %v", err)
	}

	base := cfg
	base.BaseDN = "ou=nobody," + slapdSuffix
	bs, err := NewLDAPSource("ad", base, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err = bs.Lookup(ctx, emp("E1001"))
	wantUnavailable(t, a, err)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	a, err = s.Lookup(cctx, emp("E1001"))
	wantUnavailable(t, a, err)

	if a, err := s.Lookup(ctx, emp("E1001")); err != nil || a.Status != Active {
		t.Fatalf("before stopping slapd: %+v %v", a, err)
	}
	d.stop()
	a, err = s.Lookup(ctx, emp("E1001"))
	wantUnavailable(t, a, err)
	a, err = s.Lookup(ctx, emp("E9999"))
	wantUnavailable(t, a, err) // not NotFound: nobody was asked
}

func TestLDAP_SilentServerTimesOut(t *testing.T) {
	// A peer that accepts and never answers (a hung directory or a
	// firewall that swallows packets).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	s, err := NewLDAPSource("hung", LDAPConfig{
		URL: "ldap://" + l.Addr().String(), BindDN: slapdAdminDN, PasswordFile: writeFile(t, t.TempDir(), "p", "x"),
		BaseDN: slapdSuffix, Filter: "(employeeNumber={id})", IDKind: KindEmployee, Attributes: testLDAPAttributes(),
		Timeout: 300 * time.Millisecond, Mapping: testMapping(),
	}, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a, err := s.Lookup(context.Background(), emp("E1001"))
	wantUnavailable(t, a, err)
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("lookup took %s with a 300ms timeout", el)
	}
}

func TestLDAP_ConfigIsChecked(t *testing.T) {
	dir := t.TempDir()
	pass := writeFile(t, dir, "pass", "secret\n")
	empty := writeFile(t, dir, "empty", "\n")
	ok := func(f func(*LDAPConfig)) LDAPConfig {
		c := LDAPConfig{URL: "ldaps://ad.example.gob.pe", BindDN: "cn=sello,dc=example", PasswordFile: pass,
			BaseDN: "dc=example", Filter: "(employeeID={id})", IDKind: KindDNI, Attributes: testLDAPAttributes(), Mapping: testMapping()}
		f(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  LDAPConfig
		key  string
	}{
		{"no url", ok(func(c *LDAPConfig) { c.URL = "" }), "ldap.url"},
		{"http url", ok(func(c *LDAPConfig) { c.URL = "https://ad.example" }), "ldap.url"},
		{"dn in url", ok(func(c *LDAPConfig) { c.URL = "ldap://127.0.0.1/dc=example" }), "ldap.url"},
		{"start_tls on ldaps", ok(func(c *LDAPConfig) { c.StartTLS = true }), "ldap.start_tls"},
		{"ca_file in plaintext", ok(func(c *LDAPConfig) { c.URL, c.CAFile = "ldap://127.0.0.1", pass }), "ldap.ca_file"},
		{"bad ca_file", ok(func(c *LDAPConfig) { c.CAFile = pass }), "ldap.ca_file"},
		{"password without bind_dn", ok(func(c *LDAPConfig) { c.BindDN = "" }), "ldap.bind_dn"},
		{"bind_dn without password", ok(func(c *LDAPConfig) { c.PasswordFile = "" }), "ldap.password_file"},
		{"empty password", ok(func(c *LDAPConfig) { c.PasswordFile = empty }), "ldap.password_file"},
		{"missing password file", ok(func(c *LDAPConfig) { c.PasswordFile = filepath.Join(dir, "nope") }), "ldap.password_file"},
		{"password in plaintext", ok(func(c *LDAPConfig) { c.URL = "ldap://ad.example.gob.pe" }), "ldap.password_file"},
		{"bad bind_dn", ok(func(c *LDAPConfig) { c.BindDN = "sello" }), "ldap.bind_dn"},
		{"no base_dn", ok(func(c *LDAPConfig) { c.BaseDN = "" }), "ldap.base_dn"},
		{"bad base_dn", ok(func(c *LDAPConfig) { c.BaseDN = "people" }), "ldap.base_dn"},
		{"no {id}", ok(func(c *LDAPConfig) { c.Filter = "(employeeID=1)" }), "ldap.filter"},
		{"bad filter", ok(func(c *LDAPConfig) { c.Filter = "(&(employeeID={id})" }), "ldap.filter"},
		{"no id_kind", ok(func(c *LDAPConfig) { c.IDKind = "" }), "ldap.id_kind"},
		{"no status attribute", ok(func(c *LDAPConfig) { c.Attributes.Status = "" }), "ldap.attributes.status"},
		{"bad attribute", ok(func(c *LDAPConfig) { c.Attributes.Position = "title)(x" }), "ldap.attributes.position"},
		{"bad disabled_attribute", ok(func(c *LDAPConfig) { c.DisabledAttribute = "a b" }), "ldap.disabled_attribute"},
		{"negative timeout", ok(func(c *LDAPConfig) { c.Timeout = -time.Second }), "ldap.timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewLDAPSource("ad", tt.cfg, newFakeClock())
			wantConfigError(t, err, tt.key)
			if s != nil {
				t.Fatal("a source was returned with an error")
			}
		})
	}
	// StartTLS protects a password on ldap://; a loopback needs nothing.
	for _, c := range []LDAPConfig{
		ok(func(c *LDAPConfig) { c.URL, c.StartTLS = "ldap://ad.example.gob.pe", true }),
		ok(func(c *LDAPConfig) { c.URL = "ldap://localhost:3389" }),
	} {
		if _, err := NewLDAPSource("ad", c, newFakeClock()); err != nil {
			t.Fatal(err)
		}
	}
	s, err := NewLDAPSource("ad", ok(func(*LDAPConfig) {}), newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Lookup(context.Background(), PersonID{KindCURP, "X"})
	wantType(t, err, errs.Malformed)
	if a != (Appointment{}) {
		t.Fatal("non-zero appointment")
	}
}

// RULES R3: an LDAP / AD source may read the holder's name from an
// attribute (attributes.name, optional), which the RA compares with the
// applicant's.
func TestRule_R3_LDAPNameAttribute(t *testing.T) {
	t.Parallel() // each test has its own slapd; stopping one takes ~2s
	s, d, cfg := newLDAPTest(t, nil)
	addPerson(t, d, "elena", "E6000", map[string][]string{"displayName": {"Elena Quispe Mamani"},
		"cn": {"Elena Quispe Mamani", "Elena Quispe"}})
	ctx := context.Background()

	// Off by default: no name, whatever the entry holds.
	if a, err := s.Lookup(ctx, emp("E6000")); err != nil || a.Name != "" {
		t.Fatalf("without attributes.name: %+v %v, want no name", a, err)
	}

	cfg.Attributes.Name = "displayName"
	named, err := NewLDAPSource("ad-cajamarca", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	a, err := named.Lookup(ctx, emp("E6000"))
	if err != nil || a.Name != "Elena Quispe Mamani" || a.Status != Active {
		t.Fatalf("%+v %v, want the name Elena Quispe Mamani", a, err)
	}
	// An entry without the attribute is answered, without a name.
	if a, err := named.Lookup(ctx, emp("E1001")); err != nil || a.Name != "" {
		t.Fatalf("entry without displayName: %+v %v", a, err)
	}

	// cn works where it has one value; two values are ambiguous.
	cfg.Attributes.Name = "cn"
	byCN, err := NewLDAPSource("ad-cajamarca", cfg, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := byCN.Lookup(ctx, emp("E1001")); err != nil || a.Name != "Persona ana" {
		t.Fatalf("cn: %+v %v, want Persona ana", a, err)
	}
	a, err = byCN.Lookup(ctx, emp("E6000"))
	wantUnavailable(t, a, err)

	cfg.Attributes.Name = "display name"
	_, err = NewLDAPSource("ad-cajamarca", cfg, newFakeClock())
	wantConfigError(t, err, "ldap.attributes.name")
}
