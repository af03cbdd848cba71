package config

import (
	"net"
	"net/url"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// portalURL is the base of the links Sello hands to people: the online
// check of a printed document, the e-mail verification and the status
// page. Those pages show personal data, which only the HTTPS listener
// serves, so a configured value must be https. Unset, it is the HTTPS
// listener (its host when it listens on a named address, the public URL's
// host when it listens on every interface); with no HTTPS listener, the
// public URL (a reverse proxy terminating TLS in front of the plain one).
func portalURL(raw, httpsAddr string, public *url.URL) (*url.URL, error) {
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, errs.New(errs.BadConfig, "%q is not an absolute https URL: the pages it leads to show personal data", raw)
		}
		u.Path = strings.TrimRight(u.Path, "/")
		return u, nil
	}
	if httpsAddr == "" {
		u := *public
		return &u, nil
	}
	host, port, err := net.SplitHostPort(httpsAddr)
	if err != nil {
		return nil, errs.New(errs.BadConfig, "listen.https %q has no port: set listen.portal_url", httpsAddr)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = public.Hostname()
	}
	return &url.URL{Scheme: "https", Host: net.JoinHostPort(host, port)}, nil
}
