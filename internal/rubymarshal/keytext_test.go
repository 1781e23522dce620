package rubymarshal

import (
	"math/big"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyText(t *testing.T) {
	for _, c := range []struct {
		key  any
		want string
	}{
		{sym("a"), "a"},
		{"s", "s"},
		{Binary("b"), "b"},
		{EncString{S: "e", Encoding: "US-ASCII"}, "e"},
		{int64(3), "3"},
		{nil, "<nil>"},
		{true, "true"},
		{1.5, "1.5"},
		{A(int64(1), "x", A()), "[1 x []]"},
		{H(sym("k"), int64(1)), "{k:1}"},
		{new(big.Int).Lsh(big.NewInt(1), 70), "1180591620717411303424"},
		{new(big.Int).Lsh(big.NewInt(1), 5000), "<Integer of 5001 bits>"},
	} {
		assert.Equal(t, c.want, KeyText(c.key), "%#v", c.key)
	}
	long := KeyText(A(strings.Repeat("x", 1000)))
	assert.Equal(t, "["+strings.Repeat("x", MaxKeyText-1)+"...", long)
}

// The Array key of testdata/hostile/array_key.bin is 512 MiB when walked
// in full (fmt.Sprint formatted it so); KeyText and Map stop after
// MaxKeyText bytes of it.
func TestKeyTextOfAHugeKeyIsCheap(t *testing.T) {
	v, err := DecodeLimited(readHostile(t, "array_key"), Limits{MaxNodes: 1 << 40, MaxBytes: 1 << 40})
	require.NoError(t, err, "decoded without limits for the test")
	args, ok := v.(*Hash).Get("args")
	require.True(t, ok)
	h := args.([]any)[0].(*Hash)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	k := KeyText(h.Pairs[0].Key)
	m := h.Map()
	runtime.ReadMemStats(&after)
	assert.Len(t, k, MaxKeyText+3)
	assert.True(t, strings.HasPrefix(k, "[[[BBBB"), k[:16])
	assert.Contains(t, m, k)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated")
}
