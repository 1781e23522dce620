package rubymarshal

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeScalars(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"fixnum 1-byte positive", "\x04\x08i\x01\xc8", int64(200)},
		{"fixnum 1-byte negative", "\x04\x08i\xff\x38", int64(-200)},
		{"fixnum 4 bytes unsigned", "\x04\x08i\x04\xff\xff\xff\xff", int64(1<<32 - 1)},
		{"fixnum 4 bytes negative", "\x04\x08i\xfc\x00\x00\x00\x80", int64(-1 << 31)},
		{"bignum zero length", "\x04\x08l+\x00", int64(0)},
		{"bignum min int64", "\x04\x08l-\x0a\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00", int64(-1 << 63)},
		{"bignum past int64", "\x04\x08l-\x0a\x01\x00\x00\x00\x00\x00\x00\x80\x00\x00", new(big.Int).Neg(bigInt("9223372036854775809"))},
		{"float exponent", "\x04\x08f\x0d1.5e-300", 1.5e-300},
		{"float 1.8 mantissa suffix", "\x04\x08f\x0b1.1\x00\xab\xcd", 1.1},
		{"float overflow is inf", "\x04\x08f\x0a1e999", posInf()},
		{"old minor version", "\x04\x06T", true},
		{"string with foreign ivar", "\x04\x08I\"\x06x\x07:\x06ET:\x07@ai\x06", "x"},
		{"string encoding ivar UTF-8", "\x04\x08I\"\x06x\x06:\x0dencoding\"\x0aUTF-8", "x"},
		{"string encoding ivar BINARY", "\x04\x08I\"\x06x\x06:\x0dencoding\"\x0bBINARY", Binary("x")},
		{"array with ivars", "\x04\x08I[\x06i\x06\x06:\x07@ai\x06", A(int64(1))},
		{"symbol with encoding", "\x04\x08[\x07I:\x07\xc3\xa9\x06:\x06ET;\x00", A(sym("é"), sym("é"))},
		{"old time format", "\x04\x08u:\x09Time\x0d\x00\xf1\x53\x65\x40\xe2\x01\x00", time.Unix(1700000000, 123456000).In(time.Local)},
		{"time without ivars is local", "\x04\x08u:\x09Time\x0d\xd6\xe9\x1e\x80\x00\x00\x00\x00", time.Date(2023, 11, 14, 22, 0, 0, 0, time.UTC).In(time.Local)},
		{"time submicro only", "\x04\x08Iu:\x09Time\x0d\xd6\xe9\x1e\xc0\x40\xe2\x41\x35\x06:\x0dsubmicro\"\x07\x78\x90", time.Unix(1700000000, 123456789).UTC()},
		{"time zone name", "\x04\x08Iu:\x09Time\x0d\xd6\xe9\x1e\x80\x00\x00\x00\x00\x07:\x0boffseti\x02\x90\x7e:\x09zoneI\"\x08JST\x06:\x06EF",
			time.Date(2023, 11, 14, 22, 0, 0, 0, time.UTC).In(time.FixedZone("JST", 9*3600))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			require.NoError(t, err)
			assert.True(t, equalValue(tc.want, got), "got %s want %s", describe(got), describe(tc.want))
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	billion := "\x04\xff\xff\xff\x3f" // packed long 2^30-1
	tests := []struct {
		name   string
		in     string
		target error
		msg    string
	}{
		{"empty", "", ErrMalformed, "offset 0: missing version header"},
		{"version 3.0", "\x03\x00", ErrVersion, "marshal format 3.0, want 4.8"},
		{"version 4.9", "\x04\x09", ErrVersion, "marshal format 4.9"},
		{"no value", "\x04\x08", ErrMalformed, "offset 2: unexpected end of data"},
		{"trailing", "\x04\x080X", ErrMalformed, "offset 3: 1 trailing bytes"},
		{"unknown type", "\x04\x08Z", ErrMalformed, "unknown type byte 0x5a"},
		{"truncated fixnum", "\x04\x08i\x02\x01", ErrMalformed, "integer of 2 bytes truncated"},
		{"array claims a billion", "\x04\x08[" + billion, ErrMalformed, "array length 1073741823 exceeds the 0 bytes left"},
		{"hash claims a billion", "\x04\x08{" + billion + "00", ErrMalformed, "hash length"},
		{"string claims a billion", "\x04\x08\"" + billion, ErrMalformed, "string length"},
		{"bignum claims a billion", "\x04\x08l+" + billion, ErrMalformed, "bignum length"},
		{"ivars claim a billion", "\x04\x08I\"\x00" + billion, ErrMalformed, "instance variables length"},
		{"negative length", "\x04\x08[\xfa", ErrMalformed, "negative array length -1"},
		{"dangling link", "\x04\x08[\x06@\x07", ErrMalformed, "offset 4: object link 2 out of range (1 objects)"},
		{"dangling symlink", "\x04\x08;\x00", ErrMalformed, "offset 2: symlink 0 out of range (0 symbols)"},
		{"bad bignum sign", "\x04\x08l*\x00", ErrMalformed, "bignum sign"},
		{"bad float", "\x04\x08f\x07ab", ErrMalformed, `float "ab"`},
		{"hex float", "\x04\x08f\x0a0x1p3", ErrMalformed, "float"},
		{"ivar name not symbol", "\x04\x08I\"\x00\x06i\x00T", ErrMalformed, "expected a symbol"},
		{"ivars on fixnum", "\x04\x08Ii\x00\x00", ErrMalformed, "instance variables on type 'i'"},
		{"short time", "\x04\x08u:\x09Time\x06\x00", ErrMalformed, "Time data of 1 bytes"},
		{"time month 13", "\x04\x08u:\x09Time\x0d\x00\x30\x00\x80\x00\x00\x00\x00", ErrMalformed, "Time fields out of range"},
		{"time bad nano_den", "\x04\x08Iu:\x09Time\x0d\x21\x00\x00\x80\x00\x00\x00\x00\x07:\x0dnano_numi\x06:\x0dnano_deni\x00", ErrMalformed, "nano_num/nano_den"},
		{"other userdef", "\x04\x08u:\x08Foo\x00", ErrUnsupported, `unsupported type user-defined _dump "Foo"`},
		{"extended", "\x04\x08e:\x08Foo[\x00", ErrUnsupported, `extended object "Foo"`},
		{"data", "\x04\x08d:\x08Foo0", ErrUnsupported, `Data "Foo"`},
		{"module", "\x04\x08m\x0bKernel", ErrUnsupported, `Module "Kernel"`},
		{"hash recursive", "\x04\x08{\x06i\x00@\x00", ErrUnsupported, "recursive structure"},
		{"deep nesting", "\x04\x08" + strings.Repeat("[\x06", MaxDepth+1) + "0", ErrMalformed, "nesting deeper than 256"},
		{"deep hash nesting", "\x04\x08" + strings.Repeat("{\x06i\x00", MaxDepth+1) + "0", ErrMalformed, "nesting deeper than 256"},
		{"deep ivar nesting", "\x04\x08" + strings.Repeat("I[\x00\x06:\x06@", 20), ErrMalformed, "instance variables nested deeper than 16"},
		{"deep ivar symbol nesting", "\x04\x08I\"\x00" + strings.Repeat("\x06I:\x06@", 20), ErrMalformed, "instance variables nested deeper than 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Decode([]byte(tc.in))
			require.Error(t, err, "decoded %s", describe(v))
			assert.ErrorIs(t, err, tc.target)
			assert.Contains(t, err.Error(), tc.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "rubymarshal: offset "), err.Error())
			var de *DecodeError
			assert.True(t, errors.As(err, &de))
		})
	}
}

