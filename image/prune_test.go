package image_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func TestEntriesAndPrune(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	entries, err := r.cache.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries, "a missing cache is empty")

	var srcs []image.Source
	for i, size := range []int64{mib, 2 * mib, 3 * mib} {
		s := imagetest.NewServer(t, size, imagetest.WithSeed(uint64(i+10)))
		src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
		_, err := r.cache.Ensure(ctx, src, nil)
		require.NoError(t, err)
		srcs = append(srcs, src)
		time.Sleep(20 * time.Millisecond) // distinct last-use times
	}
	entries, err = r.cache.Entries(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 3)
	for i, e := range entries {
		assert.Equal(t, srcs[i].MD5, e.MD5, "least recently used first")
		assert.Equal(t, int64(i+1)*mib, e.Size)
		assert.Equal(t, srcs[i].URI, e.Source)
		assert.False(t, e.InUse)
	}

	// A dry run drops nothing.
	dropped, err := r.cache.Prune(ctx, image.PruneOptions{MaxBytes: 1, DryRun: true})
	require.NoError(t, err)
	assert.Len(t, dropped, 3)
	entries, _ = r.cache.Entries(ctx)
	assert.Len(t, entries, 3)

	// Budget: 5 MiB keeps the two most recent (2+3 MiB).
	dropped, err = r.cache.Prune(ctx, image.PruneOptions{MaxBytes: 5 * mib})
	require.NoError(t, err)
	require.Len(t, dropped, 1)
	assert.Equal(t, srcs[0].MD5, dropped[0].MD5)
	assert.NoDirExists(t, r.env.LocalPath(dropped[0].Dir))

	// A crashed agent's temporary folder.
	tmp := dsPath(t, "[datastore1] "+image.DefaultCacheDir+"/.tmp-crashed")
	require.NoError(t, r.cl.MakeDirectory(ctx, tmp))
	require.NoError(t, r.cl.Upload(ctx, dsPath(t, "[datastore1] "+image.DefaultCacheDir+"/.tmp-crashed/x-flat.vmdk"), strings.NewReader("partial"), 7))

	// Age: two hours from now, every entry is old; the temporary folder
	// is not old enough yet.
	dropped, err = r.cache.Prune(ctx, image.PruneOptions{MaxAge: time.Hour, Now: time.Now().Add(2 * time.Hour)})
	require.NoError(t, err)
	assert.Len(t, dropped, 2)
	assert.Equal(t, []string{image.DefaultCacheDir + "/.tmp-crashed/x-flat.vmdk"}, r.files())

	// A day later it is.
	dropped, err = r.cache.Prune(ctx, image.PruneOptions{Now: time.Now().Add(25 * time.Hour)})
	require.NoError(t, err)
	assert.Empty(t, dropped)
	assert.Empty(t, r.files())
}

