package esxi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

// BenchmarkVMLifecycle measures create + power on + destroy on vcsim with
// one shared session, against a baseline that logs in and out around each
// lifecycle as Wakame's Ruby driver does (it logs in on every call).
func BenchmarkVMLifecycle(b *testing.B) {
	lifecycle := func(b *testing.B, c *esxi.Client, i int) {
		ctx := context.Background()
		name := fmt.Sprintf("i-bench%d", i)
		if _, err := c.CreateVM(ctx, esxi.VMSpec{Name: name, CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: "52:54:00:00:00:01"}}}); err != nil {
			b.Fatal(err)
		}
		if err := c.PowerOn(ctx, name); err != nil {
			b.Fatal(err)
		}
		if err := c.DestroyVM(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("shared-session", func(b *testing.B) {
		env := esxitest.New(b)
		c := env.Connect(b)
		env.ResetCalls()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			lifecycle(b, c, i)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(c.Logins()), "logins/run")
		b.ReportMetric(float64(env.Calls("Login"))/float64(b.N), "logins/op")
	})
	b.Run("login-per-op", func(b *testing.B) {
		env := esxitest.New(b)
		env.ResetCalls()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			c, err := esxi.Connect(context.Background(), env.Config)
			if err != nil {
				b.Fatal(err)
			}
			lifecycle(b, c, i)
			_ = c.Close(context.Background())
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(env.Calls("Login"))/float64(b.N), "logins/op")
	})
}
