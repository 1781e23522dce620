package rubymarshal

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".bin"))
	require.NoError(t, err, "golden file missing: run `ruby testdata/golden.rb`")
	return b
}

// goldenCase is one file made by testdata/golden.rb and what it decodes to.
type goldenCase struct {
	name string
	want any
	// canonical: Encode(want) reproduces Ruby's bytes exactly (no object
	// links, and ivars in the order Go writes them).
	canonical bool
}

func goldenCases() []goldenCase {
	jst := time.FixedZone("", 9*3600)
	minus := time.FixedZone("", -(3*3600 + 30*60))
	shared := "shared"
	arr := A(int64(1), int64(2))
	h := H(sym("k"), int64(1))
	t2026 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return []goldenCase{
		{"nil", nil, true},
		{"true", true, true},
		{"false", false, true},
		{"fixnums", A(int64(0), int64(1), int64(-1), int64(122), int64(123), int64(-123), int64(-124), int64(255), int64(256),
			int64(-256), int64(-257), int64(65535), int64(65536), int64(-65537), int64(1<<30-1), int64(-1<<30)), true},
		{"bignums", A(int64(1<<30), int64(-1<<30-1), int64(1<<31), int64(1<<32), int64(1<<62), int64(math.MaxInt64),
			int64(math.MinInt64), bigInt("18446744073709551616"), bigInt("-1180591620717411303424"),
			bigInt("1267650600228229401496703217721")), false},
		{"floats", A(0.0, math.Copysign(0, -1), 1.0, -1.5, 0.1, 1.0/3, 100.0, 1.0e100, 1.5e-300, 123456789012345.0, 1e16, 0.0001, 5e-324), false},
		{"float_specials", A(math.Inf(1), math.Inf(-1), math.NaN()), false},
		{"strings", A("", "hello", "héllo ✓", Binary{}, Binary{0, 0xff}, EncString{S: "ascii", Encoding: "US-ASCII"},
			EncString{S: "\x82\xa0", Encoding: "Shift_JIS"}), true},
		{"symbols", A(sym("a"), sym("b"), sym("a"), sym("b"), sym("héllo"), sym("héllo")), true},
		{"symlinks", H(sym("state"), sym("running"), sym("status"), sym("running"), sym("prev"), sym("state")), true},
		{"links", A(shared, shared, A(shared)), false},
		{"array_link", A(arr, arr), false},
		{"hash_link", A(h, h), false},
		{"nested", A(A(A()), H(), A(H())), true},
		{"hash_mixed_keys", H("s", int64(1), sym("s"), int64(2), int64(3), "three", nil, A()), true},
		{"hash_default", &Hash{Pairs: []Pair{{sym("a"), int64(1)}}, Default: int64(0)}, true},
		{"time_utc", time.Date(2026, 11, 26, 10, 20, 30, 0, time.UTC), true},
		{"time_utc_usec", time.Date(2026, 11, 26, 10, 20, 30, 123456000, time.UTC), true},
		{"time_utc_nsec", time.Unix(1_700_000_000, 123_456_789).UTC(), false},
		{"time_offset", time.Date(2026, 11, 26, 19, 20, 30, 0, jst), false},
		{"time_negative_offset", time.Unix(1_700_000_000, 500).In(minus), false},
		{"time_1800", time.Date(1800, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"time_70000", time.Date(70000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"time_shared", A(t2026, t2026), false},
		{"job_request", H(sym("endpoint"), "job.hva-handle.hva.esxi1", sym("command"), "terminate",
			sym("args"), A("i-demo0001"), sym("oneshot"), false, sym("job_id"), "j-1234abcd",
			sym("session_id"), "j-1234abcd", sym("job_name"), "terminate"), true},
		{"reply_error", H(sym("type"), sym("error"), sym("msg"), H(sym("message"), "UnknownInstanceID: 'i-x'", sym("error_type"), "RuntimeError")), true},
		{"instance", expectedInstance(), false},
	}
}

func TestDecodeGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(readGolden(t, tc.name))
			require.NoError(t, err)
			assert.True(t, equalValue(tc.want, got), "decoded\n%s\nwant\n%s", describe(got), describe(tc.want))
		})
	}
}

func TestEncodeMatchesRubyBytes(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.want)
			require.NoError(t, err)
			if tc.canonical {
				assert.Equal(t, readGolden(t, tc.name), b)
			}
			back, err := Decode(b)
			require.NoError(t, err)
			assert.True(t, equalValue(tc.want, back), "round trip\n%s\nwant\n%s", describe(back), describe(tc.want))
		})
	}
}

func TestDecodeGoldenUnsupported(t *testing.T) {
	tests := []struct {
		name, msg string
	}{
		{"unsupported_struct", `rubymarshal: offset 2: unsupported type Struct "Foo"`},
		{"unsupported_object", `rubymarshal: offset 2: unsupported type Object "Object"`},
		{"unsupported_regexp", `rubymarshal: offset 2: unsupported type Regexp /ab+c/`},
		{"unsupported_class", `rubymarshal: offset 2: unsupported type Class "String"`},
		{"unsupported_userclass", `rubymarshal: offset 2: unsupported type user class "MyString"`},
		{"unsupported_rational", `rubymarshal: offset 2: unsupported type user-marshalled (marshal_dump) "Rational"`},
		{"recursive", `rubymarshal: offset 4: unsupported type recursive structure (link 0 to an enclosing object)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(readGolden(t, tc.name))
			require.Error(t, err)
			assert.EqualError(t, err, tc.msg)
			assert.ErrorIs(t, err, ErrUnsupported)
			assert.NotErrorIs(t, err, ErrMalformed)
			var de *DecodeError
			require.True(t, errors.As(err, &de))
		})
	}
}
