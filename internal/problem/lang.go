package problem

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
)

// Lang negotiates the language of an answer from the request's
// Accept-Language header: "en" when English is preferred over Spanish,
// otherwise "es" (the default, agents being Spanish-speaking).
func Lang(r *http.Request) string {
	return Negotiate(r.Header.Values("Accept-Language")...)
}

// Negotiate picks "es" or "en" from Accept-Language values (RFC 9110
// §12.5.4): the supported language with the highest q-value wins, a tie
// goes to the one listed first, q=0 excludes a language, "*" stands for any
// language not named, and Spanish is the answer when nothing matches.
func Negotiate(header ...string) string {
	q := map[string]float64{}
	order := map[string]int{}
	wildcard, wildcardPos := -1.0, 0
	pos := 0
	for _, h := range header {
		for _, item := range strings.Split(h, ",") {
			tag, weight, ok := parseItem(item)
			if !ok {
				continue
			}
			pos++
			if tag == "*" {
				if wildcard < 0 {
					wildcard, wildcardPos = weight, pos
				}
				continue
			}
			primary, _, _ := strings.Cut(tag, "-")
			if primary != errs.Spanish && primary != errs.English {
				continue
			}
			// The most specific range would win in full RFC 4647 matching;
			// for two primary languages, the first mention decides.
			if _, seen := q[primary]; !seen {
				q[primary], order[primary] = weight, pos
			}
		}
	}
	for _, l := range []string{errs.Spanish, errs.English} {
		if _, named := q[l]; !named && wildcard >= 0 {
			q[l], order[l] = wildcard, wildcardPos
		}
	}
	es, en := q[errs.Spanish], q[errs.English]
	if en > es || (en == es && en > 0 && order[errs.English] < order[errs.Spanish]) {
		return errs.English
	}
	return errs.Spanish
}

// parseItem reads one "tag;q=0.8" element; a malformed one is skipped.
func parseItem(item string) (tag string, q float64, ok bool) {
	parts := strings.Split(item, ";")
	tag = strings.ToLower(strings.TrimSpace(parts[0]))
	if tag == "" {
		return "", 0, false
	}
	q = 1
	for _, p := range parts[1:] {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || strings.ToLower(strings.TrimSpace(k)) != "q" {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return "", 0, false
		}
		q = f
	}
	return tag, q, true
}
