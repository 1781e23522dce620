package rubymarshal

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Fixnum bounds: Ruby writes integers in this range as 'i', others as
// Bignum 'l'.
const (
	fixnumMin = -1 << 30
	fixnumMax = 1<<30 - 1
)

// Encode writes v as a Marshal 4.8 stream that Ruby's Marshal.load reads.
// See the package doc for the accepted Go types; any other type is an
// *EncodeError (matching ErrUnsupported) naming the type and where it was.
func Encode(v any) ([]byte, error) {
	e := encoderPool.Get().(*encoder)
	defer e.release()
	if err := e.stream(v); err != nil {
		return nil, err
	}
	return bytes.Clone(e.buf), nil
}

// encoderPool recycles encoders: their buffer and symbol table would
// otherwise be regrown for every message.
var encoderPool = sync.Pool{New: func() any { return &encoder{buf: make([]byte, 0, 4096)} }}

// release resets e and returns it to the pool unless it grew large.
func (e *encoder) release() {
	if cap(e.buf) > 1<<20 || len(e.symbols) > 4096 {
		return
	}
	e.buf = e.buf[:0]
	clear(e.symbols)
	clear(e.keys)
	e.keys = e.keys[:0]
	e.depth = 0
	encoderPool.Put(e)
}

// An Encoder writes Marshal streams to an io.Writer, one per Encode call.
type Encoder struct {
	w io.Writer
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes one complete Marshal stream (header included) for v.
func (enc *Encoder) Encode(v any) error {
	b, err := Encode(v)
	if err != nil {
		return err
	}
	_, err = enc.w.Write(b)
	return err
}

type encoder struct {
	buf     []byte
	symbols map[string]int
	keys    []string // scratch for sorting map keys
	depth   int
}

func (e *encoder) stream(v any) error {
	e.buf = append(e.buf, 4, 8)
	return e.value(v)
}

// EncodeError is the error Encode returns for a value it cannot write. It
// matches ErrUnsupported.
type EncodeError struct {
	// Type is the Go type, as %T prints it.
	Type string
	// Path locates the value inside the argument, e.g. "[:vif][1][:ipv4]"
	// (empty for the argument itself).
	Path string
	// Msg says what is wrong.
	Msg string
}

// Error formats the error with the type and where it was.
func (e *EncodeError) Error() string {
	where := e.Path
	if where == "" {
		where = "top level"
	}
	return fmt.Sprintf("rubymarshal: cannot encode Go type %s at %s: %s", e.Type, where, e.Msg)
}

// Unwrap returns ErrUnsupported.
func (e *EncodeError) Unwrap() error { return ErrUnsupported }

func (e *encoder) unsupported(v any) error {
	return &EncodeError{Type: fmt.Sprintf("%T", v), Msg: "unsupported type"}
}

// within prefixes an element's path segment to an error on the way out.
func within(err error, seg func() string) error {
	if ee, ok := err.(*EncodeError); ok {
		ee.Path = seg() + ee.Path
	}
	return err
}

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

// enter and leave bound the nesting of arrays and hashes, which also
// stops cyclic values.
func (e *encoder) enter(v any) error {
	e.depth++
	if e.depth > MaxDepth {
		return &EncodeError{Type: fmt.Sprintf("%T", v), Msg: fmt.Sprintf("nested deeper than %d (cyclic?)", MaxDepth)}
	}
	return nil
}

func (e *encoder) leave() { e.depth-- }

func (e *encoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, tNil)
	case bool:
		if x {
			e.buf = append(e.buf, tTrue)
		} else {
			e.buf = append(e.buf, tFalse)
		}
	case int:
		e.integer(int64(x))
	case int8:
		e.integer(int64(x))
	case int16:
		e.integer(int64(x))
	case int32:
		e.integer(int64(x))
	case int64:
		e.integer(x)
	case uint:
		e.uinteger(uint64(x))
	case uint8:
		e.uinteger(uint64(x))
	case uint16:
		e.uinteger(uint64(x))
	case uint32:
		e.uinteger(uint64(x))
	case uint64:
		e.uinteger(x)
	case uintptr:
		e.uinteger(uint64(x))
	case *big.Int:
		if x == nil {
			e.buf = append(e.buf, tNil)
			break
		}
		e.bigInt(x)
	case float64:
		e.float(x)
	case float32:
		e.float(float64(x))
	case string:
		e.string(x, "UTF-8")
	case Binary:
		e.string(string(x), "ASCII-8BIT")
	case []byte:
		e.string(string(x), "ASCII-8BIT")
	case EncString:
		e.string(x.S, x.Encoding)
	case Symbol:
		e.symbol(string(x))
	case time.Time:
		e.encodeTime(x)
	case []any:
		if err := e.enter(v); err != nil {
			return err
		}
		defer e.leave()
		e.buf = append(e.buf, tArray)
		e.buf = appendLong(e.buf, int64(len(x)))
		for i, el := range x {
			if err := e.value(el); err != nil {
				return within(err, func() string { return fmt.Sprintf("[%d]", i) })
			}
		}
	case []string:
		e.buf = append(e.buf, tArray)
		e.buf = appendLong(e.buf, int64(len(x)))
		for _, s := range x {
			e.string(s, "UTF-8")
		}
	case []map[string]any:
		if err := e.enter(v); err != nil {
			return err
		}
		defer e.leave()
		e.buf = append(e.buf, tArray)
		e.buf = appendLong(e.buf, int64(len(x)))
		for i, m := range x {
			if err := e.symbolMap(m); err != nil {
				return within(err, func() string { return fmt.Sprintf("[%d]", i) })
			}
		}
	case map[string]any:
		return e.symbolMap(x)
	case *Hash:
		if x == nil {
			e.buf = append(e.buf, tNil)
			break
		}
		return e.hash(x)
	case Hash:
		return e.hash(&x)
	default:
		return e.reflectValue(v)
	}
	return nil
}

