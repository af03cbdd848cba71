package main

import (
	"context"
	"slices"
	"sort"

	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/store"
)

// withoutHR lists the policies in use (the default policy and those of the
// registered organisations) that have no HR source for some organisation,
// with those organisations' codes: their appointment lookups answer
// "unavailable" and no request under them is approved (RULES R1).
func withoutHR(cfg *config.Config, orgs []store.Organisation) map[string][]string {
	covered := func(policy, org string) bool {
		for _, h := range cfg.HR {
			if h.Policy == policy && (len(h.Organisations) == 0 || slices.Contains(h.Organisations, org)) {
				return true
			}
		}
		return false
	}
	out := map[string][]string{}
	for _, o := range orgs {
		if !covered(o.PolicyID, o.Code) {
			out[o.PolicyID] = append(out[o.PolicyID], o.Code)
		}
	}
	if _, ok := out[cfg.DefaultPolicy]; !ok && !covered(cfg.DefaultPolicy, "") {
		out[cfg.DefaultPolicy] = nil
	}
	for _, codes := range out {
		sort.Strings(codes)
	}
	return out
}

// warnWithoutHR logs, at start, each policy in use without an HR source.
func warnWithoutHR(ctx context.Context, a *app) {
	orgs, err := a.ra.Organisations(ctx, ra.System("serve"))
	if err != nil {
		a.log.Warn("cannot list organisations to check HR sources", "err", err)
		return
	}
	missing := withoutHR(a.cfg, orgs)
	policies := make([]string, 0, len(missing))
	for p := range missing {
		policies = append(policies, p)
	}
	sort.Strings(policies)
	for _, p := range policies {
		a.log.Warn("no HR source for a policy in use: appointment lookups answer unavailable and no request is approved (RULES R1); add one under hr: in "+a.cfg.Source,
			"policy", p, "organisations", missing[p])
	}
}
