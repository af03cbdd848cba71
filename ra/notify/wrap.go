package notify

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// textWidth is where plain-text bodies wrap (RFC 5322 §2.1.1 recommends
// lines of at most 78 characters).
const textWidth = 76

// listMarker matches the start of a list item: "- " or "1. ".
var listMarker = regexp.MustCompile(`^(- |\d+\. )`)

// wrapText reflows the long lines of a plain-text body. Templates write a
// paragraph on one line because the data in it (names, dates, folios) has
// no fixed length; a list item's continuation lines are indented under its
// text, and a word longer than the width (a URL) keeps a line to itself.
func wrapText(s string, width int) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if utf8.RuneCountInString(line) <= width {
			b.WriteString(line)
			continue
		}
		rest := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(rest)]
		cont := indent + strings.Repeat(" ", len(listMarker.FindString(rest)))
		col := 0
		for j, w := range strings.Fields(rest) {
			n := utf8.RuneCountInString(w)
			switch {
			case j == 0:
				b.WriteString(indent)
				col = len(indent)
			case col+1+n > width:
				b.WriteByte('\n')
				b.WriteString(cont)
				col = len(cont)
			default:
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += n
		}
	}
	return b.String()
}
