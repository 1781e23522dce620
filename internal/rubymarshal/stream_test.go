package rubymarshal

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecoderReadsSuccessiveStreams(t *testing.T) {
	var all []byte
	cases := goldenCases()
	for _, tc := range cases {
		all = append(all, readGolden(t, tc.name)...)
	}
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(all),
		"one byte": iotest.OneByteReader(bytes.NewReader(all)),
		"half":     iotest.HalfReader(bytes.NewReader(all)),
	} {
		t.Run(name, func(t *testing.T) {
			dec := NewDecoder(r)
			for _, tc := range cases {
				v, err := dec.Decode()
				require.NoError(t, err, tc.name)
				assert.True(t, equalValue(tc.want, v), "%s: %s", tc.name, describe(v))
			}
			_, err := dec.Decode()
			assert.Equal(t, io.EOF, err)
		})
	}
}

func TestDecoderErrors(t *testing.T) {
	t.Run("truncated", func(t *testing.T) {
		b := readGolden(t, "instance")
		_, err := NewDecoder(bytes.NewReader(b[:len(b)-3])).Decode()
		assert.ErrorIs(t, err, ErrMalformed)
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		r := io.MultiReader(strings.NewReader("\x04\x08[\x07"), iotest.ErrReader(boom))
		_, err := NewDecoder(r).Decode()
		assert.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), "rubymarshal: reading: boom")
		_, err = NewDecoder(iotest.ErrReader(boom)).Decode()
		assert.ErrorIs(t, err, boom)
	})
	t.Run("lying lengths end at the end of the input", func(t *testing.T) {
		const size = 1 << 20
		for _, prefix := range []string{"\"", "[", "{", "l+", "I\"\x00"} {
			body := append([]byte("\x04\x08"+prefix+"\x04\xff\xff\xff\x3f"), bytes.Repeat([]byte{'0'}, size)...)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := NewDecoder(bytes.NewReader(body)).Decode()
			runtime.ReadMemStats(&after)
			assert.ErrorIs(t, err, ErrMalformed, prefix)
			// The length says a GiB (16 GiB of elements): nothing may be
			// sized by it before the bytes are there.
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(256<<20), prefix)
		}
	})
	t.Run("version, then sticky", func(t *testing.T) {
		dec := NewDecoder(strings.NewReader("\x05\x00\x04\x08T"))
		_, err := dec.Decode()
		assert.ErrorIs(t, err, ErrVersion)
		_, err2 := dec.Decode()
		assert.Equal(t, err, err2)
	})
	t.Run("reader without progress", func(t *testing.T) {
		_, err := NewDecoder(stuck{}).Decode()
		assert.ErrorIs(t, err, io.ErrNoProgress)
	})
}

// stuck returns 0, nil forever.
type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }
