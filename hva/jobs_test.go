package hva_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

func TestRunLocalStoreAndPowerVerbs(t *testing.T) { testRunLocalStoreAndPowerVerbs(t, newHarness(t)) }

func testRunLocalStoreAndPowerVerbs(t *testing.T, x *harness) {
	ctx := context.Background()
	const id = "i-life0001"
	x.addInstance(id, "initializing", "525400000001", "525400000002")

	require.NoError(t, x.h.RunLocalStore(ctx, id))
	assert.Equal(t, "running", x.col.State(id))
	vm, err := x.hv.VM(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, esxi.PoweredOn, vm.PowerState)
	require.Len(t, vm.NICs, 2)
	assert.Equal(t, "52:54:00:00:00:01", vm.NICs[0].MAC)
	assert.Equal(t, "52:54:00:00:00:02", vm.NICs[1].MAC)
	assert.Equal(t, "manual", vm.NICs[0].AddressType)
	assert.Equal(t, []esxi.DatastorePath{x.path(t, id, id+".vmdk")}, vm.Disks)
	require.NotNil(t, vm.CDROM)
	assert.Equal(t, x.path(t, id, "metadata.iso"), *vm.CDROM)
	for _, f := range []string{id + ".vmdk", id + "-flat.vmdk", "metadata.iso"} {
		assert.True(t, x.exists(t, id, f), "%s in the instance folder", f)
	}
	assert.Equal(t, []map[string]any{{"state": hva.Symbol("running")}}, x.col.Updates("update_instance", id))
	assert.Equal(t, []string{
		"hva/instance_started(" + id + ")",
		"hva.test/vnic_created(vif-test0000)", "sg-test0/vnic_joined(vif-test0000)",
		"hva.test/vnic_created(vif-test0001)", "sg-test1/vnic_joined(vif-test0001)",
	}, x.ev.Strings())

	// reboot: without VMware Tools a reset; the state stays.
	x.env.ResetCalls()
	x.ev.Reset()
	require.NoError(t, x.h.Reboot(ctx, id))
	assert.Equal(t, 1, x.env.Calls("ResetVM_Task"))
	assert.Equal(t, esxi.PoweredOn, x.powerState(t, id))
	assert.Equal(t, "running", x.col.State(id))
	assert.Empty(t, x.ev.Strings())

	// poweroff really powers off.
	require.NoError(t, x.h.PowerOff(ctx, id))
	assert.Equal(t, esxi.PoweredOff, x.powerState(t, id))
	assert.Equal(t, "halted", x.col.State(id))
	assert.Equal(t, []string{"hva/instance_turnedoff(" + id + ")", "hva.test/vnic_destroyed(vif-test0000)", "sg-test0/vnic_left(vif-test0000)",
		"hva.test/vnic_destroyed(vif-test0001)", "sg-test1/vnic_left(vif-test0001)"}, x.ev.Strings())

	// poweron goes through starting to running.
	x.ev.Reset()
	x.col.ResetCalls()
	require.NoError(t, x.h.PowerOn(ctx, id))
	assert.Equal(t, esxi.PoweredOn, x.powerState(t, id))
	assert.Equal(t, []map[string]any{{"state": hva.Symbol("starting")}, {"state": hva.Symbol("running")}}, x.col.Updates("update_instance", id))
	assert.Equal(t, "hva/instance_turnedon("+id+")", x.ev.Strings()[0])

	// soft_poweroff: the guest (tools off) is powered off and reported halted.
	require.NoError(t, x.h.SoftPowerOff(ctx, id))
	assert.Equal(t, esxi.PoweredOff, x.powerState(t, id))
	assert.Equal(t, "halted", x.col.State(id))

	// terminate of a powered-off VM destroys it (the Ruby driver cannot).
	x.ev.Reset()
	x.col.ResetCalls()
	require.NoError(t, x.h.Terminate(ctx, id, false))
	_, err = x.hv.VM(ctx, id)
	require.ErrorIs(t, err, esxi.ErrNotFound)
	assert.False(t, x.exists(t, id), "the instance folder is gone")
	assert.Empty(t, x.instanceFiles())
	assert.Equal(t, "terminated", x.col.State(id))
	assert.Equal(t, []string{"get_instance", "update_instance", "finalize_instance"}, x.col.Methods())
	assert.Equal(t, []string{"hva.test/vnic_destroyed(vif-test0000)", "sg-test0/vnic_left(vif-test0000)",
		"hva.test/vnic_destroyed(vif-test0001)", "sg-test1/vnic_left(vif-test0001)",
		"hva/instance_terminated(" + id + ")", "hva.test/instance_terminated(" + id + ")"}, x.ev.Strings())
	assert.Len(t, x.env.Files(), 3, "only the cached image pair and its marker remain")
}

