package policies

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sello-pki/sello/internal/yamlx"
	"github.com/sello-pki/sello/policies/calendar"
	"github.com/sello-pki/sello/policies/validate"
)

// Vocabularies. A value outside them is a typo, and stops the load.
var (
	ruleIDs = func() map[string]bool {
		m := map[string]bool{}
		for p, n := range map[string]int{"R": 11, "D": 6, "P": 5, "S": 6, "G": 6, "O": 4, "F": 6} {
			for i := 1; i <= n; i++ {
				m[fmt.Sprintf("%s%d", p, i)] = true
			}
		}
		return m
	}()
	idDocumentKinds = set("INE", "PASSPORT", "PROFESSIONAL_LICENSE", "MILITARY_CARD", "DRIVING_LICENSE",
		"DNI_CARD", "FOREIGNER_CARD", "CONSULAR_ID", "SENIOR_CARD", "OTHER_OFFICIAL")
	documentKinds = set("PROOF_OF_ADDRESS", "APPOINTMENT_LETTER", "PAYMENT_RECEIPT", "POWER_OF_ATTORNEY",
		"BIRTH_CERTIFICATE", "CURP_PRINTOUT", "TAX_STATUS_CERTIFICATE", "REQUEST_LETTER", "POLICE_REPORT")
	biometricKinds  = set("PHOTO", "FINGERPRINTS", "HANDWRITTEN_SIGNATURE")
	identifierKinds = set("CURP", "RFC", "DNI")
	hrStatuses      = set("terminated", "on_leave", "suspended", "not_found")
	reasonIDs       = set("first_issuance", "renewal", "reissue_lost_token", "reissue_forgotten_password",
		"reissue_data_change", "download_expired", "own_token")
	publicFields = set("name", "position", "organisation", "email", "identifier", "serial", "status",
		"status_time", "validity", "public_key", "certificate")
	weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
		"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}
	idPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	orgIDPattern = regexp.MustCompile(`^(GOV[A-Z]{2}(\+[A-Z0-9]{1,3})?|VAT[A-Z]{2}-[0-9A-Z]+)$`)
	hhmm         = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	issuerCode   = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
)

// CRLReasons maps RFC 5280 §5.3.1 reason names to their codes.
var CRLReasons = map[string]int{
	"unspecified": 0, "keyCompromise": 1, "cACompromise": 2, "affiliationChanged": 3, "superseded": 4,
	"cessationOfOperation": 5, "certificateHold": 6, "privilegeWithdrawn": 9, "aACompromise": 10,
}

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// checker records the first error with its position.
type checker struct {
	name string
	data []byte
	err  error
}

func (c *checker) fail(key, format string, args ...any) {
	if c.err == nil {
		c.err = &LoadError{File: c.name, Line: yamlx.LineOf(c.data, key), Key: key, Msg: fmt.Sprintf(format, args...)}
	}
}

func (c *checker) text(key, es, en string) {
	if strings.TrimSpace(es) == "" || strings.TrimSpace(en) == "" {
		c.fail(key, "give the text in Spanish (es) and English (en)")
	}
}

func (c *checker) rule(key, r string) {
	if !ruleIDs[r] {
		c.fail(key, "%q is not a rule of RULES.md (R1-R11, D1-D6, P1-P5, S1-S6, G1-G6, O1-O4, F1-F6)", r)
	}
}

// check validates the policy section by section, in file order, so the first
// error reported is the first one a reader meets in the YAML.
func (p *Policy) check(c *checker) {
	p.checkJurisdiction(c)
	p.checkIdentifiers(c)
	p.checkDocuments(c)
	p.checkEmailAndAppointment(c)
	p.checkRequestReasons(c)
	p.checkCertificate(c)
	p.checkCalendar(c)
	p.checkDeadlines(c)
	p.checkStatusReasons(c)
	p.checkRegistry(c)
	p.checkConditions(c)
	p.checkLegalBasis(c)
}

