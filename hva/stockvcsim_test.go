package hva_test

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// stockVcsim is simulator.ESX() served as integrators run it: vcsim's own
// /folder handler, its own task handling, no hook of esxitest. Only the
// datastore datastore1 is added, as vcsim's notes say (the default VMs
// and LocalDS_0 are left out).
type stockVcsim struct {
	cfg    esxi.Config
	dsDir  string
	admin  *govmomi.Client
	finder *find.Finder
}

// serveStockModel creates m and serves it over HTTPS as vcsim does, with
// none of esxitest's hooks, and logs an administrator in; all of it is
// undone when t ends.
func serveStockModel(t *testing.T, m *simulator.Model) (*simulator.Server, *govmomi.Client) {
	t.Helper()
	require.NoError(t, m.Create())
	t.Cleanup(m.Remove)
	m.Service.TLS = new(tls.Config)
	srv := m.Service.NewServer()
	t.Cleanup(srv.Close)
	admin, err := govmomi.NewClient(context.Background(), srv.URL, true)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Logout(context.Background()) })
	return srv, admin
}

func startStockVcsim(t *testing.T) *stockVcsim {
	t.Helper()
	ctx := context.Background()
	m := simulator.ESX()
	m.Datastore = 0
	m.Machine = 0
	srv, admin := serveStockModel(t, m)
	f := find.NewFinder(admin.Client, false)
	dc, err := f.Datacenter(ctx, "ha-datacenter")
	require.NoError(t, err)
	f.SetDatacenter(dc)
	host, err := f.DefaultHostSystem(ctx)
	require.NoError(t, err)
	dss, err := host.ConfigManager().DatastoreSystem(ctx)
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = dss.CreateLocalDatastore(ctx, "datastore1", dir)
	require.NoError(t, err)

	sum := sha256.Sum256(srv.Certificate().Raw)
	return &stockVcsim{
		cfg: esxi.Config{
			Host: srv.URL.Host, Datacenter: "ha-datacenter", Datastore: "datastore1", PortGroup: "VM Network",
			Username: "root", Password: "stock-vcsim", Thumbprint: fmt.Sprintf("%X", sum[:]),
		},
		dsDir: dir, admin: admin, finder: f,
	}
}

// bootDisk reads the boot disk's device of a VM from vcsim.
func (s *stockVcsim) bootDisk(t *testing.T, name string) *types.VirtualDisk {
	t.Helper()
	ctx := context.Background()
	vm, err := s.finder.VirtualMachine(ctx, name)
	require.NoError(t, err)
	devs, err := vm.Device(ctx)
	require.NoError(t, err)
	disks := devs.SelectByType((*types.VirtualDisk)(nil))
	require.Len(t, disks, 1)
	return disks[0].(*types.VirtualDisk)
}

func fileMD5(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	h := md5.New()
	_, err = io.Copy(h, f)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

// TestLifecycleOnStockVcsim drives a whole life against an unmodified
// vcsim: a cold run_local_store, a second launch from the cache, reboot,
// poweroff, poweron, terminate, with the cache left intact.
func TestLifecycleOnStockVcsim(t *testing.T) {
	ctx := context.Background()
	s := startStockVcsim(t)
	hv, err := esxi.Connect(ctx, s.cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = hv.Close(context.Background()) })
	img := imagetest.NewServer(t, 4<<20)
	col := hvatest.NewCollector()
	ev := &hvatest.Events{}
	h, err := hva.New(hva.Options{NodeID: nodeID, Hypervisor: hv, Collector: col, Events: ev, Logger: testLogger()})
	require.NoError(t, err)
	add := func(id, mac string) {
		col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: id, NodeID: nodeID, MACs: []string{mac},
			ImageURI: img.FlatURL(), ImageMD5: img.MD5(), ImageSize: img.Size()}))
	}
	entry := filepath.Join(s.dsDir, filepath.FromSlash(image.DefaultCacheDir), img.MD5())
	baseDesc := fmt.Sprintf("[datastore1] %s/%s/%s.vmdk", image.DefaultCacheDir, img.MD5(), img.MD5())
	baseFlat := filepath.Join(entry, img.MD5()+"-flat.vmdk")

	checkDisk := func(id string) {
		t.Helper()
		d := s.bootDisk(t, id)
		b, ok := d.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		require.True(t, ok, "backing %T", d.Backing)
		assert.Equal(t, fmt.Sprintf("[datastore1] %s/%s.vmdk", id, id), b.FileName)
		require.NotNil(t, b.ThinProvisioned)
		assert.True(t, *b.ThinProvisioned, "the boot disk is thin")
		require.NotNil(t, b.Parent, "the boot disk is a child of the cached image")
		assert.Equal(t, baseDesc, b.Parent.FileName)
		assert.Nil(t, b.Parent.Parent)
		assert.Equal(t, img.Size(), d.CapacityInBytes, "the guest sees a disk of the image's size")
		assert.Equal(t, img.MD5(), fileMD5(t, baseFlat), "the disk's base holds the image's bytes")
	}

	// Cold: the image is fetched once, into the cache, and booted from.
	add("i-stock001", "525400000101")
	require.NoError(t, h.RunLocalStore(ctx, "i-stock001"))
	assert.Equal(t, "running", col.State("i-stock001"))
	checkDisk("i-stock001")
	assert.EqualValues(t, 1, img.FlatRequests())
	inst, err := os.ReadDir(filepath.Join(s.dsDir, "i-stock001"))
	require.NoError(t, err)
	for _, e := range inst {
		fi, err := e.Info()
		require.NoError(t, err)
		assert.Less(t, fi.Size(), int64(1<<20)+img.Size()/2, "%s: no second full copy in the instance folder", e.Name())
	}

	// From the cache: no transfer.
	add("i-stock002", "525400000102")
	require.NoError(t, h.RunLocalStore(ctx, "i-stock002"))
	checkDisk("i-stock002")
	assert.EqualValues(t, 1, img.FlatRequests(), "the second launch comes from the cache")

	for _, id := range []string{"i-stock001", "i-stock002"} {
		require.NoError(t, h.Reboot(ctx, id))
		st, err := hv.PowerState(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, esxi.PoweredOn, st)
		require.NoError(t, h.PowerOff(ctx, id))
		assert.Equal(t, "halted", col.State(id))
		require.NoError(t, h.PowerOn(ctx, id))
		assert.Equal(t, "running", col.State(id))
		checkDisk(id)
	}

	// Terminating the first leaves the second's base alone.
	require.NoError(t, h.Terminate(ctx, "i-stock001", false))
	assert.NoDirExists(t, filepath.Join(s.dsDir, "i-stock001"))
	checkDisk("i-stock002")
	require.NoError(t, h.Terminate(ctx, "i-stock002", false))
	assert.Equal(t, "terminated", col.State("i-stock002"))
	assert.NoDirExists(t, filepath.Join(s.dsDir, "i-stock002"))
	vms, err := hv.ListVMs(ctx)
	require.NoError(t, err)
	assert.Empty(t, vms)

	// The cache is intact: the entry, its pair and marker, the bytes.
	assert.Equal(t, img.MD5(), fileMD5(t, baseFlat))
	for _, f := range []string{img.MD5() + ".vmdk", "entry.json"} {
		assert.FileExists(t, filepath.Join(entry, f))
	}
	cache := image.NewCache(hv, image.CacheOptions{Logger: testLogger()})
	entries, err := cache.Entries(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, img.Size(), entries[0].Size)
}
