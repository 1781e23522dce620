package isono

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// marshalLong appends Ruby Marshal's packed integer encoding of n (n >= 0).
func marshalLong(b []byte, n int) []byte {
	switch {
	case n == 0:
		return append(b, 0)
	case n < 123:
		return append(b, byte(n+5))
	}
	var le []byte
	for ; n > 0; n >>= 8 {
		le = append(le, byte(n))
	}
	return append(append(b, byte(len(le))), le...)
}

const linkedPrefix = "\x04\x08{\x07:\x0ccommandI\"\x0breboot\x06:\x06ET:\x09args[\x06["

// linkedBody is linkedBodyN with n chosen so that the body is about size
// bytes.
func linkedBody(size, strLen int) []byte {
	return linkedBodyN(max((size-len(linkedPrefix)-strLen-8)/2, 1)+1, strLen)
}

// linkedBodyN is `{command: "reboot", args: [[s] * n]}` as Ruby dumps it,
// s a binary String of strLen bytes: every element after the first is a
// 2-byte link to s.
func linkedBodyN(n, strLen int) []byte {
	b := marshalLong([]byte(linkedPrefix), n)
	b = marshalLong(append(b, '"'), strLen)
	b = append(b, bytes.Repeat([]byte("A"), strLen)...)
	// Objects: the Hash 0, "reboot" 1, args 2, the inner Array 3, s 4.
	for range n - 1 {
		b = append(b, '@', 4+5)
	}
	return b
}

// keyBody is `{command: "reboot", args: [{[s] * n => 1}]}`: the same
// links, in an Array used as a hash key.
func keyBody(size, strLen int) []byte {
	b := []byte("\x04\x08{\x07:\x0ccommandI\"\x0breboot\x06:\x06ET:\x09args[\x06{\x06[")
	n := max((size-len(b)-strLen-12)/2, 1) + 1
	b = marshalLong(b, n)
	b = marshalLong(append(b, '"'), strLen)
	b = append(b, bytes.Repeat([]byte("A"), strLen)...)
	// Objects: the Hash 0, "reboot" 1, args 2, the inner Hash 3, the
	// key Array 4, s 5.
	for range n - 1 {
		b = append(b, '@', 5+5)
	}
	return append(b, 'i', 1+5)
}

// hostileFixture reads a body made by real Ruby (internal/rubymarshal's
// testdata/hostile.rb).
func hostileFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "rubymarshal", "testdata", "hostile", name+".bin"))
	require.NoError(t, err)
	return b
}

// BenchmarkDecodeHostileBody decodes 1 MB job bodies built to expand
// through object links, as the agent does with every body it receives;
// the B/body-byte metric (bytes allocated per body byte) is the
// amplification. "unlimited" raises the decoder's limits out of the way,
// to measure the conversion alone. The instance reply is the legitimate
// baseline.
func BenchmarkDecodeHostileBody(b *testing.B) {
	unlimited := rubymarshal.Limits{MaxBytes: 1 << 40, MaxNodes: 1 << 40}
	for _, bc := range []struct {
		name string
		body []byte
		lim  rubymarshal.Limits
	}{
		{"linked-string", linkedBody(1<<20, 1024), rubymarshal.Limits{}},
		{"array-key", keyBody(1<<20, 256), rubymarshal.Limits{}},
		{"linked-string-unlimited", linkedBody(1<<20, 1024), unlimited},
		{"array-key-unlimited", keyBody(1<<20, 256), unlimited},
		{"instance", hostileFixtureInstance(b), rubymarshal.Limits{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				_, _ = decodeHash(bc.body, bc.lim)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(bc.body)), "B/body-byte")
		})
	}
}

func hostileFixtureInstance(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "rubymarshal", "testdata", "golden", "instance.bin"))
	require.NoError(t, err)
	return b
}

func TestHostileBodyBuilders(t *testing.T) {
	// The builder writes what Ruby writes for the same value.
	require.Equal(t, hostileFixture(t, "linked_string"), linkedBodyN(8192, 65536))
}

// The bodies of issue 13 item 1 (made by real Ruby) are refused by the
// default limits with an error matching ErrTooLarge.
func TestDecodeHashRefusesHostileBodies(t *testing.T) {
	for _, name := range []string{"linked_string", "array_key"} {
		_, err := decodeHash(hostileFixture(t, name), rubymarshal.Limits{})
		require.ErrorIs(t, err, ErrTooLarge, name)
		require.ErrorIs(t, err, rubymarshal.ErrTooLarge, name)
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// With limits raised out of the way, the conversion still costs what the
// body holds, not what it expands to: a linked binary String is converted
// once (it was copied once per link, 512 MiB for the 81 KB body) and an
// Array key is described in a few hundred bytes (it was formatted whole).
func TestConversionDoesNotExpandLinks(t *testing.T) {
	unlimited := rubymarshal.Limits{MaxBytes: 1 << 40, MaxNodes: 1 << 40}
	body := hostileFixture(t, "linked_string")
	var m map[string]any
	n := allocated(func() {
		var err error
		m, err = decodeHash(body, unlimited)
		require.NoError(t, err)
	})
	assert.Less(t, n, uint64(8*len(body)), "bytes allocated for a %d-byte body", len(body))
	inner := m["args"].([]any)[0].([]any)
	require.Len(t, inner, 8192)
	assert.Equal(t, strings.Repeat("A", 65536), inner[8191])
	assert.Same(t, unsafe.StringData(inner[0].(string)), unsafe.StringData(inner[8191].(string)), "one string for every link")

	body = hostileFixture(t, "array_key")
	n = allocated(func() {
		var err error
		m, err = decodeHash(body, unlimited)
		require.NoError(t, err)
	})
	assert.Less(t, n, uint64(8*len(body)), "bytes allocated for a %d-byte body", len(body))
	h := m["args"].([]any)[0].(map[string]any)
	require.Len(t, h, 1)
	for k, v := range h {
		assert.Len(t, k, rubymarshal.MaxKeyText+3)
		assert.Equal(t, int64(1), v)
	}
}
