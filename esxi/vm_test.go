package esxi_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func TestCreateVMWithNICsDiskAndCD(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	disk := putDisk(t, env, "i-abc123", "i-abc123")
	iso := putFile(t, env, "i-abc123/metadata.iso", []byte("iso"))

	info, err := c.CreateVM(ctx, esxi.VMSpec{
		Name: "i-abc123", CPUs: 2, MemoryMB: 512,
		NICs: []esxi.NICSpec{
			{MAC: "525400123456"},
			{MAC: "52-54-00-ab-cd-ef", Adapter: esxi.VMXNET3},
		},
		Disks: []esxi.DatastorePath{disk},
		CDROM: &iso,
	})
	require.NoError(t, err)
	assert.Equal(t, "i-abc123", info.Name)
	assert.Equal(t, esxi.PoweredOff, info.PowerState)
	assert.Equal(t, 2, info.CPUs)
	assert.EqualValues(t, 512, info.MemoryMB)
	require.Len(t, info.NICs, 2)
	assert.Equal(t, esxi.NICInfo{MAC: "52:54:00:12:34:56", AddressType: "manual", Adapter: esxi.E1000, PortGroup: "VM Network"}, info.NICs[0])
	assert.Equal(t, esxi.NICInfo{MAC: "52:54:00:ab:cd:ef", AddressType: "manual", Adapter: esxi.VMXNET3, PortGroup: "VM Network"}, info.NICs[1])
	assert.Equal(t, []esxi.DatastorePath{disk}, info.Disks)
	require.NotNil(t, info.CDROM)
	assert.Equal(t, iso, *info.CDROM)
	assert.Equal(t, "[datastore1] i-abc123", info.Folder.String())
	assert.FileExists(t, env.LocalPath(esxi.DatastorePath{Path: "i-abc123/i-abc123.vmx"}))

	_, err = c.CreateVM(ctx, esxi.VMSpec{Name: "i-abc123", CPUs: 1, MemoryMB: 64})
	assert.ErrorIs(t, err, esxi.ErrExists)

	require.NoError(t, c.PowerOn(ctx, "i-abc123"))
	st, err := c.PowerState(ctx, "i-abc123")
	require.NoError(t, err)
	assert.Equal(t, esxi.PoweredOn, st)

	require.NoError(t, c.DestroyVM(ctx, "i-abc123"))
	_, err = c.VM(ctx, "i-abc123")
	assert.ErrorIs(t, err, esxi.ErrNotFound)
	assert.Empty(t, env.Files(), "destroy leaves nothing on the datastore")
	// A VM already gone is not an error: terminate is idempotent.
	require.NoError(t, c.DestroyVM(ctx, "i-abc123"))
}

func TestCreateVMFaultLeavesNoFolder(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	env.FailMethod("CreateVM_Task", 1, nil)
	_, err := c.CreateVM(ctx, esxi.VMSpec{Name: "i-fail", CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "52:54:00:00:00:01"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "create vm i-fail")
	assert.Empty(t, env.Files())
	names, err := env.VMNames(ctx)
	require.NoError(t, err)
	assert.Empty(t, names)

	// With an instance folder that already holds the disk, only what
	// CreateVM added goes: the disk stays.
	disk := putDisk(t, env, "i-fail", "i-fail")
	before := env.Files()
	env.FailMethod("PowerOnVM_Task", 0, nil)
	_, err = c.CreateVM(ctx, esxi.VMSpec{Name: "i-fail", CPUs: 1, MemoryMB: 64, Disks: []esxi.DatastorePath{disk}})
	require.NoError(t, err)
	require.NoError(t, c.DestroyVM(ctx, "i-fail"))
	assert.Empty(t, env.Files())
	_ = before
}

func TestCreateVMRefusesBadInput(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	cases := []struct {
		name string
		spec esxi.VMSpec
		want error
	}{
		{"slash in name", esxi.VMSpec{Name: "i-a/b", CPUs: 1, MemoryMB: 64}, esxi.ErrBadName},
		{"dotdot", esxi.VMSpec{Name: "..", CPUs: 1, MemoryMB: 64}, esxi.ErrBadName},
		{"bracket", esxi.VMSpec{Name: "i-[x]", CPUs: 1, MemoryMB: 64}, esxi.ErrBadName},
		{"control", esxi.VMSpec{Name: "i-\x01", CPUs: 1, MemoryMB: 64}, esxi.ErrBadName},
		{"bad mac", esxi.VMSpec{Name: "i-a", CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "zz"}}}, esxi.ErrBadName},
		{"dup mac", esxi.VMSpec{Name: "i-a", CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "52:54:00:00:00:01"}, {MAC: "525400000001"}}}, esxi.ErrBadName},
		{"unknown network", esxi.VMSpec{Name: "i-a", CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "52:54:00:00:00:01", PortGroup: "nope"}}}, esxi.ErrInvalidConfig},
		{"other datastore", esxi.VMSpec{Name: "i-a", CPUs: 1, MemoryMB: 64, Disks: []esxi.DatastorePath{{Datastore: "LocalDS_0", Path: "x/x.vmdk"}}}, esxi.ErrBadName},
		{"bad adapter", esxi.VMSpec{Name: "i-a", CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "52:54:00:00:00:01", Adapter: "rtl8139"}}}, esxi.ErrInvalidConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateVM(ctx, tc.spec)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "got %v", err)
		})
	}
	_, err := c.CreateVM(ctx, esxi.VMSpec{Name: "i-a", CPUs: 0, MemoryMB: 64})
	assert.ErrorContains(t, err, "must be positive")
	assert.Equal(t, 0, env.Calls("CreateVM_Task"), "nothing reached the host")
	assert.Empty(t, env.Files())
}

func TestCreateVMWithBootChild(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	base := putDisk(t, env, ".cache/base", "base")
	putFile(t, env, "i-child1/metadata.iso", []byte("iso"))
	child := esxi.DatastorePath{Datastore: esxitest.Datastore, Path: "i-child1/i-child1.vmdk"}

	info, err := c.CreateVM(ctx, esxi.VMSpec{
		Name: "i-child1", CPUs: 1, MemoryMB: 64,
		BootChild: &esxi.ChildDisk{Path: child, Parent: base},
	})
	require.NoError(t, err)
	assert.Equal(t, []esxi.DatastorePath{child}, info.Disks)
	assert.Equal(t, map[esxi.DatastorePath][]esxi.DatastorePath{child: {base}}, info.Parents)
	assert.FileExists(t, env.LocalPath(child), "the child is made with the VM")

	req := env.LastRequest("CreateVM_Task").(*types.CreateVM_Task)
	var disk *types.VirtualDisk
	for _, ch := range req.Config.DeviceChange {
		if d, ok := ch.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); ok {
			disk = d
			assert.Equal(t, types.VirtualDeviceConfigSpecFileOperationCreate, ch.GetVirtualDeviceConfigSpec().FileOperation)
		}
	}
	require.NotNil(t, disk)
	b := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	require.NotNil(t, b.ThinProvisioned)
	assert.True(t, *b.ThinProvisioned, "the child is thin")
	require.NotNil(t, b.Parent)
	assert.Equal(t, base.String(), b.Parent.FileName)

	require.NoError(t, c.DestroyVM(ctx, "i-child1"))
	assert.NoFileExists(t, env.LocalPath(child))
	assert.FileExists(t, env.LocalPath(base), "destroying a linked clone keeps its base")
	assert.FileExists(t, env.LocalPath(esxi.DatastorePath{Path: ".cache/base/base-flat.vmdk"}))

	_, err = c.CreateVM(ctx, esxi.VMSpec{Name: "i-child2", CPUs: 1, MemoryMB: 64,
		BootChild: &esxi.ChildDisk{Path: child, Parent: esxi.DatastorePath{Datastore: "other", Path: "x/x.vmdk"}}})
	assert.ErrorIs(t, err, esxi.ErrBadName, "a parent on another datastore is refused")
}
