package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

// BenchmarkAllHostNodes iterates 500 hosts through the fake with two page
// sizes; the 250 page (dcmgr's default) is the baseline.
func BenchmarkAllHostNodes(b *testing.B) {
	fake := registrytest.New(b)
	c, err := registry.NewClient(fake.URL)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range 500 {
		one := 1
		if _, err := c.CreateHostNode(ctx, registry.HostNodeFields{NodeID: fmt.Sprintf("hva.n%d", i), Arch: "x86_64",
			Hypervisor: "esxi", OfferingCPUCores: &one, OfferingMemorySize: &one}); err != nil {
			b.Fatal(err)
		}
	}
	for _, limit := range []int{250, 50} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range c.AllHostNodes(ctx, registry.ListOptions{Limit: limit}) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 500 {
					b.Fatalf("got %d hosts", n)
				}
			}
		})
	}
}
