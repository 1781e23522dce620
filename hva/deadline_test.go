package hva_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image"
)

// A launch held by a source that trickles (no stall: the watchdog would
// not fire) is cancelled at its deadline and rolled back, and the single
// concurrency slot goes to the next job.
func TestJobPastItsDeadlineIsRolledBackAndFreesItsSlot(t *testing.T) {
	x := newHarness(t, func(o *hva.Options) {
		o.Concurrency = 1
		o.JobDeadlines = hva.JobDeadlines{Launch: 500 * time.Millisecond}
	})
	const slow, next = "i-slow0001", "i-next0001"
	x.addInstance(slow, "initializing", "525400000091")
	x.addInstance(next, "running", "525400000092") // its VM is already gone
	reached, release := x.img.HoldNext(256 << 10)
	defer release()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- x.h.RunLocalStore(ctx, slow) }()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the download never started")
	}
	// The slot is held: the next job waits for it, then runs.
	nextDone := make(chan error, 1)
	go func() { nextDone <- x.h.Terminate(ctx, next, false) }()

	err := <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, hva.ErrDeadline)
	assert.NoError(t, ctx.Err(), "the deadline, not the caller, ended the job")
	assert.False(t, x.exists(t, slow), "rolled back")
	assert.Equal(t, "terminated", x.col.State(slow))
	require.NoError(t, <-nextDone, "the freed slot ran the next job")
	assert.Equal(t, "terminated", x.col.State(next))
}

// hvaconf keeps its own copy of the defaults (it does not import hva).
func TestHvaconfDeadlineDefaultsMatch(t *testing.T) {
	assert.Equal(t, hva.DefaultLaunchDeadline, hvaconf.DefaultJobDeadlineLaunch)
	assert.Equal(t, hva.DefaultBackupDeadline, hvaconf.DefaultJobDeadlineBackup)
	assert.Equal(t, hva.DefaultOtherDeadline, hvaconf.DefaultJobDeadlineOther)
	assert.Equal(t, hva.DefaultCleanupDeadline, hvaconf.DefaultJobDeadlineCleanup)
}

// A launch whose image source sends its headers and then nothing fails
// within the transfer's stall timeout, long before its deadline, and is
// rolled back.
func TestLaunchFromAStalledSourceRollsBack(t *testing.T) {
	done := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "# Disk DescriptorFile\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(done) })
	x := newHarness(t)
	var err error
	x.h, err = hva.New(hva.Options{
		NodeID: nodeID, Hypervisor: x.hv, Collector: x.col, Events: x.ev, Logger: testLogger(),
		Images: image.NewCache(x.hv, image.CacheOptions{Logger: testLogger(), Fetch: image.FetchOptions{StallTimeout: 200 * time.Millisecond, Retries: -1}}),
	})
	require.NoError(t, err)
	const id = "i-hang0001"
	x.addSpec(hvatest.InstanceSpec{ID: id, State: "initializing", MACs: []string{"525400000093"},
		ImageURI: hang.URL + "/img-flat.vmdk", ImageMD5: "0123456789abcdef0123456789abcdef", ImageSize: 1 << 20})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = x.h.RunLocalStore(ctx, id)
	require.Error(t, err)
	assert.ErrorIs(t, err, image.ErrStalled)
	assert.NoError(t, ctx.Err())
	assert.False(t, x.exists(t, id), "rolled back")
	assert.Equal(t, "terminated", x.col.State(id))
	assert.Empty(t, x.instanceFiles())
}

// A rollback is bounded too: a failed launch whose VM the host takes
// forever to destroy gives up at the cleanup deadline, reports it, and
// frees its slot for the next job.
func TestRollbackPastTheCleanupDeadlineFreesItsSlot(t *testing.T) {
	const cleanup = 300 * time.Millisecond
	x := newHarness(t, func(o *hva.Options) {
		o.Concurrency = 1
		o.JobDeadlines = hva.JobDeadlines{Cleanup: cleanup}
	})
	const id, next = "i-stuck0001", "i-next0002"
	x.addInstance(id, "initializing", "525400000093")
	x.addInstance(next, "running", "525400000094") // its VM is already gone
	x.env.FailMethod("PowerOnVM_Task", 1, nil)
	x.env.DelayMethod("Destroy_Task", 5*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err := x.h.RunLocalStore(ctx, id)
	took := time.Since(start)
	require.Error(t, err)
	assert.ErrorContains(t, err, "power on "+id, "the launch's own failure")
	assert.ErrorContains(t, err, "rollback: destroy vm "+id, "the rollback's failure is reported with it")
	assert.ErrorIs(t, err, hva.ErrDeadline)
	assert.Less(t, took, 4*time.Second, "the rollback waited for the host instead of its deadline")
	assert.Equal(t, 1, x.env.Calls("Destroy_Task"), "the rollback tried to destroy the VM")

	x.env.DelayMethod("Destroy_Task", 0)
	require.NoError(t, x.h.Terminate(ctx, next, false), "the slot is free for the next job")
	assert.Equal(t, "terminated", x.col.State(next))
}
