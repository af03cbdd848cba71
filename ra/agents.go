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

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/policies/validate"
)

// AddAgentRequest registers someone who acts: a registration agent of an
// organisation, an administrator of the certification authority, an
// auditor or an HR client (RULES O2).
type AddAgentRequest struct {
	OrgCode   string
	Role      string
	Person    model.PersonData
	Title     string
	Bootstrap bool // the first administrator, created by `sello init`
	// CSR, when given, is the agent's own request (key made on their own
	// device); otherwise a key pair is generated for a PKCS#12 file.
	CSR []byte
}

// AgentCredential is an agent's login certificate and its key, to be
// delivered as a password-protected PKCS#12 file.
type AgentCredential struct {
	Agent *model.Agent
	Key   crypto.Signer
	Cert  *x509.Certificate
	Chain []*x509.Certificate
}

// AddAgent validates the agent's identity under the organisation's policy,
// records the person and the agent, and issues the agent's client
// certificate through the same path as every certificate (CSR checks,
// pre-issuance lint, audit). The key pair is generated here because the
// credential is handed over as a PKCS#12 file.
func (r *RA) AddAgent(ctx context.Context, actor Actor, req AddAgentRequest) (*AgentCredential, error) {
	cred, err := r.addAgent(ctx, actor, req)
	if err != nil && !errs.Has(err, errs.BadCSR) && !errs.Has(err, errs.BadPublicKey) && !errs.Has(err, errs.DuplicateKey) && !errs.Has(err, errs.LintFailed) {
		// Issuance refusals are audited by Issue as cert.issue; the rest here.
		return nil, r.refuse(ctx, actor, "agent.add", "org:"+req.OrgCode, err)
	}
	return cred, err
}

func (r *RA) addAgent(ctx context.Context, actor Actor, req AddAgentRequest) (*AgentCredential, error) {
	if err := actor.mustAdmin(); err != nil {
		return nil, err
	}
	org, err := r.orgByCode(ctx, req.OrgCode)
	if err != nil {
		return nil, err
	}
	pol, err := r.policies.Get(org.PolicyID)
	if err != nil {
		return nil, errs.Wrap(errs.BadConfig, err, "organisation %s names policy %q, which is not loaded", org.Code, org.PolicyID)
	}
	if _, err := r.issuerOf(pol); err != nil {
		return nil, err // refused before anything is recorded
	}
	if !model.ValidRole(req.Role) {
		return nil, errs.New(errs.Malformed, "unknown role %q (admin, agent, auditor or hr)", req.Role)
	}
	d := req.Person
	d.GivenNames, d.FirstSurname, d.SecondSurname = strings.TrimSpace(d.GivenNames), strings.TrimSpace(d.FirstSurname), strings.TrimSpace(d.SecondSurname)
	if d.GivenNames == "" || d.FirstSurname == "" {
		return nil, errs.New(errs.Malformed, "given names and first surname are required")
	}
	if err := checkPerson(d); err != nil {
		return nil, err
	}
	if err := checkNames("title", req.Title); err != nil {
		return nil, err
	}
	if err := checkIdentifiers(&d, pol.IdentifierKind(), req.Bootstrap); err != nil {
		return nil, err
	}
	if err := validate.InstitutionalEmail(d.Email, pol.Email.Domains); err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "%s", err.Error())
	}
	// The identifier is this person's: not one on record under another name.
	if _, err := checkOnRecord(ctx, r.store, pol.IdentifierKind(), d); err != nil {
		return nil, err
	}
	var key crypto.Signer
	csrPEM := req.CSR
	if csrPEM == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "key generation")
		}
		csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, k)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "CSR")
		}
		key, csrPEM = k, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})
	} else if _, err := ca.ParseCSR(csrPEM); err != nil {
		return nil, err // refused before anything is recorded
	}
	person := &model.Person{Data: d}
	agent := &model.Agent{Role: req.Role, Title: req.Title, OrgID: org.ID}
	if err := r.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreatePerson(ctx, person); err != nil {
			return err
		}
		agent.PersonID = person.ID
		if err := tx.CreateAgent(ctx, agent); err != nil {
			return err
		}
		_, err := tx.Audit(ctx, model.Event{Actor: actor.String(), Action: "agent.add", Object: fmt.Sprintf("agent:%d", agent.ID),
			Outcome: model.OutcomeOK, Details: map[string]any{"org": org.Code, "role": req.Role, "person": person.ID, "bootstrap": req.Bootstrap}})
		return err
	}); err != nil {
		return nil, err
	}
	iss, err := r.issueCertificate(ctx, IssueRequest{
		Actor: actor.String(), CSR: csrPEM,
		Policy: pol, Org: org, Person: person, Title: req.Title, AgentID: agent.ID, Bootstrap: req.Bootstrap,
	})
	if err != nil {
		return nil, err
	}
	return &AgentCredential{Agent: agent, Key: key, Cert: iss.Cert, Chain: iss.Chain}, nil
}

// AgentSummary is an agent as the agents' list shows it.
type AgentSummary struct {
	ID      int64
	Name    string
	Role    string
	Title   string
	Status  string
	OrgID   int64
	OrgCode string
}

