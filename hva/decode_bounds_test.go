package hva_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

// Sizes out of range are refused with an error naming the field; none is
// truncated (2^32+1 vCPUs once became a 1-CPU VM through int32).
func TestDecodeRefusesOutOfRangeSizes(t *testing.T) {
	for i, tc := range []struct {
		field string
		value any
		want  string
	}{
		{"cpu_cores", int64(1<<32 + 1), "cpu_cores: 4294967297 vCPUs is out of range (1 to 768)"},
		{"cpu_cores", int64(hva.MaxCPUCores + 1), "cpu_cores: 769 vCPUs is out of range"},
		{"cpu_cores", int64(0), "cpu_cores: 0 vCPUs is out of range"},
		{"cpu_cores", int64(-1), "cpu_cores: -1 vCPUs is out of range"},
		{"memory_size", int64(hva.MaxMemoryMB + 1), "memory_size: 25165825 MB is out of range (1 to 25165824)"},
		{"memory_size", int64(0), "memory_size: 0 MB is out of range"},
		{"memory_size", int64(1 << 40), "memory_size: 1099511627776 MB is out of range"},
		{"user_data", strings.Repeat("x", hva.MaxUserData+1), "user_data: 67108865 bytes, more than the 67108864 (64 MiB)"},
	} {
		t.Run(fmt.Sprintf("%d_%s", i, tc.field), func(t *testing.T) {
			m := hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-size0001"})
			m[tc.field] = tc.value
			_, err := hva.DecodeInstance(m)
			require.ErrorIs(t, err, hva.ErrBadInstance)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	m := hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-size0001", CPUCores: hva.MaxCPUCores, MemoryMB: hva.MaxMemoryMB,
		UserData: strings.Repeat("x", hva.MaxUserData)})
	inst, err := hva.DecodeInstance(m)
	require.NoError(t, err, "the bounds themselves are accepted")
	assert.Equal(t, hva.MaxCPUCores, inst.CPUCores)
	assert.Equal(t, hva.MaxMemoryMB, inst.MemorySize)
}

// A launch asking for 2^32+1 vCPUs fails before anything is created.
func TestLaunchRefusesHugeCPUCount(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	m := hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-huge0001", ImageURI: x.img.FlatURL(), ImageMD5: x.img.MD5(),
		ImageSize: x.img.Size(), NodeID: nodeID, MACs: []string{"525400000093"}})
	m["cpu_cores"] = int64(1<<32 + 1)
	x.col.AddInstance(m)
	err := x.h.RunLocalStore(ctx, "i-huge0001")
	require.ErrorIs(t, err, hva.ErrBadInstance)
	assert.Contains(t, err.Error(), "cpu_cores")
	assert.Empty(t, x.instanceFiles(), "no VM, no folder")
}
