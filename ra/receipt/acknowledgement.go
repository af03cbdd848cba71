package receipt

import (
	"strings"
	"time"
)

// Acknowledgement is the acuse de recibo of one filing (RULES G3): folio,
// place, date and time of reception, the filer, the type of action, the
// receiving body and the annexes. It is signed as a JWS (Sign) and printed
// (AcknowledgementPDF).
type Acknowledgement struct {
	Folio    string `json:"folio"`
	Action   string `json:"action"`   // machine name: "enrollment.request", "revocation.request", ...
	ActionES string `json:"actionEs"` // what the filer asked for, in Spanish
	ActionEN string `json:"actionEn"`
	Place    string `json:"place"`
	// Channel is how the filing arrived: ChannelOnline, ChannelInPerson,
	// or "" when the acknowledgement does not say (then neither is
	// printed).
	Channel string `json:"channel,omitempty"`
	// FiledAt is when the filing arrived; ReceivedAt is the legal reception
	// time after the business-hours rule (D4). They differ when the filing
	// arrived on a non-business day or hour.
	FiledAt       time.Time     `json:"filedAt"`
	ReceivedAt    time.Time     `json:"receivedAt"`
	Filer         Filer         `json:"filer"`
	ReceivingBody ReceivingBody `json:"receivingBody"`
	Annexes       []Annex       `json:"annexes"`
	VerifyURL     string        `json:"verifyUrl"` // where the QR code leads (G4)
	TZ            string        `json:"tz"`        // IANA zone the times are printed in
}

// Channels a filing arrives by.
const (
	ChannelOnline   = "online"
	ChannelInPerson = "in_person"
)

// Filer identifies who filed. The identifier is printed masked (Mask).
type Filer struct {
	Name       string `json:"name"`
	Identifier string `json:"identifier"` // e.g. "PNOMX-<CURP>" (RULES F4)
	Email      string `json:"email"`
}

// ReceivingBody is the authority that received the filing; it also heads
// every printed document.
type ReceivingBody struct {
	Organisation string `json:"organisation"`
	Code         string `json:"code"` // the organisation's key, e.g. "GOVMX+CHP"
	Unit         string `json:"unit"`
	Authority    string `json:"authority"`
}

// Annex is one document filed with the request, identified by its digest.
type Annex struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"` // hex
	Size   int64  `json:"size"`   // bytes
}

// Mask hides an identifier except its last four characters, keeping an ETSI
// semantics prefix ("PNOMX-", "TINMX-", "PNOPE-") so the reader still knows
// what kind of number it is: "PNOMX-LOHM800101MCSPRR06" → "PNOMX-******RR06".
// The number of stars is fixed so the length is not disclosed either.
func Mask(identifier string) string {
	id := strings.TrimSpace(identifier)
	prefix := ""
	if r := []rune(id); len(r) > 6 && r[5] == '-' && isUpperASCII(string(r[:5])) {
		prefix, id = string(r[:6]), string(r[6:])
	}
	r := []rune(id)
	if len(r) == 0 {
		return prefix
	}
	if len(r) <= 4 {
		return prefix + strings.Repeat("*", len(r))
	}
	return prefix + "******" + string(r[len(r)-4:])
}

func isUpperASCII(s string) bool {
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
