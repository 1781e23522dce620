package rubymarshal

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otherSymbolHolder is a Go type Encode does not know.
type otherSymbolHolder struct{}

func TestEncodeBytes(t *testing.T) {
	type Symbol string // a foreign type named Symbol
	type myString string
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "0"},
		{"int 0", 0, "i\x00"},
		{"int 122", 122, "i\x7f"},
		{"int 123", 123, "i\x01\x7b"},
		{"int -123", -123, "i\x80"},
		{"int -124", int8(-124), "i\xff\x84"},
		{"int 256", uint16(256), "i\x02\x00\x01"},
		{"fixnum max", int32(1<<30 - 1), "i\x04\xff\xff\xff\x3f"},
		{"fixnum min", int64(-1 << 30), "i\xfc\x00\x00\x00\xc0"},
		{"bignum 2^30", 1 << 30, "l+\x07\x00\x00\x00\x40"},
		{"bignum -2^30-1", -1<<30 - 1, "l-\x07\x01\x00\x00\x40"},
		{"bignum 2^32", uint64(1 << 32), "l+\x08\x00\x00\x00\x00\x01\x00"},
		{"bignum max uint64", uint64(math.MaxUint64), "l+\x09\xff\xff\xff\xff\xff\xff\xff\xff"},
		{"bignum min int64", int64(math.MinInt64), "l-\x09\x00\x00\x00\x00\x00\x00\x00\x80"},
		{"big.Int small", big.NewInt(5), "i\x0a"},
		{"float32", float32(1.5), "f\x081.5"},
		{"float 1e100", 1e100, "f\x0a1e100"},
		{"float 1e-5", 1e-5, "f\x091e-5"},
		{"float 0.0001", 0.0001, "f\x0b0.0001"},
		{"float 123.456", 123.456, "f\x0c123.456"},
		{"bytes", []byte{1}, "\"\x06\x01"},
		{"foreign Symbol type", Symbol("running"), ":\x0crunning"},
		{"named string", myString("x"), "I\"\x06x\x06:\x06ET"},
		{"[]string", []string{"a", "a"}, "[\x07I\"\x06a\x06:\x06ETI\"\x06a\x06;\x00T"},
		{"map sorted symbol keys", map[string]any{"b": 1, "a": Symbol("b")}, "{\x07:\x06a:\x06b;\x06i\x06"},
		{"[]map", []map[string]any{{"a": 1}, {"a": 2}}, "[\x07{\x06:\x06ai\x06{\x06;\x00i\x07"},
		{"typed map", map[string]int{"k": 1}, "{\x06:\x06ki\x06"},
		{"typed slice", []int{1, 2}, "[\x07i\x06i\x07"},
		{"hash default", &Hash{Default: false}, "}\x00F"},
		{"nil *Hash", (*Hash)(nil), "0"},
		{"utc time", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "Iu:\x09Time\x0d\x43\x80\x1f\xc0\x00\x00\x50\x10\x06:\x09zoneI\"\x08UTC\x06:\x06EF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.in)
			require.NoError(t, err)
			assert.Equal(t, []byte("\x04\x08"+tc.want), b)
			_, err = Decode(b)
			require.NoError(t, err)
		})
	}
}

func TestEncodeUnsupported(t *testing.T) {
	tests := []struct {
		name string
		in   any
		msg  string
	}{
		{"struct", otherSymbolHolder{}, "cannot encode Go type rubymarshal.otherSymbolHolder at top level: unsupported type"},
		{"chan in map", map[string]any{"a": []any{1, make(chan int)}}, "cannot encode Go type chan int at [:a][1]"},
		{"func in hash value", H(sym("k"), H("s", func() {})), `cannot encode Go type func() at [:k]["s"]`},
		{"complex in default", &Hash{Default: complex(1, 2)}, "at (default)"},
		{"int keyed map", map[int]any{1: 2}, "map[int]interface {}"},
		{"pointer", new(int), "*int"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Encode(tc.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnsupported)
			assert.Contains(t, err.Error(), tc.msg)
			var ee *EncodeError
			assert.True(t, errors.As(err, &ee))
		})
	}
}

func TestEncodeCycleIsAnError(t *testing.T) {
	a := make([]any, 1)
	a[0] = a
	_, err := Encode(a)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "nested deeper than 256")
}

func TestEncoderWriter(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	require.NoError(t, enc.Encode(Symbol("a")))
	require.NoError(t, enc.Encode(true))
	assert.Equal(t, "\x04\x08:\x06a\x04\x08T", buf.String())
	require.ErrorIs(t, enc.Encode(struct{}{}), ErrUnsupported)
}

