package receipt

import "testing"

func TestCompose(t *testing.T) {
	for in, want := range map[string]string{
		"JOSE\u0301 MUN\u0303OZ": "JOSÉ MUÑOZ",
		"GU\u0308EMES":           "GÜEMES",
		"U\u0308\u0301":          "Ǘ", // two marks, composed in turn
		"S\u030CIMEK O\u030B":    "ŠIMEK Ő",
		"Q\u0301":                "Q\u0301", // no precomposed letter: kept as is
		"\u0301A":                "\u0301A", // a mark with no base
		"MARÍA GUADALUPE":        "MARÍA GUADALUPE",
		"":                       "",
	} {
		if got := compose(in); got != want {
			t.Errorf("compose(%+q) = %+q, want %+q", in, got, want)
		}
	}
}
