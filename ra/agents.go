package ra

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/policies/validate"
	"github.com/sello-pki/sello/store"
)

// AddAgentRequest registers someone who acts: a registration agent of an
// organisation, an administrator of the certification authority, an
// auditor or an HR client (RULES O2).
type AddAgentRequest struct {
	Actor     string
	OrgCode   string
	Role      string
	Person    store.PersonData
	Title     string
	Bootstrap bool // the first administrator, created by `sello init`
}

// AgentCredential is an agent's login certificate and its key, to be
// delivered as a password-protected PKCS#12 file.
type AgentCredential struct {
	Agent *store.Agent
	Key   crypto.Signer
	Cert  *x509.Certificate
	Chain []*x509.Certificate
}

// AddAgent validates the agent's identity under the organisation's policy,
// records the person and the agent, and issues the agent's client
// certificate through the same path as every certificate (CSR checks,
// pre-issuance lint, audit). The key pair is generated here because the
// credential is handed over as a PKCS#12 file.
func (r *RA) AddAgent(ctx context.Context, req AddAgentRequest) (*AgentCredential, error) {
	org, err := r.store.OrganisationByCode(ctx, req.OrgCode)
	if err != nil {
		return nil, err
	}
	pol, err := r.policies.Get(org.PolicyID)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "organisation %s names policy %q, which is not loaded", org.Code, org.PolicyID)
	}
	if !store.ValidRole(req.Role) {
		return nil, errs.New(errs.Malformed, "unknown role %q (admin, agent, auditor or hr)", req.Role)
	}
	d := req.Person
	d.GivenNames, d.FirstSurname, d.SecondSurname = strings.TrimSpace(d.GivenNames), strings.TrimSpace(d.FirstSurname), strings.TrimSpace(d.SecondSurname)
	if d.GivenNames == "" || d.FirstSurname == "" {
		return nil, errs.New(errs.Malformed, "given names and first surname are required")
	}
	if err := checkIdentifiers(&d, pol.IdentifierKind(), req.Bootstrap); err != nil {
		return nil, err
	}
	if err := validate.InstitutionalEmail(d.Email, pol.Email.Domains); err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "%s", err.Error())
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "key generation")
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "CSR")
	}
	person := &store.Person{Data: d}
	agent := &store.Agent{Role: req.Role, Title: req.Title, OrgID: org.ID}
	if err := r.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePerson(ctx, person); err != nil {
			return err
		}
		agent.PersonID = person.ID
		if err := tx.CreateAgent(ctx, agent); err != nil {
			return err
		}
		_, err := tx.Audit(ctx, store.Event{Actor: req.Actor, Action: "agent.add", Object: fmt.Sprintf("agent:%d", agent.ID),
			Outcome: store.OutcomeOK, Details: map[string]any{"org": org.Code, "role": req.Role, "person": person.ID, "bootstrap": req.Bootstrap}})
		return err
	}); err != nil {
		return nil, err
	}
	iss, err := r.Issue(ctx, IssueRequest{
		Actor: req.Actor, CSR: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER}),
		Policy: pol, Org: org, Person: person, Title: req.Title, AgentID: agent.ID, Bootstrap: req.Bootstrap,
	})
	if err != nil {
		return nil, err
	}
	return &AgentCredential{Agent: agent, Key: key, Cert: iss.Cert, Chain: iss.Chain}, nil
}

// checkIdentifiers normalises and validates the identifiers a policy needs.
func checkIdentifiers(d *store.PersonData, kind string, bootstrap bool) error {
	if d.CURP != "" {
		d.CURP = validate.NormalizeCURP(d.CURP)
		if _, err := validate.ParseCURP(d.CURP); err != nil {
			return errs.Wrap(errs.Malformed, err, "%s", err.Error())
		}
	}
	if d.RFC != "" {
		d.RFC = validate.NormalizeRFC(d.RFC)
		if _, _, err := validate.ParseRFC(d.RFC); err != nil {
			return errs.Wrap(errs.Malformed, err, "%s", err.Error())
		}
	}
	if d.DNI != "" {
		dni, err := validate.ParseDNI(strings.TrimSpace(d.DNI))
		if err != nil {
			return errs.Wrap(errs.Malformed, err, "%s", err.Error())
		}
		d.DNI = dni.Number
	}
	if bootstrap {
		return nil
	}
	missing := map[string]bool{"CURP": d.CURP == "", "RFC": d.RFC == "", "DNI": d.DNI == ""}
	if missing[kind] {
		return errs.New(errs.Malformed, "the %s is required by the organisation's policy", kind)
	}
	return nil
}
