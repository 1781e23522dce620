package rubymarshal

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

func (d *decoder) bignum(start int) (any, error) {
	sign, err := d.byte()
	if err != nil {
		return nil, err
	}
	if sign != '+' && sign != '-' {
		return nil, d.malformed(start, "bignum sign %q, want '+' or '-'", sign)
	}
	n, err := d.length("bignum", 2)
	if err != nil {
		return nil, err
	}
	raw, err := d.take(start, 2*n, "bignum")
	if err != nil {
		return nil, err
	}
	var v any
	if len(raw) <= 8 || allZero(raw[8:]) {
		var u uint64
		for i := 0; i < len(raw) && i < 8; i++ {
			u |= uint64(raw[i]) << (8 * i)
		}
		switch {
		case sign == '+' && u <= math.MaxInt64:
			v = int64(u)
		case sign == '-' && u <= 1<<63:
			v = -int64(u) // -(1<<63) wraps to itself, which is right
		}
	}
	if v == nil {
		be := make([]byte, len(raw))
		for i, b := range raw {
			be[len(raw)-1-i] = b
		}
		x := new(big.Int).SetBytes(be)
		if sign == '-' {
			x.Neg(x)
		}
		v = x
	}
	return v, d.addObject(start, v, len(raw))
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (d *decoder) float(start int) (any, error) {
	b, err := d.bytes("float")
	if err != nil {
		return nil, err
	}
	f, err := parseFloat(b)
	if err != nil {
		return nil, d.malformed(start, "float %q: %v", truncate(b), err)
	}
	return f, d.addObject(start, f, len(b))
}

// parseFloat reads Ruby's Float text: "inf", "-inf", "nan" or a decimal
// number. Bytes after a NUL (Ruby 1.8's mantissa suffix) are ignored.
func parseFloat(b []byte) (float64, error) {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	switch string(b) {
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	if len(b) == 0 || !utf8.Valid(b) {
		return 0, fmt.Errorf("not a number")
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return 0, fmt.Errorf("not a number")
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, nil // ±Inf or 0, as Ruby's strtod gives
		}
		return 0, fmt.Errorf("not a number")
	}
	return f, nil
}
