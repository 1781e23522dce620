package image_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func fileMD5(t *testing.T, name string) (string, int64) {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil)), n
}

func TestDeployColdThenWarm(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv := imagetest.NewServer(t, 3<<20+512)
	src := image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}

	var last image.Progress
	r.mkdir(t, ctx, "i-abc")
	dst := dsPath(t, "[datastore1] i-abc/i-abc.vmdk")
	require.NoError(t, r.cache.Deploy(ctx, src, dst, func(p image.Progress) { last = p }))
	assert.Equal(t, srv.Size(), last.Done)
	assert.Equal(t, srv.Size(), last.Total)
	assert.Equal(t, srv.Size(), srv.BytesServed(), "cold deploy fetches the flat once")

	// Both files of the copy are really there, and the descriptor names
	// the instance's flat.
	sum, n := fileMD5(t, r.env.LocalPath(dsPath(t, "[datastore1] i-abc/i-abc-flat.vmdk")))
	assert.Equal(t, srv.MD5(), sum)
	assert.Equal(t, srv.Size(), n)
	d, err := image.ParseDescriptor(readLocal(t, r, dst))
	require.NoError(t, err)
	assert.Equal(t, "i-abc-flat.vmdk", d.Extent.File)
	assert.Equal(t, srv.Size(), d.Size())

	_, err = image.NewCache(r.cl, fastOpts()).Lookup(ctx, "0123456789abcdef0123456789ABCDEF")
	assert.ErrorIs(t, err, esxi.ErrNotFound)
	le, err := r.cache.Lookup(ctx, srv.MD5())
	require.NoError(t, err)
	assert.Equal(t, srv.Size(), le.Size)
	assert.Equal(t, srv.FlatURL(), le.Source)

	// The cache entry is complete, no temporaries or lock are left.
	e, err := r.cache.Ensure(ctx, src, nil)
	require.NoError(t, err)
	sum, _ = fileMD5(t, r.env.LocalPath(e.Flat))
	assert.Equal(t, srv.MD5(), sum)
	cd, err := image.ParseDescriptor(readLocal(t, r, e.Descriptor))
	require.NoError(t, err)
	assert.Equal(t, srv.MD5()+"-flat.vmdk", cd.Extent.File)
	assert.Empty(t, tmpLeft(t, r))

	// Warm: a second instance fetches nothing.
	srv.ResetCounters()
	r.mkdir(t, ctx, "i-def")
	dst2 := dsPath(t, "[datastore1] i-def/i-def.vmdk")
	require.NoError(t, r.cache.Deploy(ctx, src, dst2, nil))
	assert.Zero(t, srv.BytesServed())
	assert.Zero(t, srv.Requests())
	sum, _ = fileMD5(t, r.env.LocalPath(dsPath(t, "[datastore1] i-def/i-def-flat.vmdk")))
	assert.Equal(t, srv.MD5(), sum)
	d, err = image.ParseDescriptor(readLocal(t, r, dst2))
	require.NoError(t, err)
	assert.Equal(t, "i-def-flat.vmdk", d.Extent.File)

	assert.Equal(t, []string{
		".esxi-hva/images/" + srv.MD5() + "/" + srv.MD5() + "-flat.vmdk",
		".esxi-hva/images/" + srv.MD5() + "/" + srv.MD5() + ".vmdk",
		".esxi-hva/images/" + srv.MD5() + "/entry.json",
		"i-abc/i-abc-flat.vmdk",
		"i-abc/i-abc.vmdk",
		"i-def/i-def-flat.vmdk",
		"i-def/i-def.vmdk",
	}, r.files())
}
