package rubymarshal

import (
	"math"
	"strconv"
)

// appendRubyFloat formats f as Ruby's Marshal does (w_float): "inf",
// "-inf", "nan", "0", "-0", otherwise the shortest digits that read back
// exactly, in plain notation when the decimal point falls within or just
// before the digits and in exponent notation ("1e100", "1.5e-300")
// otherwise.
func appendRubyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0"...)
		}
		return append(b, '0')
	}
	// Shortest round-trip digits: "d.ddde±x".
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	if s[0] == '-' {
		b = append(b, '-')
		s = s[1:]
	}
	ePos := 0
	for i, c := range s {
		if c == 'e' {
			ePos = i
			break
		}
	}
	exp, _ := strconv.Atoi(string(s[ePos+1:]))
	var digits [24]byte
	dg := digits[:0]
	for _, c := range s[:ePos] {
		if c != '.' {
			dg = append(dg, c)
		}
	}
	decpt := exp + 1
	n := len(dg)
	switch {
	case decpt < -3 || decpt > n:
		b = append(b, dg[0])
		if n > 1 {
			b = append(b, '.')
			b = append(b, dg[1:]...)
		}
		b = append(b, 'e')
		b = strconv.AppendInt(b, int64(decpt-1), 10)
	case decpt > 0:
		b = append(b, dg[:decpt]...)
		if n > decpt {
			b = append(b, '.')
			b = append(b, dg[decpt:]...)
		}
	default:
		b = append(b, '0', '.')
		for i := 0; i < -decpt; i++ {
			b = append(b, '0')
		}
		b = append(b, dg...)
	}
	return b
}
