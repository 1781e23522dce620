package rubymarshal

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readHostile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hostile", name+".bin"))
	require.NoError(t, err, "run `ruby testdata/hostile.rb`")
	return b
}

// The two bodies of issue 13 item 1, made by real Ruby: small on the wire,
// 512 MiB once their links are followed. The default limits refuse both
// with ErrTooLarge, also when read as a stream.
func TestHostileBodiesAreTooLarge(t *testing.T) {
	for _, name := range []string{"linked_string", "array_key"} {
		t.Run(name, func(t *testing.T) {
			body := readHostile(t, name)
			_, err := Decode(body)
			require.ErrorIs(t, err, ErrTooLarge)
			assert.Contains(t, err.Error(), "bytes")
			_, err = NewDecoder(bytes.NewReader(body)).Decode()
			require.ErrorIs(t, err, ErrTooLarge)
			_, err = DecodeMap(body)
			require.ErrorIs(t, err, ErrTooLarge)
		})
	}
}

// A link costs what it points to, in bytes and in nodes, and the limits
// are set by the caller.
func TestLimits(t *testing.T) {
	// [s, s, s] with s a 1000-byte String: 3000 bytes expanded, 4 nodes
	// plus 2 for the links' own nodes.
	in := append([]byte("\x04\x08[\x08\"\x02\xe8\x03"), strings.Repeat("x", 1000)...)
	in = append(in, "@\x06@\x06"...)
	v, err := DecodeLimited(in, Limits{MaxBytes: 3000})
	require.NoError(t, err)
	require.Len(t, v, 3)
	_, err = DecodeLimited(in, Limits{MaxBytes: 2999})
	require.ErrorIs(t, err, ErrTooLarge, "the second link takes the value over 2999 bytes")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, len(in)-2, de.Offset, "the error points at the link that went over")
	assert.Contains(t, err.Error(), "more than 2999 bytes")

	_, err = DecodeLimited(in, Limits{MaxNodes: 6})
	require.NoError(t, err)
	_, err = DecodeLimited(in, Limits{MaxNodes: 5})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "more than 5 nodes")

	// Symlinks repeat their Symbol's bytes.
	sym := append([]byte("\x04\x08[\x08:\x02\xe8\x03"), strings.Repeat("y", 1000)...)
	sym = append(sym, ";\x00;\x00"...)
	_, err = DecodeLimited(sym, Limits{MaxBytes: 3000})
	require.NoError(t, err)
	_, err = DecodeLimited(sym, Limits{MaxBytes: 2500})
	require.ErrorIs(t, err, ErrTooLarge)

	// A linked Array costs all it holds.
	arr := append([]byte("\x04\x08[\x07[\x07\"\x02\xe8\x03"), strings.Repeat("z", 1000)...)
	arr = append(arr, "@\x07@\x06"...)
	_, err = DecodeLimited(arr, Limits{MaxBytes: 4000})
	require.NoError(t, err)
	_, err = DecodeLimited(arr, Limits{MaxBytes: 3999})
	require.ErrorIs(t, err, ErrTooLarge)

	dec := NewDecoder(bytes.NewReader(append(append([]byte{}, in...), in...)))
	_, err = dec.Decode()
	require.NoError(t, err, "the default limits allow a little sharing")
	dec.SetLimits(Limits{MaxBytes: 2000})
	_, err = dec.Decode()
	require.ErrorIs(t, err, ErrTooLarge, "SetLimits applies to the next value")
}

// Without links nothing expands: every golden file decodes under limits
// as tight as its own size.
func TestLimitsNeverRefuseWhatHasNoLinks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.bin"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	checked := 0
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		if bytes.Contains(b, []byte("@")) || strings.Contains(name, "link") || strings.Contains(name, "recursive") {
			continue // may hold links
		}
		_, err = DecodeLimited(b, Limits{MaxBytes: int64(len(b)), MaxNodes: int64(len(b))})
		assert.NotErrorIs(t, err, ErrTooLarge, name)
		checked++
	}
	assert.Greater(t, checked, 10)
}
