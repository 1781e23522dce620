package image_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// recorder is a CacheObserver that keeps what it is told.
type recorder struct {
	mu                sync.Mutex
	hits, misses      int
	fetched, uploaded int64
}

func (r *recorder) Lookup(_ string, hit bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if hit {
		r.hits++
	} else {
		r.misses++
	}
}

func (r *recorder) Transferred(_ string, fetched, uploaded int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetched += fetched
	r.uploaded += uploaded
}

func TestCacheObserverSeesHitsMissesAndBytes(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	obs := &recorder{}
	opts := fastOpts()
	opts.Observer = obs
	cache := image.NewCache(r.cl, opts)
	srv := imagetest.NewServer(t, 1<<20)
	src := image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}

	r.mkdir(t, ctx, "i-one")
	require.NoError(t, cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-one/i-one.vmdk"), nil))
	assert.Equal(t, 0, obs.hits)
	assert.Equal(t, 1, obs.misses, "a cold deploy is a miss")
	assert.Equal(t, srv.Size(), obs.fetched)
	assert.Equal(t, srv.Size(), obs.uploaded)

	r.mkdir(t, ctx, "i-two")
	require.NoError(t, cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-two/i-two.vmdk"), nil))
	assert.Equal(t, 1, obs.hits, "a warm deploy is a hit")
	assert.Equal(t, 1, obs.misses)
	assert.Equal(t, srv.Size(), obs.fetched, "a hit fetches nothing")
}