func (p *Policy) checkJurisdiction(c *checker) {
	if p.ID == "" || !idPattern.MatchString(p.ID) {
		c.fail("id", "%q: want a lower-case identifier such as jalisco", p.ID)
	}
	if p.Issuer != "" && !idPattern.MatchString(p.Issuer) {
		c.fail("issuer", "%q: want a lower-case issuer name such as jalisco", p.Issuer)
	}
	if p.Name == "" {
		c.fail("name", "required")
	}
	j := p.Jurisdiction
	if len(j.Country) != 2 || strings.ToUpper(j.Country) != j.Country {
		c.fail("jurisdiction.country", "%q: want an ISO 3166 two-letter code such as MX", j.Country)
	}
	if !orgIDPattern.MatchString(j.OrganizationIdentifier) {
		c.fail("jurisdiction.organization_identifier", "%q: want GOV<country>[+<ISO 3166-2 subdivision, up to 3 characters>] (e.g. GOVMX+JAL) or VAT<country>-<tax id> (e.g. VATPE-<RUC>) (RULES F4)", j.OrganizationIdentifier)
	} else if rest, ok := strings.CutPrefix(j.OrganizationIdentifier, "VATPE-"); ok {
		if _, err := validate.ParseRUC(rest); err != nil {
			c.fail("jurisdiction.organization_identifier", "%q: the RUC is not valid: %v", j.OrganizationIdentifier, err)
		}
	}
	if j.Authority == "" {
		c.fail("jurisdiction.authority", "name the certification authority")
	}
}

// checkIdentifiers also fills the default of rfc_check_digit (warn).
func (p *Policy) checkIdentifiers(c *checker) {
	ids := p.Identifiers
	if _, ok := serialNumberSchemes[ids.SerialNumber]; !ok {
		c.fail("identifiers.serial_number", "%q: want PNOMX (CURP), TINMX (RFC) or PNOPE (DNI)", ids.SerialNumber)
	}
	if len(ids.Required) == 0 {
		c.fail("identifiers.required", "list the identifiers an applicant must present (CURP, RFC, DNI)")
	}
	hasKind := false
	for i, k := range ids.Required {
		if !identifierKinds[k] {
			c.fail(fmt.Sprintf("identifiers.required[%d]", i), "%q: want CURP, RFC or DNI", k)
		}
		if k == serialNumberSchemes[ids.SerialNumber] {
			hasKind = true
		}
	}
	if !hasKind && c.err == nil {
		c.fail("identifiers.required", "the identifier in serial_number (%s) must be required", serialNumberSchemes[ids.SerialNumber])
	}
	switch ids.RFCCheckDigit {
	case "":
		p.Identifiers.RFCCheckDigit = "warn"
	case "warn", "ignore":
	default:
		c.fail("identifiers.rfc_check_digit", "%q: want warn or ignore (a bad RFC check digit is never a refusal, RULES F2)", ids.RFCCheckDigit)
	}
}

// checkDocuments checks what the applicant shows: the photo ID kinds, the
// supporting documents and the biometrics.
func (p *Policy) checkDocuments(c *checker) {
	if len(p.IDDocuments.Accepted) == 0 {
		c.fail("id_documents.accepted", "list the official photo ID kinds accepted (RULES R2)")
	}
	for i, k := range p.IDDocuments.Accepted {
		if !idDocumentKinds[k] {
			c.fail(fmt.Sprintf("id_documents.accepted[%d]", i), "%q is not an ID kind (%s)", k, keys(idDocumentKinds))
		}
	}
	p.checkIDIssuers(c)
	seenDoc := map[string]bool{}
	for i, d := range p.Documents {
		key := fmt.Sprintf("documents[%d]", i)
		if !documentKinds[d.Kind] {
			c.fail(key+".kind", "%q is not a document kind (%s)", d.Kind, keys(documentKinds))
		}
		if seenDoc[d.Kind] {
			c.fail(key+".kind", "%q is listed twice", d.Kind)
		}
		seenDoc[d.Kind] = true
		c.rule(key+".rule", d.Rule)
		if d.MaxAgeDays < 0 || d.MaxAgeDays > 3650 {
			c.fail(key+".max_age_days", "%d: want 0 (no limit) to 3650", d.MaxAgeDays)
		}
		for k, r := range d.Reasons {
			if !reasonIDs[r] {
				c.fail(fmt.Sprintf("%s.reasons[%d]", key, k), "%q is not a request reason", r)
			}
		}
		c.text(key, d.ES, d.EN)
	}
	for i, b := range p.Biometrics {
		if !biometricKinds[b] {
			c.fail(fmt.Sprintf("biometrics[%d]", i), "%q: want PHOTO, FINGERPRINTS or HANDWRITTEN_SIGNATURE", b)
		}
	}
}

func (p *Policy) checkEmailAndAppointment(c *checker) {
	if len(p.Email.Domains) == 0 {
		c.fail("email.domains", "list at least one institutional domain (RULES R9)")
	}
	for i, d := range p.Email.Domains {
		if d != strings.ToLower(d) || !strings.Contains(d, ".") || strings.ContainsAny(d, "@ /") {
			c.fail(fmt.Sprintf("email.domains[%d]", i), "%q is not a lower-case domain name", d)
		}
	}
	if p.Appointment.Required {
		if p.Appointment.HRBody == "" {
			c.fail("appointment.hr_body", "name the Human Resources body that vouches for appointments (RULES R1)")
		}
		if d, err := time.ParseDuration(p.Appointment.MonitorInterval); err != nil || d < time.Minute || d > 31*24*time.Hour {
			c.fail("appointment.monitor_interval", "%q: want a duration from 1m to 744h, e.g. 24h", p.Appointment.MonitorInterval)
		}
	}
}

func (p *Policy) checkRequestReasons(c *checker) {
	if len(p.Reasons) == 0 {
		c.fail("request_reasons", "list the request reasons (first_issuance at least)")
	}
	seenReason := map[string]bool{}
	for i, r := range p.Reasons {
		key := fmt.Sprintf("request_reasons[%d]", i)
		if !reasonIDs[r.ID] {
			c.fail(key+".id", "%q is not a request reason (%s)", r.ID, keys(reasonIDs))
		}
		if seenReason[r.ID] {
			c.fail(key+".id", "%q is listed twice", r.ID)
		}
		seenReason[r.ID] = true
		c.text(key, r.ES, r.EN)
	}
	if !seenReason["first_issuance"] {
		c.fail("request_reasons", "first_issuance must be a reason")
	}
}

// checkCertificate checks the certificate profile and the term that caps it.
func (p *Policy) checkCertificate(c *checker) {
	cert := p.Certificate
	if _, err := parseOID(cert.PolicyOID); err != nil {
		c.fail("certificate.policy_oid", "%q: %v", cert.PolicyOID, err)
	}
	if n := utf8.RuneCountInString(cert.UserNotice); n == 0 || n > 200 {
		c.fail("certificate.user_notice", "state the limits of use in 1 to 200 characters (has %d, RULES P1)", n)
	}
	if d := cert.MaxValidityDays; d < 1 || d > 825 {
		c.fail("certificate.max_validity_days", "%d: want 1 to 825 days (RULES F5)", d)
	}
	if _, err := time.Parse("2006-01-02", p.Term.End); err != nil {
		c.fail("term.end", "%q: want the last day of the constitutional term as YYYY-MM-DD (RULES P2)", p.Term.End)
	}
}

// checkCalendar builds the business calendar, but only when nothing before it
// failed: the calendar is what a valid policy carries.
func (p *Policy) checkCalendar(c *checker) {
	cs := p.CalendarSpec
	if cs.Country != calendar.Mexico && cs.Country != calendar.Peru {
		c.fail("calendar.country", "%q: want MX or PE (whose public holidays apply)", cs.Country)
	}
	loc, err := time.LoadLocation(cs.Timezone)
	if err != nil || cs.Timezone == "" || cs.Timezone == "Local" {
		c.fail("calendar.timezone", "%q is not an IANA time zone (e.g. America/Mexico_City; Local would depend on the server)", cs.Timezone)
	}
	open, okO := clockTime(cs.Open)
	closing, okC := clockTime(cs.Close)
	if !okO {
		c.fail("calendar.open", "%q: want HH:MM", cs.Open)
	}
	if !okC || (okO && closing <= open) {
		c.fail("calendar.close", "%q: want HH:MM after calendar.open", cs.Close)
	}
	var declared []calendar.Date
	for i, d := range cs.Declared {
		dd, err := calendar.ParseDate(d)
		if err != nil {
			c.fail(fmt.Sprintf("calendar.declared_non_business_days[%d]", i), "%q: want YYYY-MM-DD", d)
		}
		declared = append(declared, dd)
	}
	if c.err == nil {
		cal, err := calendar.New(calendar.Config{Location: loc, Country: cs.Country, Open: open, Close: closing, Declared: declared})
		if err != nil {
			c.fail("calendar", "%v", err)
		}
		p.cal = &calendarHolder{cal}
	}
}

