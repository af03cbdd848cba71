package receipt

import (
	"strings"
	"testing"
)

// flat is the printed text with its line breaks and column gaps collapsed,
// so that a sentence wrapped over lines is found whole.
func flat(t *testing.T, pdf []byte) string {
	t.Helper()
	return strings.Join(strings.Fields(pdfText(t, pdf)), " ")
}

// An acknowledgement says how the filing was received, as it was (G3): an
// in-person filing is not "received by electronic means", and no internal
// action name is printed.
func TestRule_G3_AcknowledgementStatesHowItWasReceived(t *testing.T) {
	for _, c := range []struct {
		channel, lang string
		want, never   []string
	}{
		{ChannelInPerson, "es", []string{"hace constar que recibió de manera presencial, en sus oficinas, la promoción"}, []string{"medios electrónicos"}},
		{ChannelInPerson, "en", []string{"received in person, at its offices, the filing"}, []string{"electronic means"}},
		{ChannelOnline, "es", []string{"hace constar que recibió por medios electrónicos la promoción"}, []string{"presencial"}},
		{ChannelOnline, "en", []string{"received by electronic means the filing"}, []string{"in person"}},
		{"", "es", []string{"hace constar que recibió la promoción"}, []string{"medios electrónicos", "presencial"}},
	} {
		a := sampleAck(t)
		a.Channel = c.channel
		pdf, err := AcknowledgementPDF(a, testCode, c.lang)
		if err != nil {
			t.Fatal(err)
		}
		text := flat(t, pdf)
		wantAll(t, text, c.want...)
		wantNone(t, text, c.never...)
		wantNone(t, text, "enrollment.request", "(enrollment")
	}
}

// The revocation receipt says what is true (S6): the revocation is
// recorded with its exact date and time; there is no public registry yet
// for it to claim an entry in.
func TestRule_S6_RevocationReceiptClaimsNoRegistry(t *testing.T) {
	r := sampleRevocation(t)
	for lang, want := range map[string]string{
		"es": "la revocación quedó registrada con la fecha y hora exactas indicadas",
		"en": "the revocation was recorded with the exact date and time shown",
	} {
		pdf, err := RevocationReceiptPDF(r, lang)
		if err != nil {
			t.Fatal(err)
		}
		text := flat(t, pdf)
		wantAll(t, text, want)
		wantNone(t, text, "registro público", "public registry", "inscrita")
	}
}