func TestRebootWithToolsIsAGuestReboot(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-tools001", "525400000003")
	require.NoError(t, x.env.SetToolsRunning(ctx, "i-tools001", true))
	x.env.ResetCalls()
	require.NoError(t, x.h.Reboot(ctx, "i-tools001"))
	assert.Equal(t, 1, x.env.Calls("RebootGuest"))
	assert.Equal(t, 0, x.env.Calls("ResetVM_Task"))
}

func TestTerminateIsIdempotentAndForce(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	// A running instance whose VM is already gone terminates cleanly.
	x.addInstance("i-gone0001", "running", "525400000004")
	require.NoError(t, x.h.Terminate(ctx, "i-gone0001", false))
	assert.Equal(t, "terminated", x.col.State("i-gone0001"))

	// force accepts any state.
	x.addInstance("i-forc0001", "initializing", "525400000005")
	require.ErrorIs(t, x.h.Terminate(ctx, "i-forc0001", false), hva.ErrInvalidState)
	require.NoError(t, x.h.Terminate(ctx, "i-forc0001", true))
	assert.Equal(t, "terminated", x.col.State("i-forc0001"))
}

func TestStopAndCleanup(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-stop0001", "525400000006")
	require.NoError(t, x.h.Stop(ctx, "i-stop0001"))
	assert.Equal(t, "stopped", x.col.State("i-stop0001"))
	assert.Nil(t, x.col.Instance("i-stop0001")["host_node_id"])
	assert.Empty(t, x.instanceFiles())
	assert.Contains(t, x.ev.Strings(), "hva/instance_terminated(i-stop0001)")

	x.launched(t, "i-clean001", "525400000007")
	require.NoError(t, x.h.Cleanup(ctx, "i-clean001"))
	assert.Empty(t, x.instanceFiles())
	assert.Equal(t, "running", x.col.State("i-clean001"), "cleanup changes no instance state")
	assert.Equal(t, []string{"hva/instance_terminated(i-clean001)", "hva.test/instance_terminated(i-clean001)"}, x.ev.Strings())
}

// Each job from a state it refuses: ErrInvalidState naming state and job,
// and nothing changes.
func TestJobsRefuseWrongStates(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-keep0001", "525400000010") // a VM that must stay as is
	before := x.env.Files()
	for _, tc := range []struct {
		job, state string
		run        func(id string) error
	}{
		{"run_local_store", "running", func(id string) error { return x.h.RunLocalStore(ctx, id) }},
		{"run_local_store", "halted", func(id string) error { return x.h.RunLocalStore(ctx, id) }},
		{"run_local_store", "running", func(id string) error { return x.h.LocalStoreRun(ctx, id) }},
		{"run_vol_store", "running", func(id string) error { return x.h.RunVolStore(ctx, id) }},
		{"terminate", "initializing", func(id string) error { return x.h.Terminate(ctx, id, false) }},
		{"terminate", "terminated", func(id string) error { return x.h.Terminate(ctx, id, false) }},
		{"cleanup", "terminated", func(id string) error { return x.h.Cleanup(ctx, id) }},
		{"stop", "halted", func(id string) error { return x.h.Stop(ctx, id) }},
		{"reboot", "halted", func(id string) error { return x.h.Reboot(ctx, id) }},
		{"poweroff", "halted", func(id string) error { return x.h.PowerOff(ctx, id) }},
		{"soft_poweroff", "stopped", func(id string) error { return x.h.SoftPowerOff(ctx, id) }},
		{"poweron", "running", func(id string) error { return x.h.PowerOn(ctx, id) }},
	} {
		t.Run(tc.job+"/"+tc.state, func(t *testing.T) {
			id := fmt.Sprintf("i-st%s", tc.state[:4])
			x.addInstance(id, tc.state, "525400000011")
			x.col.ResetCalls()
			x.ev.Reset()
			err := tc.run(id)
			require.ErrorIs(t, err, hva.ErrInvalidState)
			var se *hva.StateError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.state, se.State)
			assert.Contains(t, err.Error(), tc.job)
			assert.Contains(t, err.Error(), tc.state)
			assert.Equal(t, []string{"get_instance"}, x.col.Methods(), "only the instance was read")
			assert.Empty(t, x.ev.Strings())
			assert.Equal(t, tc.state, x.col.State(id))
			assert.Equal(t, before, x.env.Files())
			names, err := x.env.VMNames(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"i-keep0001"}, names)
		})
	}
}

