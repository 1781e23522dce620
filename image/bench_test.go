package image_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/internal/cputime"
)

var benchSizes = []int64{64 << 20, 256 << 20}

func sizeName(n int64) string { return fmt.Sprintf("%dMiB", n>>20) }

// benchPair writes a generated pair of size bytes to a temporary folder and
// returns the folder and the flat's md5.
func benchPair(b *testing.B, size int64) (dir, sum string) {
	b.Helper()
	dir = b.TempDir()
	c := imagetest.NewContent(42, size)
	f, err := os.Create(filepath.Join(dir, "disk-flat.vmdk"))
	if err != nil {
		b.Fatal(err)
	}
	h := md5.New()
	if _, err := io.CopyBuffer(io.MultiWriter(f, h), c.Reader(), make([]byte, 1<<20)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "disk.vmdk"), imagetest.Descriptor("disk-flat.vmdk", size), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, fmt.Sprintf("%x", h.Sum(nil))
}

// countingFS serves dir and counts the body bytes it sends (keeping
// sendfile: the count comes from ReadFrom).
type countingFS struct {
	h     http.Handler
	bytes atomic.Int64
}

func (c *countingFS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.h.ServeHTTP(&countingRW{ResponseWriter: w, n: &c.bytes}, r)
}

type countingRW struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingRW) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w *countingRW) ReadFrom(r io.Reader) (int64, error) {
	n, err := w.ResponseWriter.(io.ReaderFrom).ReadFrom(r)
	w.n.Add(n)
	return n, err
}

// cpuMeter adds up the process's CPU time (all threads) around the timed
// work and reports it per byte moved: where wall time depends on how busy
// the machine is, this shows the work a transfer really costs.
type cpuMeter struct {
	start time.Duration
	spent time.Duration
}

func (c *cpuMeter) begin() { c.start = cputime.Process() }
func (c *cpuMeter) end()   { c.spent += cputime.Process() - c.start }

// report reports the CPU time per byte and the cores kept busy on
// average. The machine's core count over cores is how much faster the
// same work could go at most: with cpu-ns/B this bounds the ratio between
// two benchmarks (DeployCold moves at most the machine's core count
// divided by its cpu-ns/B, in bytes per nanosecond).
func (c *cpuMeter) report(b *testing.B, size int64) {
	if c.spent > 0 {
		b.ReportMetric(float64(c.spent.Nanoseconds())/float64(int64(b.N)*size), "cpu-ns/B")
		if el := b.Elapsed(); el > 0 {
			b.ReportMetric(float64(c.spent)/float64(el), "cores")
		}
	}
}

// ensureEach fetches src into the cache b.N times, deleting the entry
// between rounds outside the timer, and reports the CPU time it took.
func ensureEach(b *testing.B, files esxi.Files, cache *image.Cache, src image.Source, size int64) {
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	var cpu cpuMeter
	for range b.N {
		cpu.begin()
		e, err := cache.Ensure(ctx, src, nil)
		cpu.end()
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := files.Delete(ctx, e.Dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	cpu.report(b, size)
}

func serveDir(b *testing.B, dir string) (*countingFS, string) {
	fs := &countingFS{h: http.FileServer(http.Dir(dir))}
	srv := httptest.NewServer(fs)
	b.Cleanup(srv.Close)
	return fs, srv.URL
}

// BenchmarkMD5Baseline is the physical limit of a verified transfer here:
// the md5 of the flat read from local disk.
func BenchmarkMD5Baseline(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			dir, _ := benchPair(b, size)
			buf := make([]byte, 256<<10)
			b.SetBytes(size)
			b.ReportAllocs()
			var cpu cpuMeter
			b.ResetTimer()
			cpu.begin()
			for range b.N {
				f, err := os.Open(filepath.Join(dir, "disk-flat.vmdk"))
				if err != nil {
					b.Fatal(err)
				}
				h := md5.New()
				if _, err := io.CopyBuffer(h, f, buf); err != nil {
					b.Fatal(err)
				}
				f.Close()
				_ = h.Sum(nil)
			}
			cpu.end()
			cpu.report(b, size)
		})
	}
}

// benchCache serves a generated pair of size bytes and returns a cache on a
// fresh simulated host, with the pair's Source.
func benchCache(b *testing.B, size int64) (*countingFS, *esxi.Client, *image.Cache, image.Source) {
	b.Helper()
	dir, sum := benchPair(b, size)
	fs, url := serveDir(b, dir)
	cl := esxitest.New(b).Connect(b)
	cache := image.NewCache(cl, image.CacheOptions{Logger: slog.New(slog.DiscardHandler)})
	return fs, cl, cache, image.Source{URI: url + "/disk-flat.vmdk", MD5: sum}
}

// BenchmarkDeployCold fetches the pair from a local HTTP server into
// vcsim's datastore1 through the full verified path into the cache (what a
// launch of an uncached image does before its copy).
func BenchmarkDeployCold(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			fs, cl, cache, src := benchCache(b, size)
			ensureEach(b, cl, cache, src, size)
			b.ReportMetric(float64(fs.bytes.Load())/float64(b.N), "src-B/op")
		})
	}
}

// BenchmarkDeployWarm deploys a cached pair into a new instance folder.
func BenchmarkDeployWarm(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			fs, cl, cache, src := benchCache(b, size)
			ctx := context.Background()
			if _, err := cache.Ensure(ctx, src, nil); err != nil {
				b.Fatal(err)
			}
			fs.bytes.Store(0)
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				folder := esxi.DatastorePath{Datastore: cl.Datastore(), Path: fmt.Sprintf("i-%d", i)}
				if err := cl.MakeDirectory(ctx, folder); err != nil {
					b.Fatal(err)
				}
				dst, _ := folder.Join(folder.Path + ".vmdk")
				b.StartTimer()
				if err := cache.Deploy(ctx, src, dst, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := cl.Delete(ctx, folder); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(fs.bytes.Load())/float64(b.N), "src-B/op")
		})
	}
}

// BenchmarkTransferBaseline is the same transfer without verification or
// cache: the flat GET from the local HTTP server streamed straight into a
// datastore upload. DeployCold / TransferBaseline is the cost of hashing
// and caching on top of moving the bytes.
func BenchmarkTransferBaseline(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			dir, _ := benchPair(b, size)
			_, url := serveDir(b, dir)
			env := esxitest.New(b)
			cl := env.Connect(b)
			ctx := context.Background()
			dst := esxi.DatastorePath{Datastore: cl.Datastore(), Path: "plain-flat.vmdk"}
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			var cpu cpuMeter
			cpu.begin()
			for range b.N {
				resp, err := http.Get(url + "/disk-flat.vmdk")
				if err != nil {
					b.Fatal(err)
				}
				err = cl.Upload(ctx, dst, resp.Body, resp.ContentLength)
				resp.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			cpu.end()
			cpu.report(b, size)
		})
	}
}
