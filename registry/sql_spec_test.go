package registry

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

func smallSpec() SpecSpec {
	return SpecSpec{Name: "esxi.small", UUID: "is-esxismall",
		InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}}
}

func TestSQLRegisterSpec(t *testing.T) {
	ctx := context.Background()
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		db := newTestDB(t, sch)
		if sch.version != 2 {
			_, err := NewSQL(db).RegisterSpec(ctx, smallSpec())
			require.ErrorIs(t, err, ErrUnsupported, "no instance_specs table and no spec file")
			assert.Contains(t, err.Error(), "instance_spec.yml")
			assert.Contains(t, err.Error(), "schema_info version 23")

			file := filepath.Join(t.TempDir(), "instance_spec.yml")
			s := NewSQL(db, WithSpecFile(file))
			reg, err := s.RegisterSpec(ctx, smallSpec())
			require.NoError(t, err)
			assert.Equal(t, SpecRegistration{ID: "esxi.small", File: file, Created: true}, reg)
			specs, err := ReadSpecs(file)
			require.NoError(t, err)
			assert.Equal(t, []NamedSpec{{Name: "esxi.small", InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi", QuotaWeight: 1}}}, specs)
			again, err := s.RegisterSpec(ctx, smallSpec())
			require.NoError(t, err)
			assert.False(t, again.Created)
			return
		}

		s := NewSQL(db)
		reg, err := s.RegisterSpec(ctx, smallSpec())
		require.NoError(t, err)
		assert.Equal(t, SpecRegistration{ID: "is-esxismall", Created: true}, reg)
		var account, hv, arch, vifs, drives, config string
		var cpu, mem int
		var weight float64
		require.NoError(t, db.QueryRow(`SELECT account_id, hypervisor, arch, cpu_cores, memory_size, quota_weight,
 vifs, drives, config FROM instance_specs WHERE uuid = 'esxismall'`).
			Scan(&account, &hv, &arch, &cpu, &mem, &weight, &vifs, &drives, &config))
		assert.Equal(t, []string{"a-shpoolxx", "esxi", "x86_64"}, []string{account, hv, arch})
		assert.Equal(t, []int{1, 256}, []int{cpu, mem})
		assert.InDelta(t, 1.0, weight, 0)
		assert.Equal(t, specVifsYAML, vifs)
		assert.Equal(t, specDrivesYAML, drives)
		assert.Equal(t, yamlEmptyHash, config)

		t.Run("same spec again is a no-op", func(t *testing.T) {
			again, err := s.RegisterSpec(ctx, smallSpec())
			require.NoError(t, err)
			assert.False(t, again.Created)
			assert.Equal(t, "is-esxismall", again.ID)
			assert.Equal(t, 1, count(t, db, "instance_specs"))
		})
		t.Run("different values name them", func(t *testing.T) {
			spec := smallSpec()
			spec.MemorySize, spec.QuotaWeight = 512, 2
			_, err := s.RegisterSpec(ctx, spec)
			var ce *ConflictError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "is-esxismall", ce.ID)
			assert.Contains(t, err.Error(), `memory size (registered "256", requested "512")`)
			assert.Contains(t, err.Error(), `quota weight (registered "1.0", requested "2.0")`)
		})
		t.Run("without uuid one is generated", func(t *testing.T) {
			spec := smallSpec()
			spec.UUID = ""
			reg, err := s.RegisterSpec(ctx, spec)
			require.NoError(t, err)
			assert.Regexp(t, `^is-[a-z0-9]{8}$`, reg.ID)
			assert.Equal(t, 2, count(t, db, "instance_specs"))
		})
		t.Run("bad input is refused before writing", func(t *testing.T) {
			for _, spec := range []SpecSpec{
				{InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "vmware"}},
				{Arch: "arm", InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}},
				{AccountID: "shpoolxx", InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}},
				{UUID: "wmi-x", InstanceSpec: InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}},
				{InstanceSpec: InstanceSpec{MemorySize: 256, Hypervisor: "esxi"}},
			} {
				_, err := s.RegisterSpec(ctx, spec)
				require.ErrorIs(t, err, ErrInvalid, "%+v", spec)
			}
			assert.Equal(t, 2, count(t, db, "instance_specs"))
		})
	})
}

// TestSpecYAMLIsRubys checks the vifs, drives and config values written to
// 12.03's instance_specs against what Ruby's YAML makes of the hashes
// vdc-manage's addvif and adddrive build.
func TestSpecYAMLIsRubys(t *testing.T) {
	ruby := testenv.RequireCommand(t, "ruby")
	out, err := exec.Command(ruby, "-ryaml", "-e", `print({'eth0'=>{:index=>0,:bandwidth=>100000}}.to_yaml, "\0",
 {'ephemeral1'=>{:index=>0,:type=>:local,:size=>100}}.to_yaml, "\0", {}.to_yaml)`).Output()
	require.NoError(t, err)
	assert.Equal(t, specVifsYAML+"\x00"+specDrivesYAML+"\x00"+yamlEmptyHash, string(out))
}
