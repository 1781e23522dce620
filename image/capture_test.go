package image_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// davServer stores PUT bodies by path, or answers status when it is set.
type davServer struct {
	mu     sync.Mutex
	files  map[string][]byte
	status int
	srv    *httptest.Server
}

func newDAV(t *testing.T) *davServer {
	d := &davServer{files: map[string][]byte{}}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		d.mu.Lock()
		status := d.status
		d.mu.Unlock()
		if status != 0 {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		d.mu.Lock()
		d.files[r.URL.Path] = b
		d.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

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

	dav := newDAV(t)
	c, err = image.PutPair(ctx, r.cl, desc, dav.srv.URL+"/backups/bo-x-flat.vmdk", image.FetchOptions{}, nil)
	require.NoError(t, err)
	assert.Equal(t, s.MD5(), c.MD5)
	flat := dav.files["/backups/bo-x-flat.vmdk"]
	sum = md5.Sum(flat)
	assert.Equal(t, s.MD5(), hex.EncodeToString(sum[:]))
	d, err := image.ParseDescriptor(dav.files["/backups/bo-x.vmdk"])
	require.NoError(t, err)
	assert.Equal(t, "bo-x-flat.vmdk", d.Extent.File, "the descriptor names the uploaded flat")

	// The captured pair deploys again (round trip).
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, ok := dav.files[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(img.Close)
	r.mkdir(t, ctx, "i-new")
	require.NoError(t, image.NewCache(r.cl, image.CacheOptions{Dir: dsPath(t, "[datastore1] other-cache")}).
		Deploy(ctx, image.Source{URI: img.URL + "/backups/bo-x-flat.vmdk", MD5: c.MD5}, dsPath(t, "[datastore1] i-new/i-new.vmdk"), nil))

	// A refusing target: the error names the URL without credentials.
	dav.status = http.StatusForbidden
	u, _ := url.Parse(dav.srv.URL + "/backups/bo-y-flat.vmdk")
	u.User = url.UserPassword("dav", "pw-secret")
	_, err = image.PutPair(ctx, r.cl, desc, u.String(), image.FetchOptions{}, nil)
	var se *image.StatusError
	require.True(t, errors.As(err, &se), "got %v", err)
	assert.Equal(t, http.StatusForbidden, se.Status)
	assert.Equal(t, "PUT "+dav.srv.URL+"/backups/bo-y-flat.vmdk: 403 Forbidden", err.Error())

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