// Agents lists agents, administrators, auditors and HR clients:
// administrators and auditors see all, agents their organisation's.
func (r *RA) Agents(ctx context.Context, actor Actor, orgCode string) ([]AgentSummary, error) {
	scope, err := actor.scope()
	if err == nil && orgCode != "" {
		var o *model.Organisation
		if o, err = r.orgByCode(ctx, orgCode); err == nil {
			if scope != 0 && scope != o.ID {
				err = errs.New(errs.NotFound, "no organisation %s", orgCode)
			}
			scope = o.ID
		}
	}
	if err != nil {
		return nil, r.refuseRead(ctx, actor, "agent.list", "agents", err)
	}
	list, err := r.store.ListAgents(ctx, scope)
	if err != nil {
		return nil, err
	}
	orgs := map[int64]string{}
	out := make([]AgentSummary, 0, len(list))
	for _, ag := range list {
		v := AgentSummary{ID: ag.ID, Role: ag.Role, Title: ag.Title, Status: ag.Status, OrgID: ag.OrgID}
		if p, err := r.store.Person(ctx, ag.PersonID); err == nil {
			v.Name = p.Data.FullName()
		}
		if _, ok := orgs[ag.OrgID]; !ok {
			if o, err := r.store.Organisation(ctx, ag.OrgID); err == nil {
				orgs[ag.OrgID] = o.Code
			}
		}
		v.OrgCode = orgs[ag.OrgID]
		out = append(out, v)
	}
	return out, nil
}

// checkIdentifiers normalises and validates the identifiers a policy needs.
func checkIdentifiers(d *model.PersonData, kind string, bootstrap bool) error {
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

// DisableAgent withdraws an agent's access: the account is disabled and its
// valid login certificates are revoked (privilegeWithdrawn), with the
// publication jobs, in one transaction.
func (r *RA) DisableAgent(ctx context.Context, actor Actor, agentID int64, reason string) error {
	obj := fmt.Sprintf("agent:%d", agentID)
	err := r.store.InTx(ctx, func(tx Tx) error {
		if actor.Kind != ActorCLI && !(actor.Kind == ActorAgent && actor.Role == model.RoleAdmin) {
			return errs.New(errs.Forbidden, "only an administrator disables agents")
		}
		if strings.TrimSpace(reason) == "" {
			return errs.New(errs.Malformed, "give the written reason")
		}
		if err := checkTexts("reason", reason); err != nil {
			return err
		}
		if actor.Kind == ActorAgent && actor.AgentID == agentID {
			return errs.New(errs.Forbidden, "an administrator cannot disable their own account")
		}
		if err := tx.SetAgentStatus(ctx, agentID, "disabled"); err != nil {
			return err
		}
		certs, err := tx.CertificatesOfAgent(ctx, agentID)
		if err != nil {
			return err
		}
		now := r.clk.Now()
		revoked := 0
		for i := range certs {
			c := &certs[i]
			if c.Status != model.CertValid && c.Status != model.CertSuspended {
				continue
			}
			pol, err := r.policies.Get(c.PolicyID.String)
			if err != nil {
				return errs.Wrap(errs.BadConfig, err, "certificate %s has no loaded policy", c.Serial)
			}
			org, err := tx.Organisation(ctx, c.OrgID.Int64)
			if err != nil {
				return err
			}
			// A revocation folio and its acknowledgement, as every revocation
			// has, so that its receipt can be printed and checked (G4).
			folio, err := r.nextFolio(ctx, tx, org, pol, FolioRevocation, now)
			if err != nil {
				return err
			}
			// The common path: status, publication jobs and the holder's
			// notice, with the reason code of the policy's catalogue.
			if _, err := r.applyStatus(ctx, tx, actor, c, pol, ChangeRevoke, privilegeWithdrawn(pol, reason), folio, now); err != nil {
				return err
			}
			if r.ackSigner.Key != nil {
				if _, err := r.acknowledge(ctx, tx, ackInput{org: org, pol: pol, folio: folio, action: "status.revoke",
					certificateID: c.ID, filedAt: now, receivedAt: now}); err != nil {
					return err
				}
			}
			revoked++
		}
		_, err = tx.Audit(ctx, model.Event{Actor: actor.String(), Action: "agent.disable", Object: obj, Outcome: model.OutcomeOK,
			Details: map[string]any{"reason": reason, "certificatesRevoked": revoked}})
		return err
	})
	if err != nil {
		return r.refuse(ctx, actor, "agent.disable", obj, err)
	}
	return nil
}

// agentDisabledReason is the catalogue id of the revocation that disabling an
// agent applies to their login certificates. A policy may define it to word
// it its own way; otherwise privilegeWithdrawn gives it.
const agentDisabledReason = "agent_disabled"

// privilegeWithdrawn is the revocation reason of a disabled agent's login
// certificates: the policy's agent_disabled reason if it has one, else a
// privilegeWithdrawn (RFC 5280 code 9) reason worded with the
// administrator's written reason.
func privilegeWithdrawn(pol *policies.Policy, written string) policies.StatusReason {
	if r, group, ok := pol.StatusReason(agentDisabledReason); ok && group == "revocation" {
		return r
	}
	written = strings.TrimSpace(written)
	return policies.StatusReason{ID: agentDisabledReason, RFC5280: "privilegeWithdrawn",
		ES: "Retiro de las facultades del agente: " + written, EN: "Agent's privileges withdrawn: " + written}
}
