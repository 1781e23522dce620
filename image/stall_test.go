package image_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// hangingServer answers every request with headers and a few bytes, then
// nothing, until the client leaves or the test ends.
func hangingServer(t *testing.T) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "# Disk Descriptor")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv
}

// A descriptor source that sends its headers and then stalls fails
// within the stall timeout (after its retries), not at the job's end.
func TestStalledDescriptorFails(t *testing.T) {
	r := newRig(t)
	srv := hangingServer(t)
	opts := fastOpts()
	opts.Fetch.StallTimeout = 200 * time.Millisecond
	opts.Fetch.Retries = 1
	c := image.NewCache(r.cl, opts)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r.mkdir(t, ctx, "i-hang")
	err := c.Deploy(ctx, image.Source{URI: srv.URL + "/img-flat.vmdk", MD5: "0123456789abcdef0123456789abcdef"}, dsPath(t, "[datastore1] i-hang/i-hang.vmdk"), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, image.ErrStalled)
	assert.NoError(t, ctx.Err(), "the watchdog, not the job's context, ended it")
	assert.Empty(t, tmpLeft(t, r))
}

// A backup target that stops reading the flat fails the PUT within the
// stall timeout while the body is still being sent; one that takes the
// body and never answers fails too.
func TestStalledBackupPutFails(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := imagetest.NewServer(t, 8<<20)
	r.mkdir(t, ctx, "i-bk")
	desc := dsPath(t, "[datastore1] i-bk/i-bk.vmdk")
	require.NoError(t, r.cache.Deploy(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, desc, nil))

	done := make(chan struct{})
	deaf := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.CopyN(io.Discard, req.Body, 1<<10) // then reads nothing more
		select {
		case <-req.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(deaf.Close)
	fo := image.FetchOptions{StallTimeout: 200 * time.Millisecond}
	_, err := image.PutPair(ctx, r.cl, desc, deaf.URL+"/bo-1-flat.vmdk", fo, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, image.ErrStalled)
	assert.NoError(t, ctx.Err())

	mute := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body) // takes everything, never answers
		select {
		case <-req.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(mute.Close)
	t.Cleanup(func() { close(done) }) // runs first: the handlers return
	_, err = image.PutPair(ctx, r.cl, desc, mute.URL+"/bo-2-flat.vmdk", fo, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, image.ErrStalled)
	assert.NoError(t, ctx.Err())
}
