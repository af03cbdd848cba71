package ra

import (
	"github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/internal/model"
)

// certRef names a certificate in an outbox job: ids only.
func certRef(c *model.Certificate) jobs.Cert {
	return jobs.Cert{CertificateID: c.ID, Issuer: c.IssuerID, Serial: c.Serial}
}

// statusJobs are the jobs of a status change: the OCSP response, the CRL
// and the registry entry are refreshed, and a revocation is passed on to
// the CA backend.
func statusJobs(c *model.Certificate, ch jobs.Change) []jobs.Job {
	ref := certRef(c)
	js := []jobs.Job{jobs.NewOCSPRefresh(ref, ch), jobs.NewCRLRegenerate(ref, ch), jobs.NewLDAPPublish(ref, ch)}
	if ch.Event == ChangeRevoke {
		js = append(js, jobs.NewCARevoke(ref, ch))
	}
	return js
}
