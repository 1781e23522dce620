package esxi_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func TestDatastoreFiles(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	root := esxi.DatastorePath{Datastore: c.Datastore()}
	dir, err := root.Join("i-files")
	require.NoError(t, err)

	require.NoError(t, c.MakeDirectory(ctx, dir))
	assert.ErrorIs(t, c.MakeDirectory(ctx, dir), esxi.ErrExists, "MakeDirectory works as a lock")

	data := make([]byte, 3<<20+17)
	_, _ = rand.Read(data)
	f, _ := dir.Join("blob.bin")
	// Unknown length: streamed chunked; the reader hides its type.
	require.NoError(t, c.Upload(ctx, f, io.MultiReader(bytes.NewReader(data)), -1))
	got, err := os.ReadFile(env.LocalPath(f))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got))

	// Known length.
	g, _ := dir.Join("small.txt")
	require.NoError(t, c.Upload(ctx, g, bytes.NewReader([]byte("hello")), 5))

	var buf bytes.Buffer
	n, err := c.Download(ctx, f, &buf)
	require.NoError(t, err)
	assert.EqualValues(t, len(data), n)
	assert.True(t, bytes.Equal(data, buf.Bytes()))

	fi, err := c.Stat(ctx, f)
	require.NoError(t, err)
	assert.EqualValues(t, len(data), fi.Size)
	assert.False(t, fi.IsDir)
	assert.Equal(t, f, fi.Path)
	di, err := c.Stat(ctx, dir)
	require.NoError(t, err)
	assert.True(t, di.IsDir)

	list, err := c.ListDir(ctx, dir)
	require.NoError(t, err)
	var names []string
	for _, e := range list {
		names = append(names, e.Path.Base())
	}
	assert.ElementsMatch(t, []string{"blob.bin", "small.txt"}, names)

	h, _ := dir.Join("moved.txt")
	require.NoError(t, c.MoveFile(ctx, g, h))
	_, err = c.Stat(ctx, g)
	assert.ErrorIs(t, err, esxi.ErrNotFound)
	assert.ErrorIs(t, c.MoveFile(ctx, f, h), esxi.ErrExists)

	// Disk pairs.
	disk := putDisk(t, env, "i-files", "base")
	cp, _ := dir.Join("copy.vmdk")
	require.NoError(t, c.CopyDisk(ctx, disk, cp))
	assert.FileExists(t, env.LocalPath(esxi.DatastorePath{Path: "i-files/copy-flat.vmdk"}))
	// The simulator copies bytes whatever the spec; a real host would
	// preallocate the copy without one.
	req, ok := env.LastRequest("CopyVirtualDisk_Task").(*types.CopyVirtualDisk_Task)
	require.True(t, ok, "CopyDisk calls CopyVirtualDisk_Task")
	spec, ok := req.DestSpec.(*types.VirtualDiskSpec)
	require.True(t, ok, "CopyDisk gives a destination spec, got %#v", req.DestSpec)
	assert.Equal(t, string(types.VirtualDiskTypeThin), spec.DiskType)
	copied, err := os.ReadFile(env.LocalPath(esxi.DatastorePath{Path: "i-files/copy-flat.vmdk"}))
	require.NoError(t, err)
	orig, err := os.ReadFile(env.LocalPath(esxi.DatastorePath{Path: "i-files/base-flat.vmdk"}))
	require.NoError(t, err)
	assert.Equal(t, orig, copied, "the copy holds the same bytes")
	mv, _ := dir.Join("moved.vmdk")
	require.NoError(t, c.MoveDisk(ctx, cp, mv))
	assert.NoFileExists(t, env.LocalPath(esxi.DatastorePath{Path: "i-files/copy-flat.vmdk"}))
	assert.FileExists(t, env.LocalPath(esxi.DatastorePath{Path: "i-files/moved-flat.vmdk"}))

	missing, _ := dir.Join("nope")
	_, err = c.Stat(ctx, missing)
	assert.ErrorIs(t, err, esxi.ErrNotFound)
	_, err = c.Download(ctx, missing, io.Discard)
	assert.ErrorIs(t, err, esxi.ErrNotFound)
	assert.ErrorIs(t, c.Delete(ctx, missing), esxi.ErrNotFound)

	require.NoError(t, c.Delete(ctx, dir))
	assert.Empty(t, env.Files())
	assert.ErrorIs(t, c.Delete(ctx, root), esxi.ErrBadName, "never the datastore root")
}

func TestUploadCutAndCancel(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	p := esxi.DatastorePath{Datastore: c.Datastore(), Path: "cut.bin"}
	env.CutUploads(1<<20, 1)
	err := c.Upload(ctx, p, bytes.NewReader(make([]byte, 4<<20)), 4<<20)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "upload [datastore1] cut.bin")

	cctx, cancel := context_WithCancel(ctx)
	r := &cancelAfter{n: 1 << 20, cancel: cancel}
	err = c.Upload(cctx, p, r, -1)
	require.Error(t, err)
}

func TestDevicesHotPlug(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	newRunningVM(t, env, c, "i-dev")
	vol := esxi.DatastorePath{Datastore: c.Datastore(), Path: "i-dev/vol-1.vmdk"}

	require.NoError(t, c.AttachDisk(ctx, "i-dev", esxi.DiskSpec{Path: vol, SizeMB: 16}))
	assert.FileExists(t, env.LocalPath(vol))
	info, err := c.VM(ctx, "i-dev")
	require.NoError(t, err)
	assert.Equal(t, []esxi.DatastorePath{vol}, info.Disks)
	assert.ErrorIs(t, c.AttachDisk(ctx, "i-dev", esxi.DiskSpec{Path: vol}), esxi.ErrExists)
	require.NoError(t, c.DetachDisk(ctx, "i-dev", vol))
	assert.FileExists(t, env.LocalPath(vol), "detach keeps the file")
	assert.ErrorIs(t, c.DetachDisk(ctx, "i-dev", vol), esxi.ErrNotFound)

	require.NoError(t, c.AttachNIC(ctx, "i-dev", esxi.NICSpec{MAC: "52:54:00:aa:bb:cc"}))
	assert.ErrorIs(t, c.AttachNIC(ctx, "i-dev", esxi.NICSpec{MAC: "525400aabbcc"}), esxi.ErrExists)
	info, _ = c.VM(ctx, "i-dev")
	require.Len(t, info.NICs, 2)
	assert.Equal(t, "52:54:00:aa:bb:cc", info.NICs[1].MAC)
	require.NoError(t, c.DetachNIC(ctx, "i-dev", "52-54-00-AA-BB-CC"))
	info, _ = c.VM(ctx, "i-dev")
	require.Len(t, info.NICs, 1)
	assert.ErrorIs(t, c.DetachNIC(ctx, "i-dev", "52:54:00:aa:bb:cc"), esxi.ErrNotFound)

	iso := putFile(t, env, "i-dev/metadata.iso", []byte("x"))
	require.NoError(t, c.InsertCDROM(ctx, "i-dev", iso))
	info, _ = c.VM(ctx, "i-dev")
	require.NotNil(t, info.CDROM)
	assert.Equal(t, iso, *info.CDROM)
	require.NoError(t, c.EjectCDROM(ctx, "i-dev"))
	info, _ = c.VM(ctx, "i-dev")
	assert.Nil(t, info.CDROM)
	require.NoError(t, c.InsertCDROM(ctx, "i-dev", iso), "re-insert into the existing drive")
}