func (e *encoder) hash(h *Hash) error {
	if err := e.enter(h); err != nil {
		return err
	}
	defer e.leave()
	if h.Default != nil {
		e.buf = append(e.buf, tHashDef)
	} else {
		e.buf = append(e.buf, tHash)
	}
	e.buf = appendLong(e.buf, int64(len(h.Pairs)))
	for _, p := range h.Pairs {
		if err := e.value(p.Key); err != nil {
			return within(err, func() string { return "(a key)" })
		}
		if err := e.value(p.Value); err != nil {
			return within(err, func() string { return keyPath(p.Key) })
		}
	}
	if h.Default != nil {
		if err := e.value(h.Default); err != nil {
			return within(err, func() string { return "(default)" })
		}
	}
	return nil
}

func keyPath(k any) string {
	switch x := k.(type) {
	case Symbol:
		return "[:" + string(x) + "]"
	case string:
		return "[" + strconv.Quote(x) + "]"
	}
	return fmt.Sprintf("[%v]", k)
}

// symbolMap writes a map with Symbol keys in sorted key order.
func (e *encoder) symbolMap(m map[string]any) error {
	if err := e.enter(m); err != nil {
		return err
	}
	defer e.leave()
	e.buf = append(e.buf, tHash)
	e.buf = appendLong(e.buf, int64(len(m)))
	mark := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	keys := e.keys[mark:]
	slices.Sort(keys)
	defer func() { e.keys = e.keys[:mark] }()
	for i := range keys {
		k := e.keys[mark+i]
		e.symbol(k)
		if err := e.value(m[k]); err != nil {
			return within(err, func() string { return "[:" + k + "]" })
		}
	}
	return nil
}

// reflectValue handles named scalar types, other slices and maps with
// string keys.
func (e *encoder) reflectValue(v any) error {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		if rv.Type().Name() == "Symbol" {
			e.symbol(rv.String())
		} else {
			e.string(rv.String(), "UTF-8")
		}
		return nil
	case reflect.Bool:
		return e.value(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.integer(rv.Int())
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uinteger(rv.Uint())
		return nil
	case reflect.Float32, reflect.Float64:
		e.float(rv.Float())
		return nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			e.string(string(rv.Bytes()), "ASCII-8BIT")
			return nil
		}
		if err := e.enter(v); err != nil {
			return err
		}
		defer e.leave()
		e.buf = append(e.buf, tArray)
		e.buf = appendLong(e.buf, int64(rv.Len()))
		for i := 0; i < rv.Len(); i++ {
			if err := e.value(rv.Index(i).Interface()); err != nil {
				return within(err, func() string { return fmt.Sprintf("[%d]", i) })
			}
		}
		return nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		keys := make([]string, 0, rv.Len())
		vals := make(map[string]reflect.Value, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			keys = append(keys, k)
			vals[k] = iter.Value()
		}
		slices.Sort(keys)
		if err := e.enter(v); err != nil {
			return err
		}
		defer e.leave()
		e.buf = append(e.buf, tHash)
		e.buf = appendLong(e.buf, int64(len(keys)))
		for _, k := range keys {
			e.symbol(k)
			if err := e.value(vals[k].Interface()); err != nil {
				return within(err, func() string { return "[:" + k + "]" })
			}
		}
		return nil
	case reflect.Pointer:
		if rv.IsNil() {
			e.buf = append(e.buf, tNil)
			return nil
		}
	}
	return e.unsupported(v)
}
