package hva_test

import (
	"context"
	"testing"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWaitVolumesAvailable(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.addSpec(hvatest.InstanceSpec{ID: "i-wait0001", MACs: []string{"525400000050"}, LocalVolumes: []int64{1 << 20}})
	x.col.AddVolume(map[string]any{"uuid": "vol-test0000", "state": hva.Symbol("creating"), "instance_id": "i-wait0001", "size": 1 << 20})
	require.NoError(t, x.h.WaitVolumesAvailable(ctx, "i-wait0001"))
	assert.Equal(t, "initializing", x.col.State("i-wait0001"), "waits while a volume is not available")
	require.NoError(t, x.col.UpdateVolume(ctx, "vol-test0000", map[string]any{"state": hva.Symbol("available")}))
	require.NoError(t, x.h.WaitVolumesAvailable(ctx, "i-wait0001"))
	assert.Equal(t, "running", x.col.State("i-wait0001"), "boots once all volumes are available")
}

func TestAttachDetachVolume(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	const id = "i-att00001"
	x.launched(t, id, "525400000060")
	x.col.AddVolume(map[string]any{"uuid": "vol-data0001", "state": hva.Symbol("available"), "size": int64(8 << 20), "volume_type": "Dcmgr::Models::LocalVolume"})
	require.NoError(t, x.h.Attach(ctx, id, "vol-data0001"))
	vm, err := x.hv.VM(ctx, id)
	require.NoError(t, err)
	assert.Contains(t, vm.Disks, x.path(t, id, "vol-data0001.vmdk"))
	assert.Equal(t, "attached", x.col.VolumeState("vol-data0001"))
	assert.Equal(t, []string{"hva/volume_attached(" + id + ", vol-data0001)"}, x.ev.Strings())

	require.ErrorIs(t, x.h.Attach(ctx, id, "vol-data0001"), hva.ErrInvalidState, "attached is not available")

	x.ev.Reset()
	require.NoError(t, x.h.Detach(ctx, id, "vol-data0001"))
	vm, err = x.hv.VM(ctx, id)
	require.NoError(t, err)
	assert.NotContains(t, vm.Disks, x.path(t, id, "vol-data0001.vmdk"))
	assert.Equal(t, "available", x.col.VolumeState("vol-data0001"))
	assert.Equal(t, []string{"hva/volume_detached(" + id + ", vol-data0001)"}, x.ev.Strings())

	require.NoError(t, x.h.DeleteVolume(ctx, id, "vol-data0001"))
	assert.False(t, x.exists(t, id, "vol-data0001.vmdk"))
	assert.Equal(t, "deleted", x.col.VolumeState("vol-data0001"))
}

func TestAttachFailureRestoresAvailable(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-attf0001", "525400000061")
	x.col.AddVolume(map[string]any{"uuid": "vol-bad00001", "state": hva.Symbol("available"), "size": int64(1 << 20)})
	x.env.FailMethod("ReconfigVM_Task", 1, nil)
	require.Error(t, x.h.Attach(ctx, "i-attf0001", "vol-bad00001"))
	assert.Equal(t, "available", x.col.VolumeState("vol-bad00001"))
	assert.Contains(t, x.ev.Strings(), "hva/volume_available(vol-bad00001)")
}

func TestAttachDetachNIC(t *testing.T) { testAttachDetachNIC(t, newHarness(t)) }

func testAttachDetachNIC(t *testing.T, x *harness) {
	ctx := context.Background()
	const id = "i-nic00001"
	x.launched(t, id, "525400000070")
	x.col.AddNIC(map[string]any{"uuid": "vif-new00001", "mac_addr": "525400000071", "instance_uuid": id})
	require.NoError(t, x.h.Dispatch(ctx, "hva-handle.hva.test", "attach_nic", []any{"dcn-public", "vif-new00001"}))
	vm, err := x.hv.VM(ctx, id)
	require.NoError(t, err)
	require.Len(t, vm.NICs, 2)
	assert.Equal(t, "52:54:00:00:00:71", vm.NICs[1].MAC)
	assert.Equal(t, []string{"hva.test/vnic_created(vif-new00001)"}, x.ev.Strings())

	require.NoError(t, x.h.DetachNIC(ctx, "vif-new00001"))
	vm, err = x.hv.VM(ctx, id)
	require.NoError(t, err)
	require.Len(t, vm.NICs, 1)
	assert.Equal(t, "52:54:00:00:00:70", vm.NICs[0].MAC)
}
