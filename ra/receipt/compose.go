package receipt

import (
	"strings"
	"sync"
)

// compose replaces a letter followed by a combining accent with the
// precomposed letter (the NFC form) for the Latin letters up to U+024F:
// fpdf places glyphs without the font's mark positioning, so "JOSE\u0301",
// as some keyboards and browsers send it, would print its accent beside the
// E. Sequences it does not know are printed as they are.
func compose(s string) string {
	if !strings.ContainsFunc(s, isCombining) {
		return s
	}
	table := composeTable()
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if n := len(out); n > 0 && isCombining(r) {
			if c, ok := table[[2]rune{out[n-1], r}]; ok {
				out[n-1] = c
				continue
			}
		}
		out = append(out, r)
	}
	return string(out)
}

func isCombining(r rune) bool { return r >= 0x0300 && r <= 0x036F }

var composeTable = sync.OnceValue(func() map[[2]rune]rune {
	m := make(map[[2]rune]rune, 256)
	for mark, pairs := range compositions {
		for _, p := range strings.Fields(pairs) {
			r := []rune(p)
			m[[2]rune{r[0], mark}] = r[1]
		}
	}
	return m
})

// compositions lists, per combining mark, "base composed" pairs: Unicode's
// canonical compositions of U+00C0..U+024F (composition exclusions left out).
var compositions = map[rune]string{
	0x0300: "AÀ EÈ IÌ OÒ UÙ aà eè iì oò uù ÜǛ üǜ NǸ nǹ",                                                                      // grave accent
	0x0301: "AÁ EÉ IÍ OÓ UÚ YÝ aá eé ií oó uú yý CĆ cć LĹ lĺ NŃ nń RŔ rŕ SŚ sś ZŹ zź ÜǗ üǘ GǴ gǵ ÅǺ åǻ ÆǼ æǽ ØǾ øǿ",          // acute accent
	0x0302: "AÂ EÊ IÎ OÔ UÛ aâ eê iî oô uû CĈ cĉ GĜ gĝ HĤ hĥ JĴ jĵ SŜ sŝ WŴ wŵ YŶ yŷ",                                        // circumflex accent
	0x0303: "AÃ NÑ OÕ aã nñ oõ IĨ iĩ UŨ uũ",                                                                                  // tilde
	0x0304: "AĀ aā EĒ eē IĪ iī OŌ oō UŪ uū ÜǕ üǖ ÄǞ äǟ ȦǠ ȧǡ ÆǢ æǣ ǪǬ ǫǭ ÖȪ öȫ ÕȬ õȭ ȮȰ ȯȱ YȲ yȳ",                            // macron
	0x0306: "AĂ aă EĔ eĕ GĞ gğ IĬ iĭ OŎ oŏ UŬ uŭ",                                                                            // breve
	0x0307: "CĊ cċ EĖ eė GĠ gġ Iİ ZŻ zż AȦ aȧ OȮ oȯ",                                                                         // dot above
	0x0308: "AÄ EË IÏ OÖ UÜ aä eë iï oö uü yÿ YŸ",                                                                            // diaeresis
	0x030A: "AÅ aå UŮ uů",                                                                                                    // ring above
	0x030B: "OŐ oő UŰ uű",                                                                                                    // double acute accent
	0x030C: "CČ cč DĎ dď EĚ eě LĽ lľ NŇ nň RŘ rř SŠ sš TŤ tť ZŽ zž AǍ aǎ IǏ iǐ OǑ oǒ UǓ uǔ ÜǙ üǚ GǦ gǧ KǨ kǩ ƷǮ ʒǯ jǰ HȞ hȟ", // caron
	0x030F: "AȀ aȁ EȄ eȅ IȈ iȉ OȌ oȍ RȐ rȑ UȔ uȕ",                                                                            // double grave accent
	0x0311: "AȂ aȃ EȆ eȇ IȊ iȋ OȎ oȏ RȒ rȓ UȖ uȗ",                                                                            // inverted breve
	0x031B: "OƠ oơ UƯ uư",                                                                                                    // horn
	0x0326: "SȘ sș TȚ tț",                                                                                                    // comma below
	0x0327: "CÇ cç GĢ gģ KĶ kķ LĻ lļ NŅ nņ RŖ rŗ SŞ sş TŢ tţ EȨ eȩ",                                                          // cedilla
	0x0328: "AĄ aą EĘ eę IĮ iį UŲ uų OǪ oǫ",                                                                                  // ogonek
}
