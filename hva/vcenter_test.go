package hva_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/internal/testlog"
)

// newVCenterHarness is newHarness with an agent for the first host of a
// simulated vCenter's cluster.
func newVCenterHarness(t testing.TB, tune ...func(*hva.Options)) *harness {
	t.Helper()
	env := esxitest.NewVCenter(t)
	return newHarnessOn(t, env, env.Connect(t), imagetest.NewServer(t, 1<<20), tune...)
}

// newVCenterCacheHarness is newCacheHarness on a vCenter.
func newVCenterCacheHarness(t testing.TB, full bool) (*harness, *image.Cache) {
	t.Helper()
	var cache *image.Cache
	return newVCenterHarness(t, withCache(full, &cache)), cache
}

// The lifecycle tests, on an agent of a vCenter-managed host.

func TestVCenterRunLocalStoreAndPowerVerbs(t *testing.T) {
	x := newVCenterHarness(t)
	testRunLocalStoreAndPowerVerbs(t, x)
	checkDirectTransfers(t, x)
}

func TestVCenterLaunchLifecycleLinkedAndFullCopy(t *testing.T) {
	testLaunchLifecycleLinkedAndFullCopy(t, newVCenterCacheHarness)
}

func TestVCenterLocalStoreRunDeploysVolumesThenBoots(t *testing.T) {
	testLocalStoreRunDeploysVolumesThenBoots(t, newVCenterHarness(t))
}

func TestVCenterAttachDetachNIC(t *testing.T) { testAttachDetachNIC(t, newVCenterHarness(t)) }

func TestVCenterConcurrentLaunchesFromOneImage(t *testing.T) {
	testConcurrentLaunchesFromOneImage(t, newVCenterHarness(t))
}

// checkDirectTransfers checks that every datastore transfer of the
// harness's agent went to its ESXi host with a ticket.
func checkDirectTransfers(t *testing.T, x *harness) {
	t.Helper()
	host := x.env.Hosts()[0]
	require.NotEmpty(t, x.env.Transfers())
	for _, tr := range x.env.Transfers() {
		assert.Equal(t, host, tr.Server, "%s %s", tr.Method, tr.URL)
		assert.True(t, tr.Ticket)
	}
}

// hostOf returns the name of the ESXi host vCenter runs the VM on.
func hostOf(t *testing.T, hv *esxi.Client, name string) string {
	t.Helper()
	ctx := context.Background()
	vms, err := find.NewFinder(hv.Vim25(), true).VirtualMachineList(ctx, "/"+esxitest.VCDatacenter+"/vm/"+name)
	require.NoError(t, err)
	require.Len(t, vms, 1)
	var m mo.VirtualMachine
	require.NoError(t, vms[0].Properties(ctx, vms[0].Reference(), []string{"runtime.host"}, &m))
	require.NotNil(t, m.Runtime.Host)
	h, err := object.NewHostSystem(hv.Vim25(), *m.Runtime.Host).ObjectName(ctx)
	require.NoError(t, err)
	return h
}

// Two agents, one per host of a cluster, share the datastore and its image
// cache: while the first downloads the image, the second waits on the
// cache's datastore lock instead of downloading it too, and then boots from
// the entry the first made. Each VM is on its agent's host, and pruning by
// one agent keeps the entry while the other's linked clone uses it.
func TestVCenterTwoAgentsShareOneCachedImage(t *testing.T) {
	env := esxitest.NewVCenter(t)
	img := imagetest.NewServer(t, 4<<20)
	hosts := env.Hosts()
	caches := make([]*image.Cache, len(hosts))
	agents := make([]*harness, len(hosts))
	for i, host := range hosts {
		agents[i] = newHarnessOn(t, env, env.ConnectHost(t, host), img, func(o *hva.Options) {
			caches[i] = image.NewCache(o.Hypervisor, image.CacheOptions{Logger: testLogger(), LockPoll: 10 * time.Millisecond})
			o.Images = caches[i]
		})
	}
	ctx := context.Background()
	ids := []string{"i-vcsh0001", "i-vcsh0002"}
	for i, x := range agents {
		x.addInstance(ids[i], "initializing", fmt.Sprintf("5254000003%02x", i))
	}
	env.ResetCalls()
	img.ResetCounters()

	reached, release := img.HoldNext(1 << 20)
	errs := make([]error, len(agents))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = agents[0].h.RunLocalStore(ctx, ids[0]) }()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		release()
		t.Fatal("the first agent's download did not start")
	}
	wg.Add(1)
	go func() { defer wg.Done(); errs[1] = agents[1].h.RunLocalStore(ctx, ids[1]) }()
	// The second agent gets to the cache while the first holds its lock.
	time.Sleep(300 * time.Millisecond)
	assert.EqualValues(t, 1, img.FlatRequests(), "the second agent waits for the first's download")
	release()
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	// The held response is cut when released and the first agent resumes
	// it with a Range request: two requests, every byte served once.
	assert.EqualValues(t, 2, img.FlatRequests(), "the held download and its resumption")
	assert.Equal(t, img.Size(), img.BytesServed(), "the image is downloaded once for both hosts")

	for i, x := range agents {
		assert.Equal(t, "running", x.col.State(ids[i]))
		assert.Equal(t, hosts[i], hostOf(t, x.hv, ids[i]), "the VM is on its agent's host")
		x.checkBootDisk(t, ids[i], false)
	}
	entries, err := caches[0].Entries(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1, "one cache entry for both")

	// Which server each datastore request reached.
	perServer := map[string]int{}
	for _, tr := range env.Transfers() {
		perServer[tr.Server]++
		assert.True(t, tr.Ticket, "%+v", tr)
		if testing.Verbose() {
			t.Logf("%s %s %s", tr.Server, tr.Method, tr.URL)
		}
	}
	assert.Zero(t, perServer[esxitest.SDK], "no transfer went through vCenter")
	assert.NotZero(t, perServer[hosts[0]])
	assert.NotZero(t, perServer[hosts[1]])

	// The first agent's VM goes; its prune keeps the entry the second's
	// linked clone still has as parent, then drops it once that is gone.
	future := time.Now().Add(24 * time.Hour)
	require.NoError(t, agents[0].h.Terminate(ctx, ids[0], false))
	dropped, err := caches[0].Prune(ctx, image.PruneOptions{MaxAge: time.Minute, Now: future})
	require.NoError(t, err)
	assert.Empty(t, dropped, "the other host's VM uses the entry")
	require.NoError(t, agents[1].h.Terminate(ctx, ids[1], false))
	dropped, err = caches[0].Prune(ctx, image.PruneOptions{MaxAge: time.Minute, Now: future})
	require.NoError(t, err)
	assert.Len(t, dropped, 1)
}