// A scalar at the deepest allowed level survives Encode, even when Encode
// adds instance variables (an old-format Time gets offset and zone).
func TestDepthLimitRoundTrip(t *testing.T) {
	in := "\x04\x08" + strings.Repeat("[\x06", MaxDepth) + "u:\x09Time\x0d\x00\xf1\x53\x65\x40\xe2\x01\x00"
	v, err := Decode([]byte(in))
	require.NoError(t, err)
	b, err := Encode(v)
	require.NoError(t, err)
	w, err := Decode(b)
	require.NoError(t, err)
	assert.True(t, equalValue(v, w))

	_, err = Encode(A(v))
	assert.ErrorIs(t, err, ErrUnsupported, "one level more is refused")
}

func TestDecodeBinaryDoesNotAliasInput(t *testing.T) {
	in := []byte("\x04\x08\"\x06x")
	v, err := Decode(in)
	require.NoError(t, err)
	in[4] = 'y'
	assert.Equal(t, Binary("x"), v)
}

func TestDecodeMap(t *testing.T) {
	m, err := DecodeMap(readGolden(t, "instance"))
	require.NoError(t, err)
	assert.Equal(t, Symbol("running"), m["state"])
	assert.Equal(t, "i-demo0001", m["uuid"])
	vifs, ok := m["vif"].([]any)
	require.True(t, ok)
	require.Len(t, vifs, 2)
	vif1 := vifs[1].(map[string]any)
	assert.Equal(t, "10.0.0.11", vif1["ipv4"].(map[string]any)["address"])
	vol := m["volume"].(map[string]any)["vol-demo1"].(map[string]any)
	assert.Equal(t, int64(20<<30), vol["size"])
	assert.Equal(t, "demo0001", m["request_params"].(map[string]any)["hostname"])
	checksum := m["image"].(map[string]any)["backup_object"].(map[string]any)["checksum"]
	assert.Equal(t, "9a0364b9e99bb480dd25e1f0284c8555", checksum, "US-ASCII strings are plain strings in Map")

	_, err = DecodeMap([]byte("\x04\x08[\x00"))
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "top-level value is Array, want a Hash")
	_, err = DecodeMap([]byte("\x04\x08["))
	require.ErrorIs(t, err, ErrMalformed)
}

// TestDecodeLinkBomb: a few hundred bytes whose levels are each an Array
// of two links to the previous level would, walked as a tree (Map, Encode),
// have 2^60 leaves.
func TestDecodeLinkBomb(t *testing.T) {
	in := []byte{4, 8, '['}
	const levels = 60
	in = appendLong(in, levels+1)
	in = append(in, "[\x07i\x06i\x06"...)
	for i := 0; i < levels; i++ {
		in = append(in, '[', 0x07)
		in = appendLong(append(in, '@'), int64(i+1))
		in = appendLong(append(in, '@'), int64(i+1))
	}
	_, err := Decode(in)
	require.ErrorIs(t, err, ErrTooLarge)
	require.ErrorIs(t, err, ErrMalformed, "ErrTooLarge is a kind of malformed input")
	assert.Contains(t, err.Error(), "the value expands to more than")

	// A few levels are fine, and the shared arrays are the same slice.
	small := []byte{4, 8, '[', 0x08}
	small = append(small, "[\x07i\x06i\x06[\x07@\x06@\x06[\x07@\x07@\x07"...)
	v, err := Decode(small)
	require.NoError(t, err)
	top := v.([]any)
	require.Len(t, top, 3)
	assert.Equal(t, A(A(int64(1), int64(1)), A(int64(1), int64(1))), top[1])
	lvl2 := top[2].([]any)
	assert.Same(t, &lvl2[0].([]any)[0], &lvl2[1].([]any)[0], "links share the decoded slice")
}