// checkDeadlines checks the time limits: procedure deadlines, the renewal
// window, the batch slot and the credential's lifetime.
func (p *Policy) checkDeadlines(c *checker) {
	dl := p.Deadlines
	for _, kv := range []struct {
		key string
		v   int
	}{{"deadlines.deficiency_days", dl.DeficiencyDays}, {"deadlines.not_presented_days", dl.NotPresentedDays},
		{"deadlines.refusal_notice_days", dl.RefusalNoticeDays}, {"deadlines.default_term_days", dl.DefaultTermDays}} {
		if kv.v < 1 || kv.v > 60 {
			c.fail(kv.key, "%d: want 1 to 60 business days", kv.v)
		}
	}
	if p.Renewal.WindowDays < 0 || p.Renewal.WindowDays > 90 {
		c.fail("renewal.window_days", "%d: want 0 to 90", p.Renewal.WindowDays)
	}
	if b := p.Batch; b != nil {
		if _, ok := weekdays[b.Weekday]; !ok {
			c.fail("batch.weekday", "%q: want monday … sunday", b.Weekday)
		}
		if _, ok := clockTime(b.Time); !ok {
			c.fail("batch.time", "%q: want HH:MM", b.Time)
		}
	}
	if v := p.Credential.LifetimeDays; v < 1 || v > 90 {
		c.fail("credential.lifetime_days", "%d: want 1 to 90 (RULES D6: 30)", v)
	}
	if v := p.Credential.ResendWindowDays; v < 0 || v > 30 {
		c.fail("credential.resend_window_days", "%d: want 0 to 30 (RULES D6: 7)", v)
	}
}

// statusReasonIDs tracks, across the three groups of status reasons, the ids
// used and which reason handles each HR status, since both must be unique.
type statusReasonIDs struct {
	ids map[string]bool
	hr  map[string]string // HR status -> id of the reason that handles it
}

func (p *Policy) checkStatusReasons(c *checker) {
	sc := p.StatusCodes
	if len(sc.Revocation) == 0 {
		c.fail("status_reasons.revocation", "list the revocation reasons (RULES S2)")
	}
	seen := statusReasonIDs{ids: map[string]bool{}, hr: map[string]string{}}
	for _, g := range []struct {
		group string
		list  []StatusReason
	}{{"suspension", sc.Suspension}, {"revocation", sc.Revocation}, {"extinction", sc.Extinction}} {
		for i, r := range g.list {
			checkStatusReason(c, fmt.Sprintf("status_reasons.%s[%d]", g.group, i), g.group, r, seen)
		}
	}
	p.checkEscalations(c)
}

// checkStatusReason checks one reason of a group: its CRL reason code fits
// the group, and only an automatic suspension or revocation answers HR.
func checkStatusReason(c *checker, key, group string, r StatusReason, seen statusReasonIDs) {
	if !idPattern.MatchString(r.ID) {
		c.fail(key+".id", "%q: want a lower-case identifier", r.ID)
	}
	if seen.ids[r.ID] {
		c.fail(key+".id", "%q is used twice", r.ID)
	}
	seen.ids[r.ID] = true
	code, ok := CRLReasons[r.RFC5280]
	if !ok {
		c.fail(key+".rfc5280", "%q is not an RFC 5280 reason (%s)", r.RFC5280, keysInt(CRLReasons))
	}
	if group == "suspension" && code != 6 {
		c.fail(key+".rfc5280", "a suspension is certificateHold, not %q", r.RFC5280)
	}
	if group != "suspension" && code == 6 {
		c.fail(key+".rfc5280", "certificateHold is only for suspensions")
	}
	if group == "suspension" && (r.InvestDays < 1 || r.InvestDays > 365) {
		c.fail(key+".investigation_days", "%d: a suspension lasts while investigated: give 1 to 365 business days (RULES S1)", r.InvestDays)
	}
	switch {
	case r.PriorNoticeDays < 0 || r.PriorNoticeDays > 60:
		c.fail(key+".prior_notice_days", "%d: want 0 to 60 business days (RULES S2)", r.PriorNoticeDays)
	case r.PriorNoticeDays > 0 && (group != "revocation" || r.Automatic):
		c.fail(key+".prior_notice_days", "only a revocation reason an agent applies takes effect after a prior notice (RULES S2)")
	}
	c.rule(key+".rule", r.Rule)
	c.text(key, r.ES, r.EN)
	for k, st := range r.HRStatuses {
		if !hrStatuses[st] {
			c.fail(fmt.Sprintf("%s.hr_statuses[%d]", key, k), "%q: want terminated, on_leave, suspended or not_found", st)
		}
		if !r.Automatic {
			c.fail(key+".hr_statuses", "only an automatic reason is applied on an HR answer (set automatic: true)")
		}
		if group == "extinction" {
			c.fail(key+".hr_statuses", "an HR answer suspends or revokes; it does not extinguish")
		}
		if prev, dup := seen.hr[st]; dup {
			c.fail(fmt.Sprintf("%s.hr_statuses[%d]", key, k), "%q is already handled by %s", st, prev)
		}
		seen.hr[st] = r.ID
	}
}

