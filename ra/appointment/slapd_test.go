package appointment

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// A throwaway slapd per test, set up as TOOLING.md describes: a cn=config
// LDIF loaded with slapadd -n0, then slapd on a free loopback port, stopped
// by its pid file when the test ends.

const (
	slapdSuffix   = "dc=sello,dc=test"
	slapdAdminDN  = "cn=admin,dc=sello,dc=test"
	slapdPassword = "secret"
)

// slapd is a running test directory server.
type slapd struct {
	URL     string
	pidFile string
	dir     string
}

// slapdTool finds an OpenLDAP program; /usr/sbin is often not on a user's PATH.
func slapdTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/libexec"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	t.Fatalf("slapd is required: apt-get install slapd ldap-utils (%s not found)", name)
	return ""
}

// slapdConfig is TOOLING.md's cn=config, plus a one-attribute schema so that
// Active Directory's userAccountControl can be stored and tested.
const slapdConfig = `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {{DIR}}/run/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif

include: file:///etc/ldap/schema/cosine.ldif

include: file:///etc/ldap/schema/inetorgperson.ldif

dn: cn=adtest,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adtest
olcAttributeTypes: ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.32473.1.1 NAME 'selloTestADAccount' AUXILIARY MAY userAccountControl )

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: dc=sello,dc=test
olcRootDN: cn=admin,dc=sello,dc=test
olcRootPW: {{HASH}}
olcDbDirectory: {{DIR}}/data
olcDbMaxSize: 67108864
olcAccess: {0}to * by * read
`

// startSlapd starts a fresh slapd with the suffix entry and ou=people.
func startSlapd(t *testing.T) *slapd {
	t.Helper()
	slapdBin, slapadd, slappasswd := slapdTool(t, "slapd"), slapdTool(t, "slapadd"), slapdTool(t, "slappasswd")
	dir := t.TempDir()
	for _, d := range []string{"slapd.d", "data", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := exec.Command(slappasswd, "-s", slapdPassword).Output()
	if err != nil {
		t.Fatalf("slappasswd: %v", err)
	}
	ldif := strings.NewReplacer("{{DIR}}", dir, "{{HASH}}", strings.TrimSpace(string(hash))).Replace(slapdConfig)
	cfg := writeFile(t, dir, "config.ldif", ldif)
	if out, err := exec.Command(slapadd, "-n0", "-F", filepath.Join(dir, "slapd.d"), "-l", cfg).CombinedOutput(); err != nil {
		t.Fatalf("slapadd -n0: %v\n%s", err, out)
	}
	s := &slapd{pidFile: filepath.Join(dir, "run", "slapd.pid"), dir: dir}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := freePort(t)
		s.URL = fmt.Sprintf("ldap://127.0.0.1:%d", port)
		// slapd daemonises: Run returns once the child is forked.
		out, err := exec.Command(slapdBin, "-h", s.URL+"/", "-F", filepath.Join(dir, "slapd.d")).CombinedOutput()
		if err != nil {
			lastErr = fmt.Errorf("slapd: %v\n%s", err, out)
			continue
		}
		t.Cleanup(s.stop)
		if lastErr = s.waitReady(5 * time.Second); lastErr == nil {
			break
		}
		s.stop() // perhaps another process took the port
	}
	if lastErr != nil {
		t.Fatalf("slapd did not start: %v", lastErr)
	}
	s.add(t, slapdSuffix, map[string][]string{"objectClass": {"top", "dcObject", "organization"}, "dc": {"sello"}, "o": {"Sello test"}})
	s.add(t, "ou=people,"+slapdSuffix, map[string][]string{"objectClass": {"top", "organizationalUnit"}, "ou": {"people"}})
	return s
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitReady waits until slapd accepts an admin bind.
func (s *slapd) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := ldap.DialURL(s.URL, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
		if err == nil {
			err = conn.Bind(slapdAdminDN, slapdPassword)
			conn.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pid reads slapd's pid file.
func (s *slapd) pid() (int, error) {
	b, err := os.ReadFile(s.pidFile)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(bytes.TrimSpace(b)))
}

// stop ends the slapd this test started (by its pid file) and waits for it.
func (s *slapd) stop() {
	pid, err := s.pid()
	if err != nil {
		return // not started, or already stopped and its pid file removed
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return
	}
	// The pid file goes too, so that a later stop never signals a reused pid.
	defer os.Remove(s.pidFile)
	for i := 0; i < 250; i++ {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// add writes an entry as cn=admin.
func (s *slapd) add(t *testing.T, dn string, attrs map[string][]string) {
	t.Helper()
	conn, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(slapdAdminDN, slapdPassword); err != nil {
		t.Fatal(err)
	}
	req := ldap.NewAddRequest(dn, nil)
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		req.Attribute(name, attrs[name])
	}
	if err := conn.Add(req); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}