// TestVCenterLifecycleOnStockVcsim drives a life against an unmodified
// vcsim in vCenter mode (simulator.VPX(), a cluster of two hosts sharing
// datastore1), as integrators run it. Its hosts have no HTTPS server of
// their own (the model gives them 127.0.0.1 and port 902, where nothing
// answers), so every datastore transfer takes the fallback through
// vCenter's /folder, which the agent logs once.
func TestVCenterLifecycleOnStockVcsim(t *testing.T) {
	ctx := context.Background()
	m := simulator.VPX()
	m.Host, m.ClusterHost, m.Datastore, m.Machine = 0, 2, 0, 0
	srv, admin := serveStockModel(t, m)
	hosts, err := find.NewFinder(admin.Client, false).HostSystemList(ctx, "/DC0/host/DC0_C0/*")
	require.NoError(t, err)
	require.Len(t, hosts, 2)
	dir := t.TempDir()
	for _, h := range hosts {
		dss, err := h.ConfigManager().DatastoreSystem(ctx)
		require.NoError(t, err)
		_, err = dss.CreateLocalDatastore(ctx, "datastore1", dir)
		require.NoError(t, err)
	}
	sum := sha256.Sum256(srv.Certificate().Raw)
	cfg := esxi.Config{
		Host: srv.URL.Host, Datacenter: "DC0", HostSystem: hosts[1].Name(), Datastore: "datastore1", PortGroup: "VM Network",
		Username: "root", Password: "stock-vcsim", Thumbprint: fmt.Sprintf("%X", sum[:]),
	}
	var logs testlog.Buffer
	hv, err := esxi.Connect(ctx, cfg, esxi.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	t.Cleanup(func() { _ = hv.Close(context.Background()) })
	img := imagetest.NewServer(t, 4<<20)
	col := hvatest.NewCollector()
	h, err := hva.New(hva.Options{NodeID: nodeID, Hypervisor: hv, Collector: col, Events: &hvatest.Events{}, Logger: testLogger()})
	require.NoError(t, err)
	for i, id := range []string{"i-vstock01", "i-vstock02"} {
		col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: id, NodeID: nodeID, MACs: []string{fmt.Sprintf("5254000004%02x", i)},
			ImageURI: img.FlatURL(), ImageMD5: img.MD5(), ImageSize: img.Size()}))
		require.NoError(t, h.RunLocalStore(ctx, id))
		assert.Equal(t, "running", col.State(id))
		assert.Equal(t, hosts[1].Name(), hostOf(t, hv, id))
	}
	assert.EqualValues(t, 1, img.FlatRequests(), "the second launch comes from the cache")
	base := filepath.Join(dir, filepath.FromSlash(image.DefaultCacheDir), img.MD5(), img.MD5()+"-flat.vmdk")
	assert.Equal(t, img.MD5(), fileMD5(t, base), "the image went through vCenter's /folder whole")
	for _, id := range []string{"i-vstock01", "i-vstock02"} {
		require.NoError(t, h.Reboot(ctx, id))
		require.NoError(t, h.PowerOff(ctx, id))
		require.NoError(t, h.PowerOn(ctx, id))
		require.NoError(t, h.Terminate(ctx, id, false))
		assert.Equal(t, "terminated", col.State(id))
		assert.NoDirExists(t, filepath.Join(dir, id))
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "go through vCenter's /folder"), logs.String())
}
