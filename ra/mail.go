package ra

import (
	"context"
	"time"

	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/ra/notify"
)

// mail is one e-mail to the request's holder, written to the outbox in the
// caller's transaction (never sent from a request handler).
type mail struct {
	template string
	key      string // idempotency key
	data     map[string]any
}

// notify enqueues mails to the person of req. Common data (name, folio,
// time zone, links) is filled here; each template receives only the keys it
// declares, so a secret meant for one message cannot leak into another.
func (r *RA) notify(ctx context.Context, tx OutboxTx, req *Request, ack *Acknowledgement, mails ...mail) error {
	if req == nil || req.Person == nil || req.Person.Data.Email == "" {
		return nil
	}
	tz := "America/Mexico_City"
	if pol, err := r.policies.Get(req.PolicyID); err == nil && pol.CalendarSpec.Timezone != "" {
		tz = pol.CalendarSpec.Timezone
	}
	pol, _ := r.policies.Get(req.PolicyID)
	now := r.clk.Now()
	for _, m := range mails {
		full := map[string]any{
			"Name": req.Person.Data.FullName(), "Folio": req.Folio, "TZ": tz, "LegalBasis": legalBasis(pol, m.template), "Date": now,
			"Link": r.portalURL + "/solicitud/" + req.Folio, "Code": "", "ExpiresAt": now.Add(72 * time.Hour),
		}
		if ack != nil {
			full["ReceivedAt"] = ack.Ack.ReceivedAt
			// The link to the online check carries the verification code: the
			// filer learns it here, at the institutional address, and on paper.
			full["Link"] = ack.Ack.VerifyURL + "?codigo=" + ack.Code
		}
		for k, v := range m.data {
			full[k] = v
		}
		switch m.template {
		case notify.TemplateEmailVerification:
			full["Link"], full["Code"] = m.data["VerifyURL"], m.data["Token"]
		case notify.TemplateDeficiencyNotice:
			full["Days"] = deficiencyDays(r, req)
		case notify.TemplateRefusal:
			full["Reasons"], full["Grounds"] = m.data["Items"], m.data["Note"]
		case notify.TemplateNotPresented:
			full["Date"] = now
		case notify.TemplateAcknowledgement:
			if ack == nil {
				continue
			}
		}
		data := map[string]any{"TZ": tz}
		for _, k := range notify.TemplateKeys(m.template) {
			data[k] = full[k]
		}
		if err := notify.Enqueue(ctx, tx, m.key, notify.Message{Template: m.template, Lang: req.Data.Lang, To: req.Person.Data.Email, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

func deficiencyDays(r *RA, req *Request) int {
	if pol, err := r.policies.Get(req.PolicyID); err == nil {
		return pol.Deadlines.DeficiencyDays
	}
	return 3
}

// legalBasis is what a notice cites as its legal basis: the policy's
// instrument and the provision for that notice (RULES D1, D2), never a file.
func legalBasis(pol *policies.Policy, template string) string {
	if pol == nil {
		return ""
	}
	notice := map[string]string{notify.TemplateDeficiencyNotice: policies.NoticeDeficiency,
		notify.TemplateNotPresented: policies.NoticeNotPresented, notify.TemplateRefusal: policies.NoticeRefusal}[template]
	return pol.LegalCitation(notice)
}
