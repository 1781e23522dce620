package image_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func TestCaptureAndPutPair(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 3*mib+512)
	r.mkdir(t, ctx, "i-abc")
	desc := dsPath(t, "[datastore1] i-abc/i-abc.vmdk")
	require.NoError(t, r.cache.Deploy(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, desc, nil))

	var buf bytes.Buffer
	var last image.Progress
	c, err := image.Capture(ctx, r.cl, desc, &buf, func(p image.Progress) { last = p })
	require.NoError(t, err)
	assert.Equal(t, s.MD5(), c.MD5)
	assert.Equal(t, s.Size(), c.Size)
	sum := md5.Sum(buf.Bytes())
	assert.Equal(t, s.MD5(), hex.EncodeToString(sum[:]))
	assert.Equal(t, readLocal(t, r, desc), c.Descriptor)
	assert.Equal(t, s.Size(), last.Done)

	dav := imagetest.NewPutServer(t)
	c, err = image.PutPair(ctx, r.cl, desc, dav.URL()+"/backups/bo-x-flat.vmdk", image.FetchOptions{}, nil)
	require.NoError(t, err)
	assert.Equal(t, s.MD5(), c.MD5)
	flat := dav.File("/backups/bo-x-flat.vmdk")
	sum = md5.Sum(flat)
	assert.Equal(t, s.MD5(), hex.EncodeToString(sum[:]))
	d, err := image.ParseDescriptor(dav.File("/backups/bo-x.vmdk"))
	require.NoError(t, err)
	assert.Equal(t, "bo-x-flat.vmdk", d.Extent.File, "the descriptor names the uploaded flat")

	// The captured pair deploys again (round trip).
	r.mkdir(t, ctx, "i-new")
	require.NoError(t, image.NewCache(r.cl, image.CacheOptions{Dir: dsPath(t, "[datastore1] other-cache")}).
		Deploy(ctx, image.Source{URI: dav.URL() + "/backups/bo-x-flat.vmdk", MD5: c.MD5}, dsPath(t, "[datastore1] i-new/i-new.vmdk"), nil))

	// A refusing target: the error names the URL without credentials.
	dav.Refuse(http.StatusForbidden)
	u, _ := url.Parse(dav.URL() + "/backups/bo-y-flat.vmdk")
	u.User = url.UserPassword("dav", "pw-secret")
	_, err = image.PutPair(ctx, r.cl, desc, u.String(), image.FetchOptions{}, nil)
	var se *image.StatusError
	require.True(t, errors.As(err, &se), "got %v", err)
	assert.Equal(t, http.StatusForbidden, se.Status)
	assert.Equal(t, "PUT "+dav.URL()+"/backups/bo-y-flat.vmdk: 403 Forbidden", err.Error())

	// Missing pair, and a flat whose size disagrees with its descriptor.
	_, err = image.Capture(ctx, r.cl, dsPath(t, "[datastore1] i-abc/none.vmdk"), io.Discard, nil)
	assert.Error(t, err)
	flatPath := dsPath(t, "[datastore1] i-abc/i-abc-flat.vmdk")
	require.NoError(t, r.cl.Upload(ctx, flatPath, bytes.NewReader(make([]byte, 512)), 512))
	_, err = image.Capture(ctx, r.cl, desc, io.Discard, nil)
	assert.ErrorIs(t, err, image.ErrSizeMismatch)
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestCaptureWriterFails(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	s := imagetest.NewServer(t, 4*mib)
	r.mkdir(t, ctx, "i-abc")
	desc := dsPath(t, "[datastore1] i-abc/i-abc.vmdk")
	require.NoError(t, r.cache.Deploy(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, desc, nil))
	opts := leakOpts()
	_, err := image.Capture(ctx, r.cl, desc, &failingWriter{n: mib}, nil)
	assert.ErrorContains(t, err, "disk full")
	goleakVerify(t, opts)
}
