package ca

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
)

// A certificate made from the default profile shows its subject with named
// attributes and the Spanish letters as they are.
func TestFormatName_ProfileSubjectIsReadable(t *testing.T) {
	key, _, _ := testKeys(t)
	req := testRequest(t, key)
	req.Subject.CommonName = "JOSÉ ÑUÑO PEÑA"
	req.Subject.GivenName = "JOSÉ"
	req.Subject.Surname = "ÑUÑO PEÑA"
	req.Subject.SerialNumber = "PNOMX-NUPJ800101HJCXXX01"
	req.Subject.Title = "Jefe de Oficina, Área de Trámites"
	cert := buildAndSign(t, req)

	raw, err := FormatRawName(cert.RawSubject)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CN=JOSÉ ÑUÑO PEÑA", "givenName=JOSÉ", "SN=ÑUÑO PEÑA", "serialNumber=PNOMX-NUPJ800101HJCXXX01",
		`title=Jefe de Oficina\, Área de Trámites`, "O=Gobierno del Estado de Jalisco",
		`organizationIdentifier=GOVMX\+JAL`, "L=Guadalajara", "ST=Jalisco", "C=MX",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("%q lacks %q", raw, want)
		}
	}
	if strings.Contains(raw, "#") || strings.Contains(raw, "2.5.4.") {
		t.Errorf("raw OIDs or hex in %q", raw)
	}
	if !strings.HasSuffix(raw, "C=MX") && !strings.HasPrefix(raw, "C=MX") {
		t.Errorf("country is neither first nor last: %q", raw)
	}
	if got := FormatName(cert.Subject); got != raw {
		t.Errorf("FormatName(parsed) = %q, FormatRawName = %q", got, raw)
	}
}

func TestFormatRDNSequence_Escaping(t *testing.T) {
	cn := asn1.ObjectIdentifier{2, 5, 4, 3}
	ou := asn1.ObjectIdentifier{2, 5, 4, 11}
	seq := pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "MX"}},
		{{Type: ou, Value: "Dirección"}, {Type: ou, Value: "#1"}},
		{{Type: cn, Value: ` "Peña" <a>; b\c `}},
		{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "x=y"}},
		{{Type: asn1.ObjectIdentifier{1, 2, 4}, Value: 7}},
		{{Type: cn, Value: "a\nb"}},
	}
	want := `CN=a\0ab,1.2.4=#020107,1.2.3=x=y,CN=\ \"Peña\" \<a\>\; b\\c\ ,OU=Dirección+OU=\#1,C=MX`
	if got := FormatRDNSequence(seq); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFormatName_BuiltInGo(t *testing.T) {
	n := pkix.Name{CommonName: "Ana Muñoz", Organization: []string{"Municipio de Zapopan"}, Country: []string{"MX"}}
	if got, want := FormatName(n), "CN=Ana Muñoz,O=Municipio de Zapopan,C=MX"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFormatRawName_Garbage(t *testing.T) {
	if _, err := FormatRawName([]byte{0x30, 0x05, 0x01}); err == nil {
		t.Error("garbage accepted")
	}
}