func TestPruneKeepsWhatIsInUse(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 2*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	e, err := r.cache.Ensure(ctx, src, nil)
	require.NoError(t, err)

	// A deploy is copying the entry (held in CopyDisk) while Prune runs.
	files := &heldCopy{Files: r.cl, entered: make(chan struct{}), release: make(chan struct{})}
	cache := image.NewCache(files, fastOpts())
	r.mkdir(t, ctx, "i-abc")
	done := make(chan error, 1)
	go func() { done <- cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-abc/i-abc.vmdk"), nil) }()
	<-files.entered
	es, err := cache.Entries(ctx)
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.True(t, es[0].InUse)
	dropped, err := cache.Prune(ctx, image.PruneOptions{MaxBytes: 1, MaxAge: time.Nanosecond})
	require.NoError(t, err)
	assert.Empty(t, dropped, "the entry in use is kept")
	close(files.release)
	require.NoError(t, <-done)
	assert.FileExists(t, r.env.LocalPath(e.Flat))

	// Once the deploy is over it can go, and the instance's copy stays.
	dropped, err = cache.Prune(ctx, image.PruneOptions{MaxBytes: 1})
	require.NoError(t, err)
	assert.Len(t, dropped, 1)
	assert.Equal(t, []string{"i-abc/i-abc-flat.vmdk", "i-abc/i-abc.vmdk"}, r.files())
}

func TestDeployRefusalsAndDatastoreFaults(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 2*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	r.mkdir(t, ctx, "i-abc")

	for _, bad := range []string{"[datastore1] i-abc/i-abc", "[datastore1] i-abc/i-abc-flat.vmdk", "[datastore1] i-abc/.vmdk"} {
		err := r.cache.Deploy(ctx, src, dsPath(t, bad), nil)
		assert.ErrorContains(t, err, "must be a descriptor path ending in .vmdk", bad)
	}
	assert.Zero(t, s.Requests(), "refused before fetching")

	err := r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] nowhere/i-abc.vmdk"), nil)
	assert.ErrorContains(t, err, "the destination folder")

	// An existing destination is refused and left alone.
	require.NoError(t, r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-abc/i-abc.vmdk"), nil))
	before := r.files()
	err = r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-abc/i-abc.vmdk"), nil)
	assert.ErrorContains(t, err, "already exists")
	assert.Equal(t, before, r.files())

	// A failing copy leaves nothing of the destination.
	r.mkdir(t, ctx, "i-def")
	r.env.FailMethod("CopyVirtualDisk_Task", 1, &types.NoDiskSpace{})
	err = r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-def/i-def.vmdk"), nil)
	require.Error(t, err)
	assert.Equal(t, before, r.files())

	// A failing move into the cache leaves nothing either.
	s3 := imagetest.NewServer(t, mib, imagetest.WithSeed(98))
	r.env.FailMethod("MoveDatastoreFile_Task", 1, nil)
	err = r.cache.Deploy(ctx, image.Source{URI: s3.FlatURL(), MD5: s3.MD5()}, dsPath(t, "[datastore1] i-def/i-def.vmdk"), nil)
	assert.ErrorContains(t, err, "into the cache")
	assert.Equal(t, before, r.files())
	assert.Empty(t, tmpLeft(t, r))

	// A datastore upload cut mid-way fails the fetch and leaves nothing.
	s2 := imagetest.NewServer(t, 3*mib, imagetest.WithSeed(99))
	r.env.CutUploads(mib, 1)
	err = r.cache.Deploy(ctx, image.Source{URI: s2.FlatURL(), MD5: s2.MD5()}, dsPath(t, "[datastore1] i-def/i-def.vmdk"), nil)
	require.Error(t, err)
	assert.ErrorContains(t, err, "upload image")
	assert.Equal(t, before, r.files())
	assert.Empty(t, tmpLeft(t, r))
	// ...and the next attempt works.
	require.NoError(t, r.cache.Deploy(ctx, image.Source{URI: s2.FlatURL(), MD5: s2.MD5()}, dsPath(t, "[datastore1] i-def/i-def.vmdk"), nil))
}

func TestEnsureDeadline(t *testing.T) {
	r := newRig(t)
	s := imagetest.NewServer(t, 2*mib)
	_, release := s.HoldNext(mib)
	defer release()
	ctx, cancel := context.WithTimeout(ctxT(t), 300*time.Millisecond)
	defer cancel()
	_, err := r.cache.Ensure(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, r.files())
	assert.Empty(t, tmpLeft(t, r))
}

func TestBrokenEntryIsFetchedAgain(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 2*mib)
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}
	e, err := r.cache.Ensure(ctx, src, nil)
	require.NoError(t, err)
	require.NoError(t, os.Remove(r.env.LocalPath(e.Flat)))

	require.NoError(t, deployCase(t, r, src))
	assert.Equal(t, 2*s.Size(), s.BytesServed(), "fetched again")
	assert.FileExists(t, r.env.LocalPath(e.Flat))
}

// heldCopy holds CopyDisk until release is closed.
type heldCopy struct {
	esxi.Files
	entered, release chan struct{}
	once             sync.Once
}

func (h *heldCopy) CopyDisk(ctx context.Context, src, dst esxi.DatastorePath) error {
	h.once.Do(func() { close(h.entered) })
	<-h.release
	return h.Files.CopyDisk(ctx, src, dst)
}
