package image_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/image"
)

// rig is a simulated host with a client and a cache with fast test timings.
type rig struct {
	env   *esxitest.Env
	cl    *esxi.Client
	cache *image.Cache
}

func newRig(t *testing.T) *rig {
	t.Helper()
	env := esxitest.New(t)
	cl := env.Connect(t)
	return &rig{env: env, cl: cl, cache: image.NewCache(cl, fastOpts())}
}

func fastOpts() image.CacheOptions {
	return image.CacheOptions{
		Fetch:    image.FetchOptions{Backoff: 10 * time.Millisecond, StallTimeout: 5 * time.Second},
		LockPoll: 20 * time.Millisecond,
		Logger:   slog.New(slog.DiscardHandler),
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dsPath(t *testing.T, s string) esxi.DatastorePath {
	t.Helper()
	p, err := esxi.ParseDatastorePath(s)
	require.NoError(t, err)
	return p
}

// files lists the datastore's files, without the lock heartbeat noise.
func (r *rig) files() []string {
	out := r.env.Files()
	sort.Strings(out)
	return out
}

// mkdir makes an instance folder.
func (r *rig) mkdir(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	require.NoError(t, r.cl.MakeDirectory(ctx, esxi.DatastorePath{Datastore: esxitest.Datastore, Path: name}))
}

func readLocal(t *testing.T, r *rig, p esxi.DatastorePath) []byte {
	t.Helper()
	b, err := os.ReadFile(r.env.LocalPath(p))
	require.NoError(t, err)
	return b
}

// tmpLeft lists temporary or lock folders left in the cache.
func tmpLeft(t *testing.T, r *rig) []string {
	t.Helper()
	dir := filepath.Join(r.env.DatastoreDir, image.DefaultCacheDir)
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}
