package hva_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// diskModes are the two ways a launch gives an instance its boot disk.
var diskModes = []struct {
	name string
	full bool
}{{"linked", false}, {"fullcopy", true}}

// newCacheHarness is a harness whose handler uses cache, in one mode.
func newCacheHarness(t testing.TB, full bool) (*harness, *image.Cache) {
	t.Helper()
	var cache *image.Cache
	return newHarness(t, withCache(full, &cache)), cache
}

// withCache gives the handler an image cache, kept in *cache, and the
// boot disk mode.
func withCache(full bool, cache **image.Cache) func(*hva.Options) {
	return func(o *hva.Options) {
		*cache = image.NewCache(o.Hypervisor, image.CacheOptions{Logger: testLogger()})
		o.Images = *cache
		o.FullCopies = full
	}
}

// localMD5 is the md5 of a datastore file.
func (x *harness) localMD5(t testing.TB, p esxi.DatastorePath) string {
	t.Helper()
	b, err := os.ReadFile(x.env.LocalPath(p))
	require.NoError(t, err)
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// base is the cached image's descriptor and flat.
func (x *harness) base(t testing.TB) (desc, flat esxi.DatastorePath) {
	e := x.path(t, append(strings.Split(image.DefaultCacheDir, "/"), x.img.MD5())...)
	d, err := e.Join(x.img.MD5() + ".vmdk")
	require.NoError(t, err)
	f, err := e.Join(x.img.MD5() + "-flat.vmdk")
	require.NoError(t, err)
	return d, f
}

// checkBootDisk checks that the instance's VM boots the image: a child of
// the cached base (linked) or a private copy of it (full).
func (x *harness) checkBootDisk(t testing.TB, id string, full bool) {
	t.Helper()
	vm, err := x.hv.VM(context.Background(), id)
	require.NoError(t, err)
	disk := x.path(t, id, id+".vmdk")
	require.Equal(t, []esxi.DatastorePath{disk}, vm.Disks)
	desc, flat := x.base(t)
	if full {
		assert.Empty(t, vm.Parents, "a full copy has no parent")
		assert.Equal(t, x.img.MD5(), x.localMD5(t, x.path(t, id, id+"-flat.vmdk")))
		return
	}
	assert.Equal(t, map[esxi.DatastorePath][]esxi.DatastorePath{disk: {desc}}, vm.Parents)
	assert.Equal(t, x.img.MD5(), x.localMD5(t, flat), "the base holds the image")
	fi, err := os.Stat(x.env.LocalPath(x.path(t, id, id+"-flat.vmdk")))
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "the child holds no copy of the image")
}

func TestLaunchLifecycleLinkedAndFullCopy(t *testing.T) {
	testLaunchLifecycleLinkedAndFullCopy(t, newCacheHarness)
}

func testLaunchLifecycleLinkedAndFullCopy(t *testing.T, newX func(testing.TB, bool) (*harness, *image.Cache)) {
	for _, mode := range diskModes {
		t.Run(mode.name, func(t *testing.T) {
			x, _ := newX(t, mode.full)
			ctx := context.Background()
			dav := imagetest.NewPutServer(t)

			// First launch: one transfer, into the cache.
			x.addInstance("i-lnk00001", "initializing", "525400000201")
			require.NoError(t, x.h.RunLocalStore(ctx, "i-lnk00001"))
			x.checkBootDisk(t, "i-lnk00001", mode.full)
			assert.EqualValues(t, 1, x.img.FlatRequests())
			if !mode.full {
				assert.Zero(t, x.env.Calls("CopyVirtualDisk_Task"), "a linked launch copies no disk")
			}

			// From the cache.
			x.addInstance("i-lnk00002", "initializing", "525400000202")
			require.NoError(t, x.h.RunLocalStore(ctx, "i-lnk00002"))
			x.checkBootDisk(t, "i-lnk00002", mode.full)
			assert.EqualValues(t, 1, x.img.FlatRequests(), "the second launch comes from the cache")

			const id = "i-lnk00002"
			x.env.ResetCalls()
			require.NoError(t, x.h.Reboot(ctx, id))
			assert.Equal(t, 1, x.env.Calls("ResetVM_Task"))
			require.NoError(t, x.h.PowerOff(ctx, id))
			assert.Equal(t, "halted", x.col.State(id))
			require.NoError(t, x.h.PowerOn(ctx, id))
			assert.Equal(t, "running", x.col.State(id))
			assert.Equal(t, esxi.PoweredOn, x.powerState(t, id))
			x.checkBootDisk(t, id, mode.full)

			// backup_image exports what the guest sees, md5 verified.
			require.NoError(t, x.h.PowerOff(ctx, id))
			x.col.AddBackupObject(map[string]any{"uuid": "bo-lnk00001", "object_key": "snap/lnk-flat.vmdk",
				"backup_storage": map[string]any{"base_uri": dav.URL() + "/images/"}})
			require.NoError(t, x.h.BackupImage(ctx, id, "bo-lnk00001", "wmi-test"))
			flat := dav.File("/images/snap/lnk-flat.vmdk")
			require.Len(t, flat, int(x.img.Size()))
			sum := md5.Sum(flat)
			assert.Equal(t, x.img.MD5(), hex.EncodeToString(sum[:]))
			assert.Equal(t, x.img.MD5(), x.col.BackupObject("bo-lnk00001")["checksum"])
			assert.Contains(t, string(dav.File("/images/snap/lnk.vmdk")), `"lnk-flat.vmdk"`)
			for _, f := range x.instanceFiles() {
				assert.NotContains(t, f, "-export", "the consolidated copy is deleted after the backup")
			}
			x.checkBootDisk(t, id, mode.full)

			// terminate deletes the instance's disk only.
			require.NoError(t, x.h.Terminate(ctx, "i-lnk00001", false))
			x.checkBootDisk(t, id, mode.full)
			require.NoError(t, x.h.Terminate(ctx, id, false))
			assert.Empty(t, x.instanceFiles())
			_, baseFlat := x.base(t)
			assert.Equal(t, x.img.MD5(), x.localMD5(t, baseFlat), "the cache is intact")
		})
	}
}

