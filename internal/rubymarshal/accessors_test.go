package rubymarshal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashTypedAccessors(t *testing.T) {
	v, err := Decode(readGolden(t, "instance"))
	require.NoError(t, err)
	inst := v.(*Hash)

	s, ok := inst.GetString("uuid")
	assert.True(t, ok)
	assert.Equal(t, "i-demo0001", s)
	_, ok = inst.GetString("state")
	assert.False(t, ok, "a Symbol is not a String")

	st, ok := inst.GetSymbol("state")
	assert.True(t, ok)
	assert.Equal(t, Symbol("running"), st)
	_, ok = inst.GetSymbol("uuid")
	assert.False(t, ok)

	name, ok := inst.GetName("state")
	assert.True(t, ok)
	assert.Equal(t, "running", name)
	name, ok = inst.GetName("hostname")
	assert.True(t, ok)
	assert.Equal(t, "demo0001", name)

	n, ok := inst.GetInt("memory_size")
	assert.True(t, ok)
	assert.Equal(t, int64(2048), n)
	_, ok = inst.GetInt("quota_weight")
	assert.False(t, ok, "a Float is not an Integer")

	img, ok := inst.GetHash("image")
	require.True(t, ok)
	pub, ok := img.GetBool("is_public")
	assert.True(t, ok)
	assert.True(t, pub)
	bo, ok := img.GetHash("backup_object")
	require.True(t, ok)
	sum, ok := bo.GetString("checksum")
	assert.True(t, ok, "US-ASCII strings count")
	assert.Equal(t, "9a0364b9e99bb480dd25e1f0284c8555", sum)
	size, ok := bo.GetInt("size")
	assert.True(t, ok)
	assert.Equal(t, int64(10<<30), size)

	vifs, ok := inst.GetArray("vif")
	assert.True(t, ok)
	assert.Len(t, vifs, 2)
	_, ok = inst.GetHash("ssh_key_data")
	assert.False(t, ok, "nil is not a Hash")

	created, ok := inst.GetTime("created_at")
	assert.True(t, ok)
	assert.True(t, created.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)))
	_, ok = inst.GetTime("terminated_at")
	assert.False(t, ok)

	big := H(sym("b"), bigInt("18446744073709551616"), sym("f"), bigInt("5"), sym("bin"), Binary("x"))
	_, ok = big.GetInt("b")
	assert.False(t, ok, "beyond int64")
	n, ok = big.GetInt("f")
	assert.True(t, ok)
	assert.Equal(t, int64(5), n)
	s, ok = big.GetString("bin")
	assert.True(t, ok)
	assert.Equal(t, "x", s)
	_, ok = (*Hash)(nil).GetString("x")
	assert.False(t, ok)
}
