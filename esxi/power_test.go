package esxi_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func newRunningVM(t *testing.T, env *esxitest.Env, c *esxi.Client, name string) {
	t.Helper()
	_, err := c.CreateVM(ctxT(t), esxi.VMSpec{Name: name, CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "52:54:00:00:00:01"}}})
	require.NoError(t, err)
	require.NoError(t, c.PowerOn(ctxT(t), name))
}

func TestPowerVerbs(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	newRunningVM(t, env, c, "i-pw")

	assert.ErrorIs(t, c.PowerOn(ctx, "i-pw"), esxi.ErrInvalidPowerState, "already on")
	require.NoError(t, c.Reset(ctx, "i-pw"))
	require.NoError(t, c.PowerOff(ctx, "i-pw"))
	st, err := c.PowerState(ctx, "i-pw")
	require.NoError(t, err)
	assert.Equal(t, esxi.PoweredOff, st)
	err = c.PowerOff(ctx, "i-pw")
	assert.ErrorIs(t, err, esxi.ErrInvalidPowerState)
	assert.ErrorContains(t, err, "power off i-pw")
	assert.ErrorIs(t, c.Reset(ctx, "i-pw"), esxi.ErrInvalidPowerState, "reset while off")

	assert.ErrorIs(t, c.PowerOn(ctx, "i-missing"), esxi.ErrNotFound)
	_, err = c.PowerState(ctx, "i-missing")
	assert.ErrorIs(t, err, esxi.ErrNotFound)

	// Destroy powers a running VM off first.
	require.NoError(t, c.PowerOn(ctx, "i-pw"))
	require.NoError(t, c.DestroyVM(ctx, "i-pw"))
	assert.Empty(t, env.Files())
}

func TestRebootWithAndWithoutTools(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	newRunningVM(t, env, c, "i-rb")

	env.ResetCalls()
	require.NoError(t, c.Reboot(ctx, "i-rb"))
	assert.Equal(t, 0, env.Calls("RebootGuest"), "no tools: no guest reboot")
	assert.Equal(t, 1, env.Calls("ResetVM_Task"), "no tools: reset")

	require.NoError(t, env.SetToolsRunning(ctx, "i-rb", true))
	env.ResetCalls()
	require.NoError(t, c.Reboot(ctx, "i-rb"))
	assert.Equal(t, 1, env.Calls("RebootGuest"))
	assert.Equal(t, 0, env.Calls("ResetVM_Task"))
	st, err := c.PowerState(ctx, "i-rb")
	require.NoError(t, err)
	assert.Equal(t, esxi.PoweredOn, st)
}

func TestSoftPowerOff(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)

	t.Run("guest obeys", func(t *testing.T) {
		newRunningVM(t, env, c, "i-soft")
		env.ResetCalls()
		forced, err := c.SoftPowerOff(ctx, "i-soft", 5*time.Second)
		require.NoError(t, err)
		assert.False(t, forced)
		assert.Equal(t, 1, env.Calls("ShutdownGuest"))
		assert.Equal(t, 0, env.Calls("PowerOffVM_Task"))
		st, _ := c.PowerState(ctx, "i-soft")
		assert.Equal(t, esxi.PoweredOff, st)
		_, err = c.SoftPowerOff(ctx, "i-soft", time.Second)
		assert.ErrorIs(t, err, esxi.ErrInvalidPowerState)
	})
	t.Run("guest hangs: falls back to power off", func(t *testing.T) {
		newRunningVM(t, env, c, "i-hang")
		env.IgnoreShutdown(true)
		defer env.IgnoreShutdown(false)
		env.ResetCalls()
		start := time.Now()
		forced, err := c.SoftPowerOff(ctx, "i-hang", 300*time.Millisecond)
		require.NoError(t, err)
		assert.True(t, forced)
		assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "waited for the guest first")
		assert.Equal(t, 1, env.Calls("ShutdownGuest"))
		assert.Equal(t, 1, env.Calls("PowerOffVM_Task"))
		st, _ := c.PowerState(ctx, "i-hang")
		assert.Equal(t, esxi.PoweredOff, st)
	})
}
