package policies

import "strings"

// The notices that cite a legal basis (RULES D1, D2).
const (
	NoticeDeficiency   = "deficiency"
	NoticeNotPresented = "not_presented"
	NoticeRefusal      = "refusal"
)

// LegalCitation returns what a notice cites as its legal basis: the
// instrument and the provision for that notice, e.g. "Reglamento de la Ley
// de Firma Electrónica del Estado de Zacatecas, art. 16". An unknown notice
// cites the instrument alone.
func (p *Policy) LegalCitation(notice string) string {
	lb := p.LegalBasis
	provision := map[string]string{NoticeDeficiency: lb.Deficiency, NoticeNotPresented: lb.NotPresented,
		NoticeRefusal: lb.Refusal}[notice]
	if strings.TrimSpace(provision) == "" {
		return lb.Instrument
	}
	return lb.Instrument + ", " + provision
}

// RuleCitation returns the provision a requirement of rule comes from
// ("art. 15-III"), or the provision of the notice when the policy maps none:
// a ground on a written decision cites the law, not a rule id of Sello.
func (p *Policy) RuleCitation(rule, notice string) string {
	if c := strings.TrimSpace(p.LegalBasis.Rules[rule]); c != "" {
		return c
	}
	return map[string]string{NoticeDeficiency: p.LegalBasis.Deficiency, NoticeNotPresented: p.LegalBasis.NotPresented,
		NoticeRefusal: p.LegalBasis.Refusal}[notice]
}
