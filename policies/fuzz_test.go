package policies

import (
	"testing"
)

// FuzzParse: any bytes as a policy file give a policy or an error, never a
// panic; a policy that loads has the fields the engine relies on.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"jalisco.yaml", "cajamarca.yaml", "tijuana.yaml"} {
		b, err := builtin.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("id: x\n"))
	f.Add([]byte("conditions:\n  - must: '1 +'\n"))
	f.Add([]byte{0xff, 0xfe, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		if p.Calendar() == nil || p.IdentifierKind() == "" || len(p.Email.Domains) == 0 {
			t.Fatalf("a loaded policy lacks what the engine needs: %+v", p)
		}
		_ = p.Evaluate(Enrollment{Reason: "first_issuance"}, now)
	})
}
