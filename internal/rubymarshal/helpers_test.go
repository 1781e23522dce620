package rubymarshal

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// sym is shorthand for Symbol in expected values.
type sym = Symbol

// H builds a *Hash from alternating keys and values.
func H(kv ...any) *Hash {
	h := &Hash{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Pairs = append(h.Pairs, Pair{Key: kv[i], Value: kv[i+1]})
	}
	return h
}

// A builds an []any.
func A(v ...any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func bigInt(s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return x
}

// equalValue compares decoded values exactly: float bits (NaN equals NaN,
// -0.0 differs from 0.0), times by instant, offset and zone name, big
// integers by value, hashes pair by pair including Default.
func equalValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, int64, string, Symbol, EncString:
		return a == b
	case Binary:
		y, ok := b.(Binary)
		return ok && bytes.Equal(x, y)
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(x) || math.IsNaN(y) {
			return math.IsNaN(x) && math.IsNaN(y)
		}
		return math.Float64bits(x) == math.Float64bits(y)
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case time.Time:
		y, ok := b.(time.Time)
		if !ok || !x.Equal(y) {
			return false
		}
		n1, o1 := x.Zone()
		n2, o2 := y.Zone()
		return n1 == n2 && o1 == o2 && (x.Location() == time.UTC) == (y.Location() == time.UTC)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Hash:
		y, ok := b.(*Hash)
		if !ok || len(x.Pairs) != len(y.Pairs) || !equalValue(x.Default, y.Default) {
			return false
		}
		for i := range x.Pairs {
			if !equalValue(x.Pairs[i].Key, y.Pairs[i].Key) || !equalValue(x.Pairs[i].Value, y.Pairs[i].Value) {
				return false
			}
		}
		return true
	}
	panic(fmt.Sprintf("equalValue: unexpected type %T", a))
}

// describe renders a decoded value in a notation the Ruby side of the
// round-trip tests (rubyDescribe) prints identically, so Ruby's view of a
// value can be checked without our decoder.
func describe(v any) string {
	var sb strings.Builder
	describeTo(&sb, v)
	return sb.String()
}

func describeTo(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("nil")
	case bool:
		fmt.Fprint(sb, x)
	case int64:
		fmt.Fprintf(sb, "I%d", x)
	case *big.Int:
		fmt.Fprintf(sb, "I%s", x.String())
	case float64:
		if math.IsNaN(x) {
			sb.WriteString("Fnan")
		} else {
			fmt.Fprintf(sb, "F%016x", math.Float64bits(x))
		}
	case string:
		fmt.Fprintf(sb, "S(UTF-8,%x)", x)
	case Binary:
		fmt.Fprintf(sb, "S(ASCII-8BIT,%x)", []byte(x))
	case EncString:
		fmt.Fprintf(sb, "S(%s,%x)", x.Encoding, x.S)
	case Symbol:
		fmt.Fprintf(sb, "Y%x", string(x))
	case time.Time:
		_, off := x.Zone()
		fmt.Fprintf(sb, "T(%d,%d,%v,%d)", x.Unix(), x.Nanosecond(), x.Location() == time.UTC, off)
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			describeTo(sb, e)
		}
		sb.WriteByte(']')
	case *Hash:
		sb.WriteByte('{')
		for i, p := range x.Pairs {
			if i > 0 {
				sb.WriteByte(',')
			}
			describeTo(sb, p.Key)
			sb.WriteString("=>")
			describeTo(sb, p.Value)
		}
		sb.WriteString(";")
		describeTo(sb, x.Default)
		sb.WriteByte('}')
	default:
		sb.WriteString("?" + strconv.Quote(fmt.Sprintf("%T", v)))
	}
}

// rubyDescribe is the Ruby counterpart of describe.
const rubyDescribe = `
def desc(v)
  case v
  when nil then "nil"
  when true, false then v.to_s
  when Integer then "I#{v}"
  when Float then v.nan? ? "Fnan" : "F" + [v].pack("G").unpack1("H*")
  when String then "S(#{v.encoding},#{v.unpack1("H*")})"
  when Symbol then "Y" + v.to_s.unpack1("H*")
  when Time then "T(#{v.to_i},#{v.nsec},#{v.utc?},#{v.utc_offset})"
  when Array then "[" + v.map { |e| desc(e) }.join(",") + "]"
  when Hash then "{" + v.map { |k, e| desc(k) + "=>" + desc(e) }.join(",") + ";" + desc(v.default) + "}"
  else "?" + v.class.to_s
  end
end
`

func posInf() float64 { return math.Inf(1) }

func decodeBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
