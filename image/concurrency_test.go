package image_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// leakOpts ignores the HTTP connections of the simulator and the clients,
// which outlive a test until its cleanup; the package's own goroutines
// (pump, heartbeat, flights) are still checked.
func leakOpts() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		goleak.IgnoreAnyFunction("net/http.(*connReader).backgroundRead"),
		goleak.IgnoreAnyFunction("internal/poll.runtime_pollWait"),
	}
}

func TestCancelMidTransferCleansUp(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 4*mib)
	r.mkdir(t, ctx, "i-abc")
	before := r.files()
	opts := leakOpts()

	reached, release := s.HoldNext(mib + 7)
	defer release()
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- r.cache.Deploy(cctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, dsPath(t, "[datastore1] i-abc/i-abc.vmdk"), nil)
	}()
	select {
	case <-reached:
	case <-ctx.Done():
		t.Fatal("the transfer never reached the hold")
	}
	// The temporary folder is there mid-transfer.
	require.Eventually(t, func() bool { return len(tmpLeft(t, r)) == 2 }, 10*time.Second, 10*time.Millisecond,
		"a .tmp- folder and the .lock- folder")
	require.Eventually(t, func() bool {
		for _, f := range r.files() {
			if strings.HasSuffix(f, s.MD5()+"-flat.vmdk") {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "the upload has begun")
	cancel()
	err := <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, before, r.files())
	assert.Empty(t, tmpLeft(t, r))
	goleak.VerifyNone(t, opts...)
}

func TestConcurrentDeploysDownloadOnce(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 4*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	var mu sync.Mutex
	var reports int
	for i := range n {
		id := fmt.Sprintf("i-%d", i)
		r.mkdir(t, ctx, id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] "+id+"/"+id+".vmdk"), func(p image.Progress) {
				mu.Lock()
				reports++
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "deploy %d", i)
	}
	assert.Equal(t, int64(1), s.FlatRequests(), "one download")
	assert.Equal(t, s.Size(), s.BytesServed())
	assert.GreaterOrEqual(t, reports, n, "every caller hears of the progress")
	for i := range n {
		id := fmt.Sprintf("i-%d", i)
		sum, _ := fileMD5(t, r.env.LocalPath(dsPath(t, "[datastore1] "+id+"/"+id+"-flat.vmdk")))
		assert.Equal(t, s.MD5(), sum, id)
	}
}

func TestTwoAgentsShareOneDownload(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 4*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	other := image.NewCache(r.env.Connect(t), fastOpts()) // a second agent, own session

	reached, release := s.HoldNext(mib)
	errA := make(chan error, 1)
	go func() { _, err := r.cache.Ensure(ctx, src, nil); errA <- err }()
	<-reached
	errB := make(chan error, 1)
	go func() { _, err := other.Ensure(ctx, src, nil); errB <- err }()
	time.Sleep(100 * time.Millisecond) // B polls the lock meanwhile
	release()
	// The held response is aborted; A resumes it and finishes.
	require.NoError(t, <-errA)
	require.NoError(t, <-errB)
	assert.Equal(t, int64(2), s.FlatRequests(), "A's held request and its resumption; none by B")
	assert.Equal(t, s.Size(), s.BytesServed())
	assert.Empty(t, tmpLeft(t, r))
}

func TestStaleLockIsBroken(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, mib)
	lock := esxi.DatastorePath{Datastore: esxitestDS, Path: image.DefaultCacheDir + "/.lock-" + s.MD5()}
	require.NoError(t, r.cl.MakeDirectory(ctx, lock))
	owner := []byte("host=dead pid=1 beat=0\n")
	require.NoError(t, r.cl.Upload(ctx, esxi.DatastorePath{Datastore: lock.Datastore, Path: lock.Path + "/owner"}, bytes.NewReader(owner), int64(len(owner))))

	opts := fastOpts()
	opts.StaleLock = 300 * time.Millisecond
	c := image.NewCache(r.cl, opts)
	start := time.Now()
	_, err := c.Ensure(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), opts.StaleLock, "it waited for the lock to go stale")
	assert.Empty(t, tmpLeft(t, r), "the stale lock is gone")
}

func TestLockTimeout(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, mib)
	lock := esxi.DatastorePath{Datastore: esxitestDS, Path: image.DefaultCacheDir + "/.lock-" + s.MD5()}
	require.NoError(t, r.cl.MakeDirectory(ctx, lock))

	opts := fastOpts()
	opts.LockTimeout = 200 * time.Millisecond
	c := image.NewCache(r.cl, opts)
	_, err := c.Ensure(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, image.ErrLockTimeout)
	assert.Contains(t, err.Error(), ".lock-"+s.MD5())
	assert.Zero(t, s.Requests())

	// The holder finishing (the entry appearing) ends a wait too.
	other := image.NewCache(r.cl, fastOpts())
	done := make(chan error, 1)
	go func() { _, err := other.Ensure(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, nil); done <- err }()
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, r.cl.Delete(ctx, lock))
	require.NoError(t, <-done)
}

func TestCancelWhileWaitingForAnotherCaller(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 2*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	reached, release := s.HoldNext(mib)
	defer release()

	errA := make(chan error, 1)
	go func() { _, err := r.cache.Ensure(ctx, src, nil); errA <- err }()
	<-reached
	// B joins A's download and gives up: A is not disturbed.
	bctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := r.cache.Ensure(bctx, src, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	release()
	require.NoError(t, <-errA)
}

const esxitestDS = "datastore1"

// goleakVerify checks for leaked goroutines, allowing the ones that end
// asynchronously a moment to do so.
func goleakVerify(t *testing.T, opts []goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, opts...)
}
