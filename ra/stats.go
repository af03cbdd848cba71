package ra

import (
	"context"
	"errors"

	"github.com/sello-pki/sello/internal/errs"
)

// Stats is what the registry holds, counted (the metrics).
type Stats struct {
	// PendingJobs counts the pending outbox jobs by kind.
	PendingJobs map[string]int
	// Requests counts the certificate requests by state.
	Requests map[string]int
	// Certificates counts the certificates by issuer and status.
	Certificates []CertificateStat
}

// CertificateStat is how many certificates of one issuer have one status.
type CertificateStat struct {
	// Issuer is the issuer's name, or the store's issuer id for a
	// certificate no issuer of this deployment signed (the HTTPS server's,
	// signed by the root; another authority's homologated certificates).
	Issuer string
	Status string
	Count  int
}

// Stats counts what the registry holds, for those who read the whole
// deployment: administrators, auditors, the console and the system. Each
// count is read on its own; when one cannot be read the others are still
// returned, with an error naming what failed, so that a scrape shows what
// it can.
func (r *RA) Stats(ctx context.Context, a Actor) (*Stats, error) {
	if err := a.mustReadAll(); err != nil {
		return nil, r.refuse(ctx, a, "stats.read", "stats", err)
	}
	st := &Stats{}
	var failed []error
	var err error
	if st.PendingJobs, err = r.store.PendingJobs(ctx); err != nil {
		failed = append(failed, err)
	}
	if st.Requests, _, err = r.store.Counts(ctx); err != nil {
		failed = append(failed, err)
	}
	counts, err := r.store.CertificateCounts(ctx)
	if err != nil {
		failed = append(failed, err)
	}
	names := make(map[string]string, len(r.issuers))
	for _, is := range r.issuers {
		names[is.ID] = is.Name
	}
	for _, n := range counts {
		name, ok := names[n.IssuerID]
		if !ok {
			name = n.IssuerID
		}
		st.Certificates = append(st.Certificates, CertificateStat{Issuer: name, Status: n.Status, Count: n.Count})
	}
	if len(failed) > 0 {
		return st, errs.Wrap(errs.TypeOf(failed[0]), errors.Join(failed...), "statistics")
	}
	return st, nil
}
