package receipt

import _ "embed"

// DejaVu Sans is embedded so that accents, Ñ, Ü and combining marks print
// the same on every machine; its licence is fonts/LICENSE-DejaVu.txt.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

const fontFamily = "dejavu"
