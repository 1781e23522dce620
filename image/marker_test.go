package image_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// cachedWithMarker caches a 1 MiB image in r's cache and returns its
// server, its source, its entry and the local path of its entry's marker.
func cachedWithMarker(t *testing.T, r *rig) (*imagetest.Server, image.Source, image.Entry, string) {
	t.Helper()
	srv := imagetest.NewServer(t, 1<<20)
	src := image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}
	e, err := r.cache.Ensure(ctxT(t), src, nil)
	require.NoError(t, err)
	return srv, src, e, r.env.LocalPath(e.Dir) + "/entry.json"
}

// A marker caught mid-rewrite (datastore uploads are not atomic) is read
// again rather than failing the deploy; one that stays broken is a clear
// error after a few reads.
func TestTornMarkerIsReadAgain(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv, src, _, marker := cachedWithMarker(t, r)
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

}

// A marker torn for good (an agent died while rewriting it in place) is
// repaired from the entry's pair: the launch of that image succeeds
// without fetching it, Entries lists it and Prune drops it.
func TestTornMarkerIsRepaired(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv, src, e, marker := cachedWithMarker(t, r)
	good, err := os.ReadFile(marker)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(marker, good[:len(good)/2], 0o600))

	r.mkdir(t, ctx, "i-torn")
	srv.ResetCounters()
	require.NoError(t, r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-torn/i-torn.vmdk"), nil))
	assert.Zero(t, srv.BytesServed(), "a cache hit: the pair was verified when it was fetched")
	var m map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, marker), &m), "the marker is whole again")
	assert.Equal(t, srv.MD5(), m["md5"])
	assert.EqualValues(t, srv.Size(), m["size"])

	// Torn again: Entries and Prune repair and handle it.
	require.NoError(t, os.WriteFile(marker, []byte("{"), 0o600))
	entries, err := r.cache.Entries(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, srv.Size(), entries[0].Size)
	require.NoError(t, os.WriteFile(marker, []byte(`{"md5": "`), 0o600))
	dropped, err := r.cache.Prune(ctx, image.PruneOptions{MaxBytes: 1})
	require.NoError(t, err)
	require.Len(t, dropped, 1)
	assert.NoDirExists(t, r.env.LocalPath(e.Dir))
}

// A torn marker beside a flat that is gone (or of the wrong size) is a
// broken entry: it is deleted and the image fetched again.
func TestTornMarkerOfABrokenEntryIsFetchedAgain(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv := imagetest.NewServer(t, 1<<20)
	src := image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}
	e, err := r.cache.Ensure(ctx, src, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(r.env.LocalPath(e.Dir)+"/entry.json", []byte("{"), 0o600))
	require.NoError(t, os.Truncate(r.env.LocalPath(e.Flat), 4096))

	r.mkdir(t, ctx, "i-refetch")
	srv.ResetCounters()
	require.NoError(t, r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-refetch/i-refetch.vmdk"), nil))
	assert.Equal(t, srv.Size(), srv.BytesServed(), "fetched again")
	fi, err := os.Stat(r.env.LocalPath(e.Flat))
	require.NoError(t, err)
	assert.Equal(t, srv.Size(), fi.Size())
}

// tearingFiles cuts the next upload of a marker-like ".json" file
// half-way: half the bytes land, then the upload fails (an agent killed
// mid-write).
type tearingFiles struct {
	esxi.Files
	tore atomic.Bool
}

func (f *tearingFiles) Upload(ctx context.Context, p esxi.DatastorePath, r io.Reader, size int64) error {
	if strings.HasSuffix(p.Path, ".json") && f.tore.CompareAndSwap(false, true) {
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if err := f.Files.Upload(ctx, p, bytes.NewReader(b[:len(b)/2]), int64(len(b)/2)); err != nil {
			return err
		}
		return errors.New("connection reset mid-upload")
	}
	return f.Files.Upload(ctx, p, r, size)
}

// A deploy records the entry's last use by writing a new marker and
// moving it over the old one: an upload cut half-way leaves the old
// marker whole.
func TestMarkerRewriteIsAtomic(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	_, src, e, marker := cachedWithMarker(t, r)
	var m map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, marker), &m))
	m["last_used"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano) // due for a rewrite
	old, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(marker, old, 0o600))

	tf := &tearingFiles{Files: r.cl}
	cache := image.NewCache(tf, fastOpts())
	r.mkdir(t, ctx, "i-touch")
	require.NoError(t, cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-touch/i-touch.vmdk"), nil))
	require.True(t, tf.tore.Load(), "the marker rewrite was cut")
	assert.Equal(t, old, readFile(t, marker), "the old marker is whole")
	assert.Equal(t, []string{e.MD5 + "-flat.vmdk", e.MD5 + ".vmdk", "entry.json"}, entryFiles(t, r, e), "no temporary marker left")

	// Uncut, the rewrite lands.
	r.mkdir(t, ctx, "i-touch2")
	require.NoError(t, cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-touch2/i-touch2.vmdk"), nil))
	require.NoError(t, json.Unmarshal(readFile(t, marker), &m))
	used, err := time.Parse(time.RFC3339Nano, m["last_used"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), used, time.Minute)
	assert.Equal(t, []string{e.MD5 + "-flat.vmdk", e.MD5 + ".vmdk", "entry.json"}, entryFiles(t, r, e))
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return b
}

// entryFiles lists the files of an entry's folder, sorted.
func entryFiles(t *testing.T, r *rig, e image.Entry) []string {
	t.Helper()
	des, err := os.ReadDir(r.env.LocalPath(e.Dir))
	require.NoError(t, err)
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	sort.Strings(names)
	return names
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