func TestBackupVolumeOfALinkedClone(t *testing.T) {
	x, _ := newCacheHarness(t, false)
	ctx := context.Background()
	dav := imagetest.NewPutServer(t)
	const id = "i-lnkvol01"
	x.addSpec(hvatest.InstanceSpec{ID: id, State: "pending", MACs: []string{"525400000210"}, LocalVolumes: []int64{x.img.Size()}})
	require.NoError(t, x.h.LocalStoreRun(ctx, id))
	x.checkBootDisk(t, id, false)
	require.NoError(t, x.h.PowerOff(ctx, id))
	x.col.AddBackupObject(map[string]any{"uuid": "bo-lnkvol01", "object_key": "vol-flat.vmdk",
		"backup_storage": map[string]any{"base_uri": dav.URL() + "/"}})
	require.NoError(t, x.h.BackupVolume(ctx, id, "vol-test0000", "bo-lnkvol01"))
	sum := md5.Sum(dav.File("/vol-flat.vmdk"))
	assert.Equal(t, x.img.MD5(), hex.EncodeToString(sum[:]))
}

func TestLinkedCloneRefusesABootVolumeLargerThanItsImage(t *testing.T) {
	x, _ := newCacheHarness(t, false)
	ctx := context.Background()
	const id = "i-lnkbig01"
	x.addSpec(hvatest.InstanceSpec{ID: id, State: "pending", MACs: []string{"525400000211"}, LocalVolumes: []int64{2 * x.img.Size()}})
	err := x.h.LocalStoreRun(ctx, id)
	require.ErrorIs(t, err, hva.ErrUnsupported)
	assert.Contains(t, err.Error(), "use_linked_clone = false")
	assert.Empty(t, x.instanceFiles(), "rolled back")
	assert.Equal(t, "terminated", x.col.State(id))
}

// TestPruneRacingLaunches prunes the cache as hard as it can (every entry
// is past its age) while instances launch from it: a base is never
// dropped while a VM's disk has it as parent or a launch holds it.
func TestPruneRacingLaunches(t *testing.T) {
	for _, mode := range diskModes {
		t.Run(mode.name, func(t *testing.T) {
			x, cache := newCacheHarness(t, mode.full)
			ctx := context.Background()
			x.launched(t, "i-race0000", "525400000300")

			stop := make(chan struct{})
			var pruned, kept int
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					dropped, err := cache.Prune(ctx, image.PruneOptions{MaxAge: time.Nanosecond, Now: time.Now().Add(time.Hour)})
					if !assert.NoError(t, err) {
						return
					}
					if len(dropped) > 0 {
						pruned++
					} else {
						kept++
					}
				}
			}()
			const n = 6
			errs := make([]error, n)
			var launches sync.WaitGroup
			for i := range n {
				id := fmt.Sprintf("i-race%04d", i+1)
				x.addInstance(id, "initializing", fmt.Sprintf("5254000003%02x", i+1))
				launches.Add(1)
				go func() {
					defer launches.Done()
					errs[i] = x.h.RunLocalStore(ctx, id)
				}()
			}
			launches.Wait()
			close(stop)
			wg.Wait()
			for i, err := range errs {
				require.NoError(t, err, "launch %d", i+1)
			}
			for i := range n + 1 {
				x.checkBootDisk(t, fmt.Sprintf("i-race%04d", i), mode.full)
			}
			if !mode.full {
				assert.Zero(t, pruned, "a base with children is never pruned")
				assert.EqualValues(t, 1, x.img.FlatRequests(), "the base was never dropped and fetched again")
			}
			t.Logf("prunes that dropped the entry: %d, that kept it: %d", pruned, kept)

			// Once no disk has it as parent, the base goes.
			for i := range n + 1 {
				require.NoError(t, x.h.Terminate(ctx, fmt.Sprintf("i-race%04d", i), false))
			}
			dropped, err := cache.Prune(ctx, image.PruneOptions{MaxAge: time.Nanosecond, Now: time.Now().Add(time.Hour)})
			require.NoError(t, err)
			if !mode.full {
				require.Len(t, dropped, 1)
			}
			for _, f := range x.env.Files() {
				assert.False(t, strings.HasPrefix(f, image.DefaultCacheDir+"/"+x.img.MD5()), "pruned: %s", f)
			}
		})
	}
}
