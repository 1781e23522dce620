package hva_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// BenchmarkRunLocalStore runs the whole run_local_store job for a cached
// 16 MiB image on vcsim (deploy from the cache, metadata CD, CreateVM,
// power on, collector and events); the VM is terminated outside the
// timer. "parallel8" launches 8 instances at once per op.
func BenchmarkRunLocalStore(b *testing.B) {
	for _, par := range []int{1, 8} {
		name := "serial"
		if par > 1 {
			name = fmt.Sprintf("parallel%d", par)
		}
		b.Run(name, func(b *testing.B) {
			x := newHarness(b)
			x.img = imagetest.NewServer(b, 16<<20)
			ctx := context.Background()
			x.addInstance("i-warm0000", "initializing", "525400ff0000") // fill the cache
			if err := x.h.RunLocalStore(ctx, "i-warm0000"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ids := make([]string, par)
				for j := range ids {
					ids[j] = fmt.Sprintf("i-b%03d%04d", j, i%10000)
					x.addInstance(ids[j], "initializing", fmt.Sprintf("5254%02x%06x", j, i%0xffffff))
				}
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				errs := make([]error, par)
				for j := range ids {
					wg.Add(1)
					go func() {
						defer wg.Done()
						errs[j] = x.h.RunLocalStore(ctx, ids[j])
					}()
				}
				wg.Wait()
				elapsed += time.Since(start)
				b.StopTimer()
				for j, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
					if err := x.h.Terminate(ctx, ids[j], true); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*par)/elapsed.Seconds(), "jobs/s")
			if x.img.FlatRequests() != 1 {
				b.Fatalf("the source was read %d times, want once (the warm-up)", x.img.FlatRequests())
			}
		})
	}
}
