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
	case int64:
		e.integer(x)
	case int, int8, int16, int32:
		e.integer(reflect.ValueOf(x).Int())
	case uint, uint8, uint16, uint32, uint64, uintptr:
		e.uinteger(reflect.ValueOf(x).Uint())
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
