package rubymarshal

import "math/big"

// appendLong appends Marshal's packed integer encoding of x, which must
// be in [-2^31, 2^31) for Ruby to read it everywhere (all callers ensure
// it fits in 32 bits: lengths of Go data and Fixnums).
func appendLong(b []byte, x int64) []byte {
	switch {
	case x == 0:
		return append(b, 0)
	case x > 0 && x < 123:
		return append(b, byte(x+5))
	case x < 0 && x > -124:
		return append(b, byte(x-5))
	}
	var tmp [8]byte
	n := 0
	for i := 0; i < 8; i++ {
		tmp[i] = byte(x >> (8 * i))
		n = i + 1
		rest := x >> (8 * (i + 1))
		if rest == 0 && x > 0 || rest == -1 && x < 0 {
			break
		}
	}
	if x < 0 {
		b = append(b, byte(-n))
	} else {
		b = append(b, byte(n))
	}
	return append(b, tmp[:n]...)
}

func (e *encoder) fixnum(x int64) {
	e.buf = append(e.buf, tFixnum)
	e.buf = appendLong(e.buf, x)
}

func (e *encoder) symbol(s string) {
	if i, ok := e.symbols[s]; ok {
		e.buf = append(e.buf, tSymlink)
		e.buf = appendLong(e.buf, int64(i))
		return
	}
	if e.symbols == nil {
		e.symbols = make(map[string]int, 32)
	}
	e.symbols[s] = len(e.symbols)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		e.buf = append(e.buf, tIvar)
	}
	e.buf = append(e.buf, tSymbol)
	e.buf = appendLong(e.buf, int64(len(s)))
	e.buf = append(e.buf, s...)
	if !ascii {
		e.buf = append(e.buf, 6) // one instance variable: E true (UTF-8)
		e.symbol("E")
		e.buf = append(e.buf, tTrue)
	}
}

// string writes a String with the given Ruby encoding name.
func (e *encoder) string(s, enc string) {
	switch enc {
	case "ASCII-8BIT", "BINARY":
		e.buf = append(e.buf, tString)
		e.buf = appendLong(e.buf, int64(len(s)))
		e.buf = append(e.buf, s...)
		return
	}
	e.buf = append(e.buf, tIvar, tString)
	e.buf = appendLong(e.buf, int64(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 6) // one instance variable
	switch enc {
	case "UTF-8":
		e.symbol("E")
		e.buf = append(e.buf, tTrue)
	case "US-ASCII":
		e.symbol("E")
		e.buf = append(e.buf, tFalse)
	default:
		e.symbol("encoding")
		e.buf = append(e.buf, tString)
		e.buf = appendLong(e.buf, int64(len(enc)))
		e.buf = append(e.buf, enc...)
	}
}

func (e *encoder) integer(x int64) {
	if x >= fixnumMin && x <= fixnumMax {
		e.fixnum(x)
		return
	}
	neg := x < 0
	u := uint64(x)
	if neg {
		u = -u
	}
	e.bignumMag(neg, u, nil)
}

func (e *encoder) uinteger(u uint64) {
	if u <= fixnumMax {
		e.fixnum(int64(u))
		return
	}
	e.bignumMag(false, u, nil)
}

// bignumMag writes a Bignum of magnitude u, or of big magnitude mag
// (little-endian bytes) when mag is non-nil.
func (e *encoder) bignumMag(neg bool, u uint64, mag []byte) {
	if mag == nil {
		var tmp [8]byte
		n := 0
		for ; u > 0; u >>= 8 {
			tmp[n] = byte(u)
			n++
		}
		mag = tmp[:n]
	}
	sign := byte('+')
	if neg {
		sign = '-'
	}
	shorts := (len(mag) + 1) / 2
	e.buf = append(e.buf, tBignum, sign)
	e.buf = appendLong(e.buf, int64(shorts))
	e.buf = append(e.buf, mag...)
	if len(mag)%2 == 1 {
		e.buf = append(e.buf, 0)
	}
}

func (e *encoder) bigInt(x *big.Int) {
	if x.IsInt64() {
		e.integer(x.Int64())
		return
	}
	be := x.Bytes() // big-endian magnitude
	mag := make([]byte, len(be))
	for i, b := range be {
		mag[len(be)-1-i] = b
	}
	e.bignumMag(x.Sign() < 0, 0, mag)
}

func (e *encoder) float(f float64) {
	e.buf = append(e.buf, tFloat)
	var tmp [32]byte
	s := appendRubyFloat(tmp[:0], f)
	e.buf = appendLong(e.buf, int64(len(s)))
	e.buf = append(e.buf, s...)
}
