package hva_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// 20 instances launched at once from one image: one download, 20 VMs
// running with their own MACs.
func TestConcurrentLaunchesFromOneImage(t *testing.T) {
	testConcurrentLaunchesFromOneImage(t, newHarness(t))
}

func testConcurrentLaunchesFromOneImage(t *testing.T, x *harness) {
	ctx := context.Background()
	const n = 20
	for i := range n {
		x.addInstance(fmt.Sprintf("i-conc%04d", i), "initializing", fmt.Sprintf("5254000100%02x", i))
	}
	x.img.ResetCounters()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = x.h.RunLocalStore(ctx, fmt.Sprintf("i-conc%04d", i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "instance %d", i)
	}
	assert.Equal(t, int64(1), x.img.FlatRequests(), "one download for 20 launches")
	vms, err := x.hv.ListVMs(ctx)
	require.NoError(t, err)
	require.Len(t, vms, n)
	for _, vm := range vms {
		var i int
		_, err := fmt.Sscanf(vm.Name, "i-conc%04d", &i)
		require.NoError(t, err)
		assert.Equal(t, esxi.PoweredOn, vm.PowerState)
		require.Len(t, vm.NICs, 1)
		assert.Equal(t, fmt.Sprintf("52:54:00:01:00:%02x", i), vm.NICs[0].MAC)
	}
}

// trackingHV records how many reboots run at once, per VM and in all.
type trackingHV struct {
	esxi.Hypervisor
	mu          sync.Mutex
	active      map[string]int
	maxPer      map[string]int
	all, maxAll int
	order       []string
}

func (h *trackingHV) Reboot(ctx context.Context, name string) error {
	h.mu.Lock()
	h.active[name]++
	h.all++
	h.maxPer[name] = max(h.maxPer[name], h.active[name])
	h.maxAll = max(h.maxAll, h.all)
	h.mu.Unlock()
	time.Sleep(30 * time.Millisecond)
	err := h.Hypervisor.Reboot(ctx, name)
	h.mu.Lock()
	h.active[name]--
	h.all--
	h.mu.Unlock()
	return err
}

func TestJobsOnOneInstanceAreSerialized(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-sera0001", "525400000080")
	x.launched(t, "i-serb0001", "525400000081")
	tr := &trackingHV{Hypervisor: x.hv, active: map[string]int{}, maxPer: map[string]int{}}
	h, err := hva.New(hva.Options{NodeID: nodeID, Hypervisor: tr, Collector: x.col, Events: x.ev, Concurrency: 4, Logger: testLogger()})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		for _, id := range []string{"i-sera0001", "i-serb0001"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, h.Reboot(ctx, id))
			}()
		}
	}
	wg.Wait()
	assert.Equal(t, 1, tr.maxPer["i-sera0001"], "jobs on one instance never overlap")
	assert.Equal(t, 1, tr.maxPer["i-serb0001"])
	assert.Equal(t, 2, tr.maxAll, "jobs on different instances do run at once")
}

func TestCancelledLaunchRollsBack(t *testing.T) {
	x := newHarness(t)
	const id = "i-canc0001"
	x.addInstance(id, "initializing", "525400000090")
	reached, release := x.img.HoldNext(256 << 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.h.RunLocalStore(ctx, id) }()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the download never started")
	}
	cancel()
	release()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, x.exists(t, id))
	assert.Equal(t, "terminated", x.col.State(id))
	for _, f := range x.env.Files() {
		assert.NotContains(t, f, ".tmp")
	}
}