// A fault at each step of run_local_store leaves no VM and no folder,
// and finalizes the instance.
func TestRunLocalStoreFaultsRollBack(t *testing.T) {
	for _, tc := range []struct {
		step   string
		inject func(x *harness)
		md5    string
		target error
	}{
		{step: "image fetch", inject: func(x *harness) { x.img.FailNext(10, 404) }},
		{step: "md5", md5: "00000000000000000000000000000000"},
		{step: "upload", inject: func(x *harness) { x.env.CutUploads(64<<10, 100) }}, // every retry is cut too
		{step: "metadata CD upload", inject: func(x *harness) {}},                    // set up below: the image is cached, so the next upload is the CD
		{step: "CreateVM", inject: func(x *harness) { x.env.FailMethod("CreateVM_Task", 1, nil) }},
		{step: "power on", inject: func(x *harness) { x.env.FailMethod("PowerOnVM_Task", 1, nil) }},
		{step: "update_instance", inject: func(x *harness) { x.col.Fail("update_instance", 1, errors.New("collector down")) }},
	} {
		t.Run(tc.step, func(t *testing.T) {
			x := newHarness(t)
			ctx := context.Background()
			if tc.inject != nil {
				if tc.step == "metadata CD upload" {
					x.addInstance("i-warm0001", "initializing", "525400000020")
					require.NoError(t, x.h.RunLocalStore(ctx, "i-warm0001"))
					x.env.CutUploads(1024, 1)
				} else {
					tc.inject(x)
				}
			}
			const id = "i-fail0001"
			spec := hvatest.InstanceSpec{ID: id, MACs: []string{"525400000021"}, NodeID: nodeID}
			spec.ImageURI, spec.ImageMD5, spec.ImageSize = x.img.FlatURL(), x.img.MD5(), x.img.Size()
			if tc.md5 != "" {
				spec.ImageMD5 = tc.md5
			}
			x.col.AddInstance(hvatest.NewInstance(spec))
			x.ev.Reset()
			err := x.h.RunLocalStore(ctx, id)
			require.Error(t, err)
			_, verr := x.hv.VM(ctx, id)
			assert.ErrorIs(t, verr, esxi.ErrNotFound, "no VM left")
			assert.False(t, x.exists(t, id), "no instance folder left")
			assert.Equal(t, "terminated", x.col.State(id))
			assert.Contains(t, x.col.Methods(), "finalize_instance")
			assert.Contains(t, x.ev.Strings(), "hva/instance_terminated("+id+")")
			assert.Contains(t, x.ev.Strings(), "hva.test/instance_terminated("+id+")")
			for _, f := range x.env.Files() {
				assert.NotContains(t, f, ".tmp", "no temporary left on the datastore")
			}
		})
	}
}

func TestRunVolStoreIsUnsupportedAndRollsBack(t *testing.T) {
	x := newHarness(t)
	x.addInstance("i-vol00001", "pending", "525400000030")
	err := x.h.RunVolStore(context.Background(), "i-vol00001")
	require.ErrorIs(t, err, hva.ErrUnsupported)
	assert.Equal(t, "terminated", x.col.State("i-vol00001"))
	assert.Contains(t, x.ev.Strings(), "hva/instance_terminated(i-vol00001)")
}

func TestLocalStoreRunDeploysVolumesThenBoots(t *testing.T) {
	testLocalStoreRunDeploysVolumesThenBoots(t, newHarness(t))
}

func testLocalStoreRunDeploysVolumesThenBoots(t *testing.T, x *harness) {
	ctx := context.Background()
	const id = "i-local001"
	x.addSpec(hvatest.InstanceSpec{ID: id, State: "pending", MACs: []string{"525400000040"}, LocalVolumes: []int64{1 << 20}})
	require.NoError(t, x.h.LocalStoreRun(ctx, id))
	assert.Equal(t, "running", x.col.State(id))
	assert.Equal(t, "attached", x.col.VolumeState("vol-test0000"))
	var states []string
	for _, u := range x.col.Updates("update_volume", "vol-test0000") {
		states = append(states, fmt.Sprint(u["state"]))
	}
	assert.Equal(t, []string{"available", "attaching", "attached"}, states)
	assert.Equal(t, []map[string]any{{"state": hva.Symbol("initializing")}, {"state": hva.Symbol("running")}}, x.col.Updates("update_instance", id))
	assert.Equal(t, esxi.PoweredOn, x.powerState(t, id))

	// A redelivered job finds the VM running and does nothing.
	x.col.ResetCalls()
	require.NoError(t, x.h.RunLocalStore(ctx, id))
	require.NoError(t, x.h.LocalStoreRun(ctx, id))
	assert.Equal(t, []string{"get_instance", "get_instance"}, x.col.Methods())
	names, err := x.env.VMNames(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{id}, names)

	// terminate deletes the local volume.
	require.NoError(t, x.h.Terminate(ctx, id, false))
	assert.Equal(t, "deleted", x.col.VolumeState("vol-test0000"))
}

