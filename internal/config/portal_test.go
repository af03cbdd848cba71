package config

import (
	"strings"
	"testing"
)

// The links handed to people lead to pages with personal data, which only
// the HTTPS listener serves: listen.portal_url is an https URL, by default
// the HTTPS listener's; certificates keep listen.public_url.
func TestPortalURL(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
		env        []string
	}{
		{"listen:\n  https: 127.0.0.1:8443\n", "https://127.0.0.1:8443", nil},
		{"listen:\n  https: 0.0.0.0:443\n  public_url: http://firma.jalisco.gob.mx\n", "https://firma.jalisco.gob.mx:443", nil},
		{"listen:\n  portal_url: https://firma.jalisco.gob.mx/\n", "https://firma.jalisco.gob.mx", nil},
		{"listen:\n  https: \"off\"\n  public_url: https://firma.jalisco.gob.mx\n", "https://firma.jalisco.gob.mx", nil},
		{"listen:\n  https: 127.0.0.1:8443\n", "https://portal.jalisco.gob.mx/firma", []string{"SELLO_LISTEN_PORTAL_URL=https://portal.jalisco.gob.mx/firma"}},
	} {
		c2, err := Load(write(t, c.yaml), c.env)
		if err != nil {
			t.Fatalf("%s: %v", c.yaml, err)
		}
		if got := c2.PortalURL.String(); got != c.want {
			t.Errorf("%s: portal URL %s, want %s", c.yaml, got, c.want)
		}
	}
	_, err := Load(write(t, "listen:\n  portal_url: http://firma.jalisco.gob.mx\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "listen.portal_url") {
		t.Fatalf("an http portal URL: %v", err)
	}
}
