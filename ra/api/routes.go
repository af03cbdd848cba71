package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra"
)

const (
	get  = http.MethodGet
	post = http.MethodPost
)

func (h *Handler) table() []route {
	R := h.ra
	return []route{
		jsonRoute(get, "/api/v1/whoami", "The authenticated agent and organisation", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Whoami, error) {
				id, err := R.Whoami(ctx, c.actor)
				if err != nil {
					return nil, err
				}
				return &Whoami{Agent: id.AgentID, Role: id.Role, Title: id.Title, Name: id.Name,
					Organisation: organisationOf(&id.Organisation), CertificateNotAfter: timePtr(id.CertificateNotAfter)}, nil
			}),
		jsonRoute(get, "/api/v1/requests", "List requests (O3 online requests, my requests)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Requests, error) {
				list, err := R.Requests(ctx, c.actor, ra.RequestQuery{View: c.query("view"), States: splitList(c.query("state")), OrgCode: c.query("organisation")})
				if err != nil {
					return nil, err
				}
				return &Requests{Requests: requestsOf(list)}, nil
			}).withQuery(param{name: "view", enum: []string{"online", "mine", "all"}, doc: "online: e-mail not verified or waiting; mine: the agent's"},
			param{name: "state", doc: "Comma-separated states"}, param{name: "organisation", doc: "Organisation code (administrators and auditors)"}),
		jsonRoute(post, "/api/v1/requests", "Open a request in person (O3 generate certificate in person)", 201,
			func(ctx context.Context, c *call, b *FilingBody) (*Filing, error) {
				f, err := R.FileInPerson(ctx, c.actor, b.request(c.actor.OrgCode))
				if err != nil {
					return nil, err
				}
				return &Filing{Request: requestOf(f.Request), Acknowledgement: ackOf(f.Ack, true)}, nil
			}),
		jsonRoute(get, "/api/v1/requests/{id}", "A request", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Request, error) {
				return reqOut(R.Load(ctx, c.actor, c.id))
			}),
		jsonRoute(get, "/api/v1/requests/{id}/evaluation", "Every unmet requirement with its rule id, and the in-person checklist", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Evaluation, error) {
				_, d, err := R.Evaluation(ctx, c.actor, c.id)
				if err != nil {
					return nil, err
				}
				rules := d.Rules()
				if rules == nil {
					rules = []string{}
				}
				return &Evaluation{Approvable: d.Approvable(), Rules: rules, Decision: decisionOf(d)}, nil
			}),
		transition("/api/v1/requests/{id}/attend", "Attend an online request whose e-mail is verified", R.Attend),
		transition("/api/v1/requests/{id}/check-appointment", "Look the appointment up in HR (R1)", R.CheckAppointment),
		jsonRoute(post, "/api/v1/requests/{id}/confirm", "Record what was checked in person (R2, R5-R8, R10)", 200,
			func(ctx context.Context, c *call, b *ConfirmBody) (*Request, error) {
				in, err := b.confirm()
				if err != nil {
					return nil, apiRefusal{err}
				}
				return reqOut(R.Confirm(ctx, c.actor, c.id, in))
			}),
		h.uploadRoute(),
		jsonRoute(get, "/api/v1/requests/{id}/documents", "The request's documents (metadata)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Documents, error) {
				list, err := R.Documents(ctx, c.actor, c.id)
				if err != nil {
					return nil, err
				}
				out := &Documents{Documents: []Document{}}
				for i := range list {
					out.Documents = append(out.Documents, documentOf(&list[i]))
				}
				return out, nil
			}),
		transition("/api/v1/requests/{id}/deficient", "Notify the missing requirements; opens the D1 term", R.MarkDeficient),
		transition("/api/v1/requests/{id}/resume", "Back to review once the missing items arrived in time", R.Resume),
		jsonRoute(post, "/api/v1/requests/{id}/approve", "Approve; the one-time credential goes to the institutional e-mail", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Approval, error) {
				q, secrets, err := R.Approve(ctx, c.actor, c.id)
				if err != nil {
					return nil, err
				}
				out := &Approval{Request: requestOf(q), CredentialQueued: secrets != nil}
				if secrets != nil {
					out.CredentialExpiresAt = timePtr(secrets.ExpiresAt)
				}
				return out, nil
			}),
		jsonRoute(post, "/api/v1/requests/{id}/refuse", "Refuse in writing with grounds (D2)", 200,
			func(ctx context.Context, c *call, b *RefuseBody) (*Request, error) {
				return reqOut(R.Refuse(ctx, c.actor, c.id, b.Note))
			}),
		jsonRoute(post, "/api/v1/requests/{id}/cancel", "Cancel with a written reason (R11)", 200,
			func(ctx context.Context, c *call, b *CancelBody) (*Request, error) {
				return reqOut(R.Cancel(ctx, c.actor, c.id, b.Reason))
			}),
		jsonRoute(post, "/api/v1/requests/{id}/issue", "Issue the certificate for the holder's CSR (P3)", 201,
			func(ctx context.Context, c *call, b *IssueBody) (*IssuedCertificate, error) {
				iss, err := R.IssueInPerson(ctx, c.actor, c.id, []byte(b.CSR))
				if err != nil {
					return nil, err
				}
				return issuedOf(iss), nil
			}),
		transition("/api/v1/requests/{id}/accept", "Record the signed acceptance form (R8)", R.Accept),
		jsonRoute(post, "/api/v1/requests/{id}/resend-credential", "Replace and resend the enrolment credential (D6)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*CredentialResent, error) {
				s, err := R.ResendCredential(ctx, c.actor, c.id)
				if err != nil {
					return nil, err
				}
				return &CredentialResent{CredentialQueued: true, CredentialExpiresAt: s.ExpiresAt.UTC()}, nil
			}),
		jsonRoute(post, "/api/v1/requests/{id}/resend-certificate", "Resend the certificate within the resend window (D6)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*CertificateResent, error) {
				if err := R.ResendCertificate(ctx, c.actor, c.id); err != nil {
					return nil, err
				}
				return &CertificateResent{CertificateQueued: true}, nil
			}),
		pdfRoute("/api/v1/requests/{id}/acknowledgement.pdf", "Print the acknowledgement of receipt (G3, G4)",
			func(ctx context.Context, c *call) (*ra.PDF, error) {
				return R.AcknowledgementPDF(ctx, c.actor, c.id, c.query("lang"))
			}),
		pdfRoute("/api/v1/requests/{id}/acceptance-form.pdf", "Print the acceptance form (R8)",
			func(ctx context.Context, c *call) (*ra.PDF, error) {
				return R.AcceptanceFormPDF(ctx, c.actor, c.id, c.query("lang"))
			}),
		pdfRoute("/api/v1/requests/{id}/refusal.pdf", "Print the refusal or not-presented determination (D1, D2)",
			func(ctx context.Context, c *call) (*ra.PDF, error) {
				return R.RefusalPDF(ctx, c.actor, c.id, c.query("lang"))
			}),
		h.documentRoute(),
		jsonRoute(get, "/api/v1/search", "Search by name, CURP, RFC or DNI over requests, valid or revoked certificates (O3)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*SearchResult, error) {
				res, err := R.Search(ctx, c.actor, ra.SearchQuery{Term: c.query("q"), By: c.query("by"), In: c.query("in")})
				if err != nil {
					return nil, err
				}
				if in := c.query("in"); in == "valid" || in == "revoked" {
					return &SearchResult{Certificates: certificatesOf(res.Certificates)}, nil
				}
				return &SearchResult{Requests: requestsOf(res.Requests)}, nil
			}).withQuery(param{name: "q", required: true, doc: "Name or identifier"}, param{name: "by", enum: []string{"name", "curp", "rfc", "dni"}},
			param{name: "in", enum: []string{"requests", "valid", "revoked"}}),
		jsonRoute(get, "/api/v1/certificates", "List certificates (O3 valid and revoked, my issued, my revoked)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Certificates, error) {
				list, err := R.Certificates(ctx, c.actor, ra.CertificateQuery{View: c.query("view")})
				if err != nil {
					return nil, err
				}
				return &Certificates{Certificates: certificatesOf(list)}, nil
			}).withQuery(param{name: "view", enum: []string{"all", "valid", "revoked", "issued-by-me", "revoked-by-me"}}),
		jsonRoute(get, "/api/v1/certificates/{id}", "A certificate and its status history (S6)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*CertificateDetail, error) {
				d, err := R.Certificate(ctx, c.actor, c.id)
				if err != nil {
					return nil, err
				}
				out := &CertificateDetail{Certificate: certificateOf(d.Certificate, true), History: []StatusChange{}}
				for i := range d.History {
					out.History = append(out.History, *statusChangeOf(&d.History[i]))
				}
				return out, nil
			}),
		jsonRoute(post, "/api/v1/certificates/{id}/status", "Suspend, lift, revoke or extinguish, giving the holder's CURP or DNI and a reason (S1-S4)", 200,
			func(ctx context.Context, c *call, b *StatusBody) (*StatusResult, error) {
				res, err := R.ChangeStatus(ctx, c.actor, ra.StatusInput{CertificateID: c.id, Kind: b.Kind, ReasonID: b.Reason,
					Identifier: b.Identifier, Requester: b.Requester, Statement: b.Statement, Defer: b.Defer,
					Address: b.Address, PowerOfAttorney: b.PowerOfAttorney})
				if err != nil {
					return nil, err
				}
				return &StatusResult{Request: statusRequestOf(res.Request), Change: statusChangeOf(res.Change), Acknowledgement: ackOf(res.Ack, true)}, nil
			}),
		pdfRoute("/api/v1/certificates/{id}/revocation-receipt.pdf", "Print the revocation receipt (S4)",
			func(ctx context.Context, c *call) (*ra.PDF, error) {
				return R.RevocationReceiptPDF(ctx, c.actor, c.id, c.query("lang"))
			}),
		jsonRoute(get, "/api/v1/status-requests", "Revocation and suspension requests (O3)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*StatusRequests, error) {
				list, err := R.StatusRequests(ctx, c.actor, c.query("state"))
				if err != nil {
					return nil, err
				}
				out := &StatusRequests{StatusRequests: []StatusRequest{}}
				for i := range list {
					out.StatusRequests = append(out.StatusRequests, *statusRequestOf(&list[i]))
				}
				return out, nil
			}).withQuery(param{name: "state", enum: []string{"pending", "done", "refused"}}),
		jsonRoute(post, "/api/v1/status-requests/{id}/decide", "Decide a deferred request", 200,
			func(ctx context.Context, c *call, b *DecideBody) (*Decided, error) {
				ch, err := R.DecideStatusRequest(ctx, c.actor, c.id, *b.Approve)
				if err != nil {
					return nil, err
				}
				return &Decided{Change: statusChangeOf(ch)}, nil
			}),
		jsonRoute(post, "/api/v1/homologations", "Register another authority's certificate after validating it (O4)", 201,
			func(ctx context.Context, c *call, b *HomologationBody) (*Certificate, error) {
				org := b.Organisation
				if org == "" {
					org = c.actor.OrgCode
				}
				cert, err := R.Homologate(ctx, c.actor, ra.HomologationRequest{OrgCode: org, Person: b.PersonBody.data(), Title: b.Title,
					Certificate: []byte(b.Certificate)})
				if err != nil {
					return nil, err
				}
				v := certificateOf(cert, false)
				return &v, nil
			}),
		jsonRoute(get, "/api/v1/agents", "Agents, administrators, auditors and HR clients (admins and auditors: all; agents: their organisation)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Agents, error) {
				list, err := R.Agents(ctx, c.actor, c.query("organisation"))
				if err != nil {
					return nil, err
				}
				out := &Agents{Agents: []Agent{}}
				for _, a := range list {
					out.Agents = append(out.Agents, Agent{ID: a.ID, Name: a.Name, Role: a.Role, Title: a.Title, Status: a.Status,
						Organisation: a.OrgID, OrganisationCode: a.OrgCode})
				}
				return out, nil
			}).withQuery(param{name: "organisation", doc: "Organisation code"}),
		jsonRoute(post, "/api/v1/agents", "Register an agent from the CSR they made on their own device (admins)", 201,
			func(ctx context.Context, c *call, b *AddAgentBody) (*AgentCredential, error) {
				cred, err := R.AddAgent(ctx, c.actor, ra.AddAgentRequest{OrgCode: b.Organisation, Role: b.Role, Person: b.PersonBody.data(),
					Title: b.Title, CSR: []byte(b.CSR)})
				if err != nil {
					return nil, err
				}
				return &AgentCredential{Agent: cred.Agent.ID, Role: cred.Agent.Role, Certificate: pemOf(cred.Cert.Raw), Chain: chainOf(cred.Chain)}, nil
			}),
		jsonRoute(post, "/api/v1/agents/{id}/disable", "Disable an agent and revoke their login certificates (admins)", 200,
			func(ctx context.Context, c *call, b *DisableAgentBody) (*AgentDisabled, error) {
				if err := R.DisableAgent(ctx, c.actor, c.id, b.Reason); err != nil {
					return nil, err
				}
				return &AgentDisabled{Agent: c.id, Status: "disabled"}, nil
			}),
		jsonRoute(get, "/api/v1/organisations", "Accredited organisations (O1, G2)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*Organisations, error) {
				list, err := R.Organisations(ctx, c.actor)
				if err != nil {
					return nil, err
				}
				out := &Organisations{Organisations: []Organisation{}}
				for i := range list {
					out.Organisations = append(out.Organisations, organisationOf(&list[i]))
				}
				return out, nil
			}),
		jsonRoute(post, "/api/v1/organisations", "Accredit an organisation (admins; O1)", 201,
			func(ctx context.Context, c *call, b *OrganisationBody) (*Organisation, error) {
				return orgOut(R.AddOrganisation(ctx, c.actor, ra.OrganisationInput{Code: b.Code, Name: b.Name, Policy: b.Policy, Unit: b.Unit}))
			}),
		jsonRoute(post, "/api/v1/organisations/{code}/status", "Accredit, suspend or revoke an organisation (admins; O1, G2)", 200,
			func(ctx context.Context, c *call, b *OrganisationStatusBody) (*Organisation, error) {
				return orgOut(R.SetOrganisationStatus(ctx, c.actor, pathValue(c, "code"), b.Status, b.Reason))
			}),
		jsonRoute(post, "/api/v1/scheduler/run", "Run the deadline scheduler now (admins)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*DeadlineReport, error) {
				rep, err := R.RunDeadlines(ctx, c.actor)
				if err != nil {
					return nil, err
				}
				return &DeadlineReport{NotPresented: nonNil(rep.NotPresented), RefusalsDue: nonNil(rep.RefusalsDue),
					HoldsReleased: nonNil(rep.HoldsReleased), Escalated: nonNil(rep.Escalated),
					DecisionsDue: nonNil(rep.DecisionsDue), Revoked: nonNil(rep.Revoked), Expired: nonNil(rep.Expired), Unverified: nonNil(rep.Unverified),
					Skipped: rep.Skipped, Errors: nonNil(rep.Errors)}, nil
			}),
		jsonRoute(post, "/api/v1/public/requests", "File a request online (no certificate; R9)", 201,
			func(ctx context.Context, c *call, b *PublicFilingBody) (*PublicFiling, error) {
				req := b.request()
				req.From = c.actor.From
				f, err := R.FileOnline(ctx, req)
				if err != nil {
					return nil, err
				}
				// An anonymous filer gets the folio and the times, nothing
				// recorded about the person: the signed acknowledgement and
				// the e-mail token go only to the institutional address.
				return &PublicFiling{Folio: f.Request.Folio, State: f.Request.State, Acknowledgement: ackOf(f.Ack, false)}, nil
			}).public_(),
		jsonRoute(post, "/api/v1/public/requests/{folio}/verify-email", "Verify the e-mail with the code sent to it", 200,
			func(ctx context.Context, c *call, b *VerifyEmailBody) (*EmailVerified, error) {
				q, err := R.VerifyEmail(ctx, pathValue(c, "folio"), b.Token)
				if err != nil {
					return nil, err
				}
				return &EmailVerified{Folio: q.Folio, State: q.State}, nil
			}).public_(),
		jsonRoute(get, "/verificar/{folio}", "Online check of a printed document (G4)", 200,
			func(ctx context.Context, c *call, _ *NoBody) (*DocumentCheck, error) {
				code := c.query("codigo")
				if code == "" {
					code = c.query("code")
				}
				if code == "" {
					return nil, apiRefusal{errs.New(errs.Malformed, "type the verification code printed on the document (?codigo=…)")}
				}
				a, err := R.VerifyDocument(ctx, pathValue(c, "folio"), code)
				if err != nil {
					return nil, err
				}
				b := a.Ack.ReceivingBody
				return &DocumentCheck{Valid: true, Folio: a.Ack.Folio, Action: a.Ack.ActionES, ReceivedAt: a.Ack.ReceivedAt.UTC(),
					ReceivingBody: ReceivingBody{Organisation: b.Organisation, Code: b.Code, Unit: b.Unit, Authority: b.Authority},
					Filer:         a.Ack.Filer.Name}, nil
			}).public_().withQuery(param{name: "codigo", required: true, doc: "XXXX-XXXX-XXXX-XXXX, printed on the document"},
			param{name: "code", doc: "The same code under its English name"}),
	}
}

