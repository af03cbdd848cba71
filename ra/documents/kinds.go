package documents

import "strings"

// Document kinds: the papers an applicant brings (RULES R1, R2, R3, R5, R8,
// R10, S4) and the biometric evidence captured at enrolment (RULES R7).
const (
	ProofOfAddress       = "PROOF_OF_ADDRESS"
	AppointmentLetter    = "APPOINTMENT_LETTER"
	PaymentReceipt       = "PAYMENT_RECEIPT"
	PowerOfAttorney      = "POWER_OF_ATTORNEY"
	BirthCertificate     = "BIRTH_CERTIFICATE"
	CURPPrintout         = "CURP_PRINTOUT"
	TaxStatusCertificate = "TAX_STATUS_CERTIFICATE"
	RequestLetter        = "REQUEST_LETTER"
	PoliceReport         = "POLICE_REPORT"
	IDCopy               = "ID_COPY"
	RequestFormSigned    = "REQUEST_FORM_SIGNED"
	AgreementSigned      = "AGREEMENT_SIGNED"

	Photo                = "PHOTO"
	Fingerprints         = "FINGERPRINTS"
	HandwrittenSignature = "HANDWRITTEN_SIGNATURE"
)

// Content types Sello recognises from the bytes themselves. WSQ (the FBI's
// wavelet format for fingerprints) is out of scope: fingerprint images are
// accepted as grey-scale PNG or JPEG only.
const (
	PDF  = "application/pdf"
	JPEG = "image/jpeg"
	PNG  = "image/png"
)

// Size limits, inclusive.
const (
	MaxPDFSize   = 10 << 20 // 10 MiB
	MaxImageSize = 5 << 20  // 5 MiB
	// MaxUploadSize is the most any upload may be; front ends pass it to
	// ReadLimited before Check sees the bytes.
	MaxUploadSize = MaxPDFSize
	// MaxImagePixels rejects absurd dimensions (a decompression bomb for
	// whoever later renders the image), whatever the file size.
	MaxImagePixels = 40_000_000
)

// rule is what one kind accepts.
type rule struct {
	types []string
	// Images must measure at least minShort x minLong pixels, in either
	// orientation.
	minShort, minLong int
	// grey requires a grey-scale image (fingerprints).
	grey      bool
	biometric bool
}

var docRule = rule{types: []string{PDF, JPEG, PNG}, minShort: 200, minLong: 300}

var rules = map[string]rule{
	ProofOfAddress:       docRule,
	AppointmentLetter:    docRule,
	PaymentReceipt:       docRule,
	PowerOfAttorney:      docRule,
	BirthCertificate:     docRule,
	CURPPrintout:         docRule,
	TaxStatusCertificate: docRule,
	RequestLetter:        docRule,
	PoliceReport:         docRule,
	IDCopy:               docRule,
	RequestFormSigned:    docRule,
	AgreementSigned:      docRule,

	Photo:                {types: []string{JPEG, PNG}, minShort: 200, minLong: 200, biometric: true},
	Fingerprints:         {types: []string{PNG, JPEG}, minShort: 200, minLong: 200, grey: true, biometric: true},
	HandwrittenSignature: {types: []string{PNG, JPEG}, minShort: 50, minLong: 150, biometric: true},
}

// Kinds returns every document kind, documents first, then biometrics.
func Kinds() []string {
	return []string{ProofOfAddress, AppointmentLetter, PaymentReceipt, PowerOfAttorney, BirthCertificate, CURPPrintout,
		TaxStatusCertificate, RequestLetter, PoliceReport, IDCopy, RequestFormSigned, AgreementSigned,
		Photo, Fingerprints, HandwrittenSignature}
}

// AllowedTypes returns the content types kind accepts, or nil for an unknown kind.
func AllowedTypes(kind string) []string {
	r, ok := rules[kind]
	if !ok {
		return nil
	}
	return append([]string(nil), r.types...)
}

// IsBiometric reports whether kind is biometric evidence (RULES R7).
func IsBiometric(kind string) bool { return rules[kind].biometric }

// normKind returns the canonical spelling of kind and whether it is known.
// Kind returns a kind as it is stored (upper case, trimmed), whether or not
// it is one Sello knows.
func Kind(kind string) string { k, _ := normKind(kind); return k }

func normKind(kind string) (string, bool) {
	k := strings.ToUpper(strings.TrimSpace(kind))
	_, ok := rules[k]
	return k, ok
}

func maxSize(contentType string) int64 {
	if contentType == PDF {
		return MaxPDFSize
	}
	return MaxImageSize
}