// checkEscalations checks that a suspension escalates to a revocation reason
// of the same policy.
func (p *Policy) checkEscalations(c *checker) {
	sc := p.StatusCodes
	for i, r := range sc.Suspension {
		if r.EscalatesTo == "" {
			continue
		}
		found := false
		for _, rv := range sc.Revocation {
			found = found || rv.ID == r.EscalatesTo
		}
		if !found {
			c.fail(fmt.Sprintf("status_reasons.suspension[%d].escalates_to", i), "%q is not a revocation reason of this policy", r.EscalatesTo)
		}
	}
}

func (p *Policy) checkRegistry(c *checker) {
	if len(p.Registry.PublicFields) == 0 {
		c.fail("registry.public_fields", "list what the public registry shows (RULES G1)")
	}
	for i, f := range p.Registry.PublicFields {
		if !publicFields[f] {
			c.fail(fmt.Sprintf("registry.public_fields[%d]", i), "%q is not a registry field (%s)", f, keys(publicFields))
		}
	}
}

// checkConditions compiles the CEL conditions, and stops at the first error:
// compiling against a policy that is already invalid says nothing useful.
func (p *Policy) checkConditions(c *checker) {
	for i, cond := range p.Conditions {
		key := fmt.Sprintf("conditions[%d]", i)
		if !idPattern.MatchString(cond.ID) {
			c.fail(key+".id", "%q: want a lower-case identifier", cond.ID)
		}
		c.rule(key+".rule", cond.Rule)
		c.text(key, cond.ES, cond.EN)
		if c.err != nil {
			return
		}
		cc, err := compileCondition(cond)
		if err != nil {
			c.fail(key, "%v", err)
			return
		}
		p.cel = append(p.cel, cc)
	}
}

func clockTime(s string) (time.Duration, bool) {
	if !hhmm.MatchString(s) {
		return 0, false
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return strings.Join(out, ", ")
}

func keysInt(m map[string]int) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return strings.Join(out, ", ")
}

// checkIDIssuers: every restricted kind is an accepted one, with at least
// one issuer given as an ISO 3166 code (RULES R2).
func (p *Policy) checkIDIssuers(c *checker) {
	kinds := make([]string, 0, len(p.IDDocuments.Issuers))
	for k := range p.IDDocuments.Issuers {
		kinds = append(kinds, k)
	}
	sortStrings(kinds)
	for _, k := range kinds {
		key := "id_documents.issuers"
		if !contains(p.IDDocuments.Accepted, k) {
			c.fail(key, "%q is not in id_documents.accepted: restrict the issuers of an accepted ID kind only", k)
		}
		if len(p.IDDocuments.Issuers[k]) == 0 {
			c.fail(key, "%s: list at least one issuer, or remove the kind to accept any issuer", k)
		}
		for _, iss := range p.IDDocuments.Issuers[k] {
			if !issuerCode.MatchString(iss) {
				c.fail(key, "%s: %q: want an ISO 3166 code such as MX (the federation) or MX-JAL (a state)", k, iss)
			}
		}
	}
}

// checkLegalBasis: notices cite a legal instrument and its provisions, never
// a file of this repository (RULES D1, D2).
func (p *Policy) checkLegalBasis(c *checker) {
	lb := p.LegalBasis
	for _, f := range []struct{ key, v string }{{"legal_basis.instrument", lb.Instrument},
		{"legal_basis.deficiency", lb.Deficiency}, {"legal_basis.not_presented", lb.NotPresented},
		{"legal_basis.refusal", lb.Refusal}} {
		switch {
		case strings.TrimSpace(f.v) == "":
			c.fail(f.key, "required: the legal instrument's published title and the provision a notice cites (RULES D1, D2)")
		case strings.Contains(f.v, "seeds/") || strings.HasSuffix(f.v, ".txt"):
			c.fail(f.key, "%q names a file: cite the legal instrument and its article", f.v)
		}
	}
	rules := make([]string, 0, len(lb.Rules))
	for r := range lb.Rules {
		rules = append(rules, r)
	}
	sortStrings(rules)
	for _, r := range rules {
		c.rule("legal_basis.rules", r)
		if v := lb.Rules[r]; strings.TrimSpace(v) == "" || strings.Contains(v, "seeds/") {
			c.fail("legal_basis.rules", "%s: %q: give the provision of the instrument (e.g. art. 15-III)", r, v)
		}
	}
}
