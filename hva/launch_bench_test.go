package hva_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/internal/cputime"
)

// launchSizes are the image sizes of the launch benchmarks, the same as
// image's BenchmarkDeployCold.
var launchSizes = []int64{64 << 20, 256 << 20}

// benchImage writes a generated pair of size bytes to a temporary folder,
// serves it with net/http's file server (as image's DeployCold does, so
// that the two compare) and returns the flat's URL and md5.
func benchImage(b *testing.B, size int64) (url, sum string) {
	b.Helper()
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "disk-flat.vmdk"))
	if err != nil {
		b.Fatal(err)
	}
	h := md5.New()
	if _, err := io.CopyBuffer(io.MultiWriter(f, h), imagetest.NewContent(42, size).Reader(), make([]byte, 1<<20)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "disk.vmdk"), imagetest.Descriptor("disk-flat.vmdk", size), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	b.Cleanup(srv.Close)
	return srv.URL + "/disk-flat.vmdk", hex.EncodeToString(h.Sum(nil))
}

// launchBench is a handler on vcsim and a served image of size bytes.
type launchBench struct {
	x        *harness
	cache    *image.Cache
	uri, sum string
	size     int64
	n        int
}

func newLaunchBench(b *testing.B, size int64) *launchBench {
	var cache *image.Cache
	x := newHarness(b, func(o *hva.Options) {
		cache = image.NewCache(o.Hypervisor, image.CacheOptions{Logger: testLogger()})
		o.Images = cache
	})
	uri, sum := benchImage(b, size)
	return &launchBench{x: x, cache: cache, uri: uri, sum: sum, size: size}
}

// add registers a new instance booting from the image and returns its id.
func (l *launchBench) add() string {
	l.n++
	id := fmt.Sprintf("i-lb%06d", l.n)
	l.x.col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: id, NodeID: nodeID,
		MACs: []string{fmt.Sprintf("5254%08x", l.n)}, ImageURI: l.uri, ImageMD5: l.sum, ImageSize: l.size}))
	return id
}

// dropCache deletes the image's cache entry.
func (l *launchBench) dropCache(b *testing.B) {
	entry := l.x.path(b, append(strings.Split(image.DefaultCacheDir, "/"), l.sum)...)
	if err := l.x.hv.Delete(context.Background(), entry); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLaunchWarm runs run_local_store for an image already in the
// datastore cache (a linked clone: its cost should not grow with the
// image). The VM is terminated outside the timer.
func BenchmarkLaunchWarm(b *testing.B) {
	for _, size := range launchSizes {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			l := newLaunchBench(b, size)
			ctx := context.Background()
			warm := l.add()
			if err := l.x.h.RunLocalStore(ctx, warm); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				id := l.add()
				b.StartTimer()
				if err := l.x.h.RunLocalStore(ctx, id); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := l.x.h.Terminate(ctx, id, true); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkLaunchCold runs run_local_store for an image not in the cache:
// the transfer into the cache (image's BenchmarkDeployCold) plus the rest
// of the launch. The VM and the cache entry are deleted outside the timer.
// Outside the timer too, each iteration also runs the transfer alone
// (what image's BenchmarkDeployCold times: Cache.Ensure of the uncached
// image) on the same host and source, just before the launch, so that the
// machine's load drifts alike for both: deploy-ns/op is its time,
// launch/deploy the launch's time over it and launch/deploy-cpu the same
// for the process's CPU time (which the machine's load disturbs less).
func BenchmarkLaunchCold(b *testing.B) {
	for _, size := range launchSizes {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			l := newLaunchBench(b, size)
			ctx := context.Background()
			src := image.Source{URI: l.uri, MD5: l.sum, Size: l.size}
			var deploy, deployCPU time.Duration
			transfer := func() {
				t0, c0 := time.Now(), cputime.Process()
				if _, err := l.cache.Ensure(ctx, src, nil); err != nil {
					b.Fatal(err)
				}
				deploy += time.Since(t0)
				deployCPU += cputime.Process() - c0
				l.dropCache(b)
			}
			transfer() // warm up: connections, buffers, the source's page cache
			deploy, deployCPU = 0, 0
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			var spent time.Duration
			for i := range b.N {
				b.StopTimer()
				id := l.add()
				if i%2 == 0 { // alternate which goes first
					transfer()
				}
				b.StartTimer()
				start := cputime.Process()
				err := l.x.h.RunLocalStore(ctx, id)
				spent += cputime.Process() - start
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := l.x.h.Terminate(ctx, id, true); err != nil {
					b.Fatal(err)
				}
				l.dropCache(b)
				if i%2 == 1 {
					transfer()
				}
				b.StartTimer()
			}
			if deploy > 0 {
				b.ReportMetric(float64(deploy.Nanoseconds())/float64(b.N), "deploy-ns/op")
				b.ReportMetric(float64(b.Elapsed())/float64(deploy), "launch/deploy")
			}
			if deployCPU > 0 && spent > 0 {
				b.ReportMetric(float64(spent)/float64(deployCPU), "launch/deploy-cpu")
			}
			if spent > 0 {
				b.ReportMetric(float64(spent.Nanoseconds())/float64(int64(b.N)*size), "cpu-ns/B")
				if el := b.Elapsed(); el > 0 {
					b.ReportMetric(float64(spent)/float64(el), "cores")
				}
			}
		})
	}
}
