package image_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// A marker caught mid-rewrite (datastore uploads are not atomic) is read
// again rather than failing the deploy; one that stays broken is a clear
// error after a few reads.
func TestTornMarkerIsReadAgain(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv := imagetest.NewServer(t, 1<<20)
	src := image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}
	e, err := r.cache.Ensure(ctx, src, nil)
	require.NoError(t, err)
	marker := r.env.LocalPath(e.Dir) + "/entry.json"
	good, err := os.ReadFile(marker)
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(marker, good[:len(good)/2], 0o600)) // torn
	go func() {
		time.Sleep(30 * time.Millisecond)
		_ = os.WriteFile(marker, good, 0o600) // the writer finishes
	}()
	r.mkdir(t, ctx, "i-torn")
	srv.ResetCounters()
	require.NoError(t, r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-torn/i-torn.vmdk"), nil))
	assert.Zero(t, srv.BytesServed(), "still a cache hit")

	require.NoError(t, os.WriteFile(marker, []byte("{"), 0o600)) // broken for good
	r.mkdir(t, ctx, "i-broken")
	err = r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-broken/i-broken.vmdk"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read cache marker")

	// Entries and Prune skip it rather than fail.
	entries, err := r.cache.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries)
	_, err = r.cache.Prune(ctx, image.PruneOptions{MaxBytes: 1})
	require.NoError(t, err)
}

// An existing destination is refused before anything is fetched: an
// uncached image costs no download for a copy that is already there.
func TestDeployOntoAnExistingCopyFetchesNothing(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv := imagetest.NewServer(t, 1<<20)
	r.mkdir(t, ctx, "i-there")
	dst := dsPath(t, "[datastore1] i-there/i-there.vmdk")
	require.NoError(t, os.WriteFile(r.env.LocalPath(dst), []byte("already here"), 0o600))
	err := r.cache.Deploy(ctx, image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}, dst, nil)
	require.ErrorIs(t, err, esxi.ErrExists)
	assert.Zero(t, srv.Requests(), "nothing fetched")
	assert.Equal(t, []byte("already here"), readLocal(t, r, dst), "left as it was")
}