func TestHashAccessors(t *testing.T) {
	h := H(sym("state"), sym("running"), "name", "x", Binary("bin"), int64(1), EncString{S: "enc", Encoding: "US-ASCII"}, 2, int64(7), "seven")
	v, ok := h.Get("state")
	assert.True(t, ok)
	assert.Equal(t, sym("running"), v)
	v, ok = h.Get("name")
	assert.True(t, ok)
	assert.Equal(t, "x", v)
	_, ok = h.Get("7")
	assert.False(t, ok, "Get matches only String and Symbol keys")
	v, _ = h.Get("enc")
	assert.Equal(t, 2, v)
	assert.Equal(t, 5, h.Len())
	assert.Equal(t, 0, (*Hash)(nil).Len())
	_, ok = (*Hash)(nil).Get("x")
	assert.False(t, ok)
	assert.Nil(t, (*Hash)(nil).Map())

	m := h.Map()
	assert.Equal(t, map[string]any{"state": sym("running"), "name": "x", "bin": int64(1), "enc": 2, "7": "seven"}, m)
	assert.Equal(t, map[string]any{"a": "ascii", "b": []any{"sjis", Binary("bin")}},
		H(sym("a"), EncString{S: "ascii", Encoding: "US-ASCII"}, sym("b"), A(EncString{S: "sjis", Encoding: "Shift_JIS"}, Binary("bin"))).Map())

	h.Set(sym("state"), sym("halted"))
	h.Set("state", "string key is another key")
	h.Set(Binary("bin"), int64(9))
	h.Set(A(), 1) // uncomparable key: appended, no panic
	assert.Equal(t, 7, h.Len())
	v, _ = h.Get("state")
	assert.Equal(t, sym("halted"), v)
	v, _ = h.Get("bin")
	assert.Equal(t, int64(9), v)

	nested := H(sym("a"), A(H(sym("b"), int64(1))))
	assert.Equal(t, map[string]any{"a": []any{map[string]any{"b": int64(1)}}}, nested.Map())
}

func TestEncodeGoKindsDecodeAs(t *testing.T) {
	type myBool bool
	type myInt int16
	type myUint uint8
	type myFloat float32
	type myBytes []byte
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"int", int(-5), int64(-5)},
		{"int16", int16(300), int64(300)},
		{"uint", uint(7), int64(7)},
		{"uint32 max", uint32(math.MaxUint32), int64(math.MaxUint32)},
		{"uintptr", uintptr(9), int64(9)},
		{"uint64 beyond int64", uint64(1 << 63), bigInt("9223372036854775808")},
		{"big beyond int64", bigInt("-9223372036854775809"), bigInt("-9223372036854775809")},
		{"nil *big.Int", (*big.Int)(nil), nil},
		{"named bool", myBool(true), true},
		{"named int", myInt(-2), int64(-2)},
		{"named uint", myUint(200), int64(200)},
		{"named float", myFloat(0.5), 0.5},
		{"named bytes", myBytes("ab"), Binary("ab")},
		{"byte array", [2]byte{1, 2}, A(int64(1), int64(2))},
		{"Hash value", Hash{Pairs: []Pair{{"k", Symbol("v")}}}, H("k", Symbol("v"))},
		{"EncString UTF-8", EncString{S: "x", Encoding: "UTF-8"}, "x"},
		{"EncString BINARY", EncString{S: "x", Encoding: "BINARY"}, Binary("x")},
		{"nested typed map", map[string][]string{"ips": {"10.0.0.1"}}, H(sym("ips"), A("10.0.0.1"))},
		{"nil pointer", (*int)(nil), nil},
		{"local time keeps zone name", time.Date(2026, 1, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600)),
			time.Date(2026, 1, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))},
		{"non-ASCII zone name", time.Date(2026, 1, 1, 9, 0, 0, 0, time.FixedZone("é", 3600)),
			time.Date(2026, 1, 1, 9, 0, 0, 0, time.FixedZone("é", 3600))},
		{"year 1", time.Time{}, time.Time{}},
		{"year -500", time.Date(-500, 3, 1, 0, 0, 0, 7, time.UTC), time.Date(-500, 3, 1, 0, 0, 0, 7, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.in)
			require.NoError(t, err)
			got, err := Decode(b)
			require.NoError(t, err)
			assert.True(t, equalValue(tc.want, got), "got %s want %s", describe(got), describe(tc.want))
		})
	}
}

func TestTimeNanoFromBignumNanoNum(t *testing.T) {
	// nano_num given as a Bignum that fits: 5 ns over the microseconds.
	in := "\x04\x08Iu:\x09Time\x0d\xd6\xe9\x1e\xc0\x40\xe2\x41\x35\x07:\x0dnano_numl+\x06\x05\x00:\x0dnano_deni\x06"
	v, err := Decode([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, 123456005, v.(time.Time).Nanosecond())
}