// transition is a request transition that takes no body.
func transition(path, summary string, fn func(ctx context.Context, a ra.Actor, id int64) (*ra.Request, error)) route {
	return jsonRoute(post, path, summary, 200, func(ctx context.Context, c *call, _ *NoBody) (*Request, error) {
		return reqOut(fn(ctx, c.actor, c.id))
	})
}

func reqOut(q *ra.Request, err error) (*Request, error) {
	if err != nil {
		return nil, err
	}
	v := requestOf(q)
	return &v, nil
}

func orgOut(o *model.Organisation, err error) (*Organisation, error) {
	if err != nil {
		return nil, err
	}
	v := organisationOf(o)
	return &v, nil
}

func issuedOf(iss *ra.Issued) *IssuedCertificate {
	return &IssuedCertificate{CertificateID: iss.Record.ID, Serial: iss.Record.Serial, Subject: subjectOf(iss.Record.DER, ""),
		Issuer: issuerOf(iss), NotBefore: iss.Cert.NotBefore.UTC(), NotAfter: iss.Cert.NotAfter.UTC(),
		Certificate: pemOf(iss.Record.DER), Chain: chainOf(iss.Chain)}
}

func issuerOf(iss *ra.Issued) string {
	if len(iss.Chain) > 0 {
		return subjectOf(iss.Chain[0].Raw, "")
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// data is the person a body describes.
func (b PersonBody) data() model.PersonData {
	return model.PersonData{GivenNames: b.GivenNames, FirstSurname: b.FirstSurname, SecondSurname: b.SecondSurname,
		CURP: b.CURP, RFC: b.RFC, DNI: b.DNI, Email: b.Email, Phone: b.Phone}
}

func (b *FilingBody) request(defaultOrg string) ra.FileRequest {
	org := b.Organisation
	if org == "" {
		org = defaultOrg
	}
	return ra.FileRequest{OrgCode: org, Reason: b.Reason, Title: b.Title, Lang: b.Lang, Place: b.Place, Person: b.PersonBody.data()}
}

func (b *PublicFilingBody) request() ra.FileRequest {
	return ra.FileRequest{OrgCode: b.Organisation, Reason: b.Reason, Title: b.Title, Lang: b.Lang, Person: b.PersonBody.data()}
}

// check refuses an empty confirmation: it would record nothing.
func (b *ConfirmBody) check() error {
	if b.IDDocument == nil && len(b.Documents) == 0 && len(b.Biometrics) == 0 && b.InPerson == nil && b.RequestForm == nil &&
		b.Agreement == nil && b.PaymentReceipt == "" && b.RENAPO == nil && b.DNIIssueDate == "" {
		return errs.New(errs.Malformed, "say what was checked: at least one of idDocument, documents, biometrics, inPerson, requestFormSigned, agreementSigned, paymentReceipt, renapoConfirmed, dniIssueDate")
	}
	return nil
}

func (b *ConfirmBody) confirm() (ra.Confirm, error) {
	c := ra.Confirm{Biometrics: b.Biometrics, InPerson: b.InPerson, RequestForm: b.RequestForm, Agreement: b.Agreement,
		PaymentReceipt: b.PaymentReceipt, RENAPO: b.RENAPO, DNIIssueDate: b.DNIIssueDate}
	if b.IDDocument != nil {
		c.IDDocument = &policies.IDDocument{Kind: b.IDDocument.Kind, Number: b.IDDocument.Number,
			Issuer: strings.ToUpper(strings.TrimSpace(b.IDDocument.Issuer))}
	}
	if len(b.Documents) > 0 {
		c.Documents = map[string]time.Time{}
		for kind, d := range b.Documents {
			t, err := time.Parse("2006-01-02", d)
			if err != nil {
				return c, errs.New(errs.Malformed, "documents.%s: %q is not a date (YYYY-MM-DD)", kind, d)
			}
			c.Documents[kind] = t
		}
	}
	return c, nil
}

// check refuses a decision that says neither yes nor no.
func (b *DecideBody) check() error {
	if b.Approve == nil {
		return errs.New(errs.Malformed, "say approve: true or false")
	}
	return nil
}