func TestDispatch(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-disp0001", "5254000000a0")
	require.NoError(t, x.h.Dispatch(ctx, "job.hva-handle.hva.test", "poweroff", []any{"i-disp0001"}))
	assert.Equal(t, "halted", x.col.State("i-disp0001"))
	require.ErrorIs(t, x.h.Dispatch(ctx, "hva-handle", "fly", []any{"i-disp0001"}), hva.ErrUnknownJob)
	require.ErrorIs(t, x.h.Dispatch(ctx, "sta-handle", "poweron", []any{"i-disp0001"}), hva.ErrUnknownJob)
	require.ErrorIs(t, x.h.Dispatch(ctx, "hva-handle", "poweron", nil), hva.ErrBadArgs)
	require.ErrorIs(t, x.h.Dispatch(ctx, "hva-handle", "attach", []any{"i-disp0001"}), hva.ErrBadArgs)
	require.ErrorIs(t, x.h.Dispatch(ctx, "hva-handle", "poweron", []any{42}), hva.ErrBadArgs)
	require.ErrorIs(t, x.h.Dispatch(ctx, "hva-handle", "poweron", []any{"../etc"}), hva.ErrBadArgs)
	// Wakame passes a whole hash where an id is expected: its uuid is used.
	require.NoError(t, x.h.Dispatch(ctx, "hva-handle", "poweron", []any{map[string]any{"uuid": "i-disp0001"}}))
	assert.Equal(t, "running", x.col.State("i-disp0001"))
	assert.Contains(t, hva.Jobs(hva.EndpointHVA), "soft_poweroff")
	assert.Equal(t, []string{"backup_image", "backup_volume", "delete_volume", "run_local_store"}, hva.Jobs(hva.EndpointLocalStore))
}

func TestCheckInstances(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-mona0001", "5254000000b0")
	x.launched(t, "i-monb0001", "5254000000b1")
	require.NoError(t, x.hv.PowerOff(ctx, "i-monb0001")) // behind Wakame's back
	faulty, err := x.h.CheckInstances(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"i-monb0001"}, faulty)
	assert.Equal(t, []string{"hva/fault_instance(i-monb0001)"}, x.ev.Strings())
	assert.Equal(t, "offline", fmt.Sprint(x.col.Instance("i-monb0001")["status"]))
	assert.Equal(t, "online", fmt.Sprint(x.col.Instance("i-mona0001")["status"]))
}

func TestCreateVMFaultKindIsKept(t *testing.T) {
	x := newHarness(t)
	x.addInstance("i-kind0001", "initializing", "5254000000c0")
	x.env.FailMethod("CreateVM_Task", 1, &types.InvalidArgument{})
	err := x.h.RunLocalStore(context.Background(), "i-kind0001")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "i-kind0001")
}

// The states the API sets before it submits a job are accepted too.
func TestJobsFromEveryAcceptedState(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	for _, tc := range []struct {
		job, from, to string
		powerOff      bool // power the VM off first
		run           func(id string) error
		power         esxi.PowerState // "" = no VM
	}{
		{"poweroff", "halting", "halted", false, func(id string) error { return x.h.PowerOff(ctx, id) }, esxi.PoweredOff},
		{"soft_poweroff", "halting", "halted", false, func(id string) error { return x.h.SoftPowerOff(ctx, id) }, esxi.PoweredOff},
		{"poweron", "starting", "running", true, func(id string) error { return x.h.PowerOn(ctx, id) }, esxi.PoweredOn},
		{"poweron", "halted", "running", true, func(id string) error { return x.h.PowerOn(ctx, id) }, esxi.PoweredOn},
		{"terminate", "halted", "terminated", true, func(id string) error { return x.h.Terminate(ctx, id, false) }, ""},
		{"terminate", "running", "terminated", false, func(id string) error { return x.h.Terminate(ctx, id, false) }, ""},
		{"cleanup", "halted", "halted", true, func(id string) error { return x.h.Cleanup(ctx, id) }, ""},
		{"stop", "running", "stopped", false, func(id string) error { return x.h.Stop(ctx, id) }, ""},
		{"reboot", "running", "running", false, func(id string) error { return x.h.Reboot(ctx, id) }, esxi.PoweredOn},
	} {
		t.Run(tc.job+"/"+tc.from, func(t *testing.T) {
			id := fmt.Sprintf("i-%.4s%.4s", tc.job, tc.from)
			x.launched(t, id, "5254000000e0")
			if tc.powerOff {
				require.NoError(t, x.hv.PowerOff(ctx, id))
			}
			require.NoError(t, x.col.UpdateInstance(ctx, id, map[string]any{"state": hva.Symbol(tc.from)}))
			require.NoError(t, tc.run(id))
			assert.Equal(t, tc.to, x.col.State(id))
			st, err := x.hv.PowerState(ctx, id)
			if tc.power == "" {
				require.ErrorIs(t, err, esxi.ErrNotFound)
				assert.False(t, x.exists(t, id))
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.power, st)
				require.NoError(t, x.h.Terminate(ctx, id, true))
			}
		})
	}
}
