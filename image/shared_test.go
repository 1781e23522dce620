package image_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// blocked503 is an image source that holds every request until unblocked,
// then answers 503.
func blocked503(t *testing.T) (url string, entered <-chan struct{}, unblock func()) {
	t.Helper()
	in, out := make(chan struct{}), make(chan struct{})
	var once, done sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(in) })
		select {
		case <-out:
		case <-r.Context().Done():
		}
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	unblock = func() { done.Do(func() { close(out) }) }
	t.Cleanup(func() { unblock(); srv.Close() })
	return srv.URL + "/backups/bo-down-flat.vmdk", in, unblock
}

// Two launches of one md5 from two sources share the first caller's fetch;
// when that source fails (503), the caller whose own source is healthy
// fetches from it instead of failing with the other's error.
func TestSharedFetchFailureTriesOwnSource(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	good := imagetest.NewServer(t, 2*mib)
	badURL, entered, unblock := blocked503(t)

	errA := make(chan error, 1)
	go func() {
		_, err := r.cache.Ensure(ctx, image.Source{URI: badURL, MD5: good.MD5()}, nil)
		errA <- err
	}()
	<-entered // A's fetch is under way, from the bad source
	errB := make(chan error, 1)
	go func() {
		_, err := r.cache.Ensure(ctx, image.Source{URI: good.FlatURL(), MD5: good.MD5()}, nil)
		errB <- err
	}()
	time.Sleep(200 * time.Millisecond) // B joins A's fetch
	assert.Zero(t, good.Requests(), "B shares A's fetch")
	unblock()

	err := <-errA
	var se *image.StatusError
	require.ErrorAs(t, err, &se, "A's own source failed")
	assert.Equal(t, http.StatusServiceUnavailable, se.Status)
	require.NoError(t, <-errB, "B fetched from its own source")
	assert.Equal(t, good.Size(), good.BytesServed())
	e, err := r.cache.Lookup(ctx, good.MD5())
	require.NoError(t, err)
	assert.Equal(t, good.Size(), e.Size)
	assert.Empty(t, tmpLeft(t, r))
}

// A caller of the same source does not fetch again after a failure: the
// error is the source's, and so is its own.
func TestSharedFetchFailureOfTheSameSource(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	badURL, entered, unblock := blocked503(t)
	const sum = "0123456789abcdef0123456789abcdef"
	errs := make(chan error, 2)
	go func() { _, err := r.cache.Ensure(ctx, image.Source{URI: badURL, MD5: sum}, nil); errs <- err }()
	<-entered
	go func() { _, err := r.cache.Ensure(ctx, image.Source{URI: badURL, MD5: sum}, nil); errs <- err }()
	time.Sleep(200 * time.Millisecond)
	unblock()
	for range 2 {
		var se *image.StatusError
		require.ErrorAs(t, <-errs, &se)
	}
}

// When every caller of a shared download gives up, the download stops:
// nothing half-made is left in the cache, the datastore lock is released
// (another agent gets it at once) and no goroutine is left behind.
func TestSharedDownloadCancelledWhenAllCallersLeave(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 4*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	opts := leakOpts()
	reached, release := s.HoldNext(mib)
	defer release()

	const callers = 3
	cancels := make([]context.CancelFunc, callers)
	errs := make(chan error, callers)
	for i := range callers {
		cctx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		go func() { _, err := r.cache.Ensure(cctx, src, nil); errs <- err }()
	}
	<-reached
	time.Sleep(100 * time.Millisecond) // every caller has joined
	require.Len(t, tmpLeft(t, r), 2, "a .tmp- folder and the .lock- folder mid-transfer")
	for i, cancel := range cancels {
		cancel()
		if i < callers-1 {
			// The others still wait: the download goes on.
			require.ErrorIs(t, <-errs, context.Canceled)
			assert.Len(t, tmpLeft(t, r), 2, "the download goes on while a caller waits")
		}
	}
	require.ErrorIs(t, <-errs, context.Canceled)
	assert.Empty(t, tmpLeft(t, r), "no temporary folder, no lock")
	_, err := r.cache.Lookup(ctx, s.MD5())
	require.Error(t, err, "nothing cached")

	// Another agent takes the lock at once and fetches the image.
	other := image.NewCache(r.cl, image.CacheOptions{LockTimeout: 2 * time.Second, LockPoll: 20 * time.Millisecond, Logger: fastOpts().Logger})
	release()
	s.ResetCounters()
	_, err = other.Ensure(ctx, src, nil)
	require.NoError(t, err)
	assert.Equal(t, s.Size(), s.BytesServed())
	goleak.VerifyNone(t, opts...)
}
