package ra

import "context"

// Issue exposes the issuance path to the tests of the issuance sequence
// itself (a failing backend, a failing recording, the benchmark). Outside
// tests it is reached only through methods that authorise their actor.
func (r *RA) Issue(ctx context.Context, req IssueRequest) (*Issued, error) {
	return r.issueCertificate(ctx, req)
}
