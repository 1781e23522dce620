package registry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

// Register the seed's ESXi host over the Web API, here against the
// embedded fake, and show it as `vdc-manage host show` does.
func Example() {
	ctx := context.Background()
	fake := registrytest.Start()
	defer fake.Close()

	c, err := registry.NewClient(fake.URL, registry.WithAccount("a-shpoolxx"))
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := registry.HostSpec{NodeID: "hva.esxi1", UUID: "hn-esxi1", DisplayName: "esxi host 1",
		CPUCores: 100, MemoryMB: 400000, Hypervisor: "esxi"}

	// The HVA has not reported yet: refused, as vdc-manage does without --force.
	_, err = c.RegisterHost(ctx, spec)
	fmt.Println(errors.Is(err, registry.ErrNodeNotSeen))

	fake.SetNodeState("hva.esxi1", "online") // the agent's heartbeat arrived
	reg, err := c.RegisterHost(ctx, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.Host.ID, reg.Created)

	again, _ := c.RegisterHost(ctx, spec) // idempotent
	fmt.Println(again.Created)

	hosts, _ := c.Hosts(ctx)
	for _, h := range hosts {
		fmt.Printf("%-15s %-20s %-10s\n", h.ID, h.NodeID, h.Status)
	}
	// Output:
	// true
	// hn-esxi1 true
	// false
	// hn-esxi1        hva.esxi1            online
}

// The descriptor of a VMDK pair is found by removing the last "-flat" from
// the flat's file name.
func ExamplePairFromFlat() {
	p, err := registry.PairFromFlat("http://192.168.2.98/ubuntu-lucid-esxi-64-flat.vmdk")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.DescriptorURI)
	fmt.Println(p.BaseURI, p.ObjectKey)

	_, err = registry.PairFromFlat("http://192.168.2.98/ubuntu-lucid-esxi-64.vmdk")
	fmt.Println(errors.Is(err, registry.ErrInvalid))
	// Output:
	// http://192.168.2.98/ubuntu-lucid-esxi-64.vmdk
	// http://192.168.2.98/ ubuntu-lucid-esxi-64-flat.vmdk
	// true
}

// `vdc-manage spec add --hypervisor esxi --cpu-cores 1 --memory-size 256`
// for current Wakame: an entry in the web frontend's instance_spec.yml.
func ExampleAddSpec() {
	dir, _ := os.MkdirTemp("", "specs")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "instance_spec.yml")

	spec := registry.InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}
	changed, err := registry.AddSpec(path, "esxi.small", spec)
	fmt.Println(changed, err)
	changed, err = registry.AddSpec(path, "esxi.small", spec)
	fmt.Println(changed, err)

	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// true <nil>
	// false <nil>
	// esxi.small:
	//   cpu_cores: 1
	//   memory_size: 256
	//   hypervisor: 'esxi'
	//   quota_weight: 1.0
}
