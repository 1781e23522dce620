package registry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func copySpecFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/instance_spec.yml")
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "instance_spec.yml")
	require.NoError(t, os.WriteFile(p, b, 0o640))
	return p
}

func names(specs []NamedSpec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

func TestAddSpecKeepsOtherEntries(t *testing.T) {
	p := copySpecFixture(t)
	esxi := InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}

	changed, err := AddSpec(p, "esxi.small", esxi)
	require.NoError(t, err)
	assert.True(t, changed)
	specs, err := ReadSpecs(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"vz.small", "kvm.small", "lxc.large", "esxi.small"}, names(specs))
	assert.Equal(t, InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi", QuotaWeight: 1.0}, specs[3].InstanceSpec)
	assert.Equal(t, InstanceSpec{CPUCores: 2, MemorySize: 256, Hypervisor: "lxc", QuotaWeight: 2.0}, specs[2].InstanceSpec)

	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	text := string(raw)
	assert.Contains(t, text, "# Instance specs offered by the web frontend.")
	assert.Contains(t, text, "# the default")
	assert.Contains(t, text, "esxi.small:\n  cpu_cores: 1\n  memory_size: 256\n  hypervisor: 'esxi'\n  quota_weight: 1.0\n")
	fi, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "permissions kept")

	t.Run("same again changes nothing", func(t *testing.T) {
		changed, err := AddSpec(p, "esxi.small", esxi)
		require.NoError(t, err)
		assert.False(t, changed)
		again, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, raw, again)
	})
	t.Run("update in place", func(t *testing.T) {
		changed, err := AddSpec(p, "kvm.small", InstanceSpec{CPUCores: 4, MemorySize: 1024, Hypervisor: "kvm", QuotaWeight: 2.5})
		require.NoError(t, err)
		assert.True(t, changed)
		specs, err := ReadSpecs(p)
		require.NoError(t, err)
		assert.Equal(t, []string{"vz.small", "kvm.small", "lxc.large", "esxi.small"}, names(specs))
		assert.Equal(t, InstanceSpec{CPUCores: 4, MemorySize: 1024, Hypervisor: "kvm", QuotaWeight: 2.5}, specs[1].InstanceSpec)
		assert.Equal(t, 256, specs[0].MemorySize)
		raw, _ := os.ReadFile(p)
		assert.Contains(t, string(raw), "# the default", "a value's comment survives its update")
	})
	t.Run("remove", func(t *testing.T) {
		changed, err := RemoveSpec(p, "vz.small")
		require.NoError(t, err)
		assert.True(t, changed)
		changed, err = RemoveSpec(p, "vz.small")
		require.NoError(t, err)
		assert.False(t, changed)
		specs, err := ReadSpecs(p)
		require.NoError(t, err)
		assert.Equal(t, []string{"kvm.small", "lxc.large", "esxi.small"}, names(specs))
	})
}

func TestAddSpecNewFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "instance_spec.yml")
	changed, err := RemoveSpec(p, "x")
	require.NoError(t, err)
	assert.False(t, changed)
	_, err = os.Stat(p)
	assert.ErrorIs(t, err, os.ErrNotExist, "removing from a missing file creates nothing")

	changed, err = AddSpec(p, "esxi.small", InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"})
	require.NoError(t, err)
	assert.True(t, changed)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "esxi.small:\n  cpu_cores: 1\n  memory_size: 256\n  hypervisor: 'esxi'\n  quota_weight: 1.0\n", string(raw))

	specs, err := ReadSpecs(filepath.Join(t.TempDir(), "missing.yml"))
	require.NoError(t, err)
	assert.Empty(t, specs)
}

func TestSpecsRefuse(t *testing.T) {
	good := InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}
	tests := []struct {
		name string
		data string
		spec string
		in   InstanceSpec
		msg  string
	}{
		{"bad hypervisor", "", "x", InstanceSpec{CPUCores: 1, MemorySize: 1, Hypervisor: "vmware"}, "hypervisor"},
		{"zero cpu", "", "x", InstanceSpec{MemorySize: 1, Hypervisor: "esxi"}, "cpu cores"},
		{"zero memory", "", "x", InstanceSpec{CPUCores: 1, Hypervisor: "esxi"}, "memory size"},
		{"negative weight", "", "x", InstanceSpec{CPUCores: 1, MemorySize: 1, Hypervisor: "esxi", QuotaWeight: -1}, "quota weight"},
		{"empty name", "", "", good, "spec name"},
		{"name with colon", "", "a: b", good, "spec name"},
		{"not yaml", "a: [", "x", good, "not YAML"},
		{"a list", "- a\n- b\n", "x", good, "top level"},
		{"duplicate", "a: {}\na: {}\n", "x", good, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := EditSpecs([]byte(tt.data), tt.spec, &tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	_, err := ParseSpecs([]byte("a: 3\n"))
	assert.ErrorContains(t, err, "not a mapping")
	_, err = ParseSpecs([]byte("a:\n  cpu_cores: many\n"))
	assert.ErrorContains(t, err, `"a"`)
}
