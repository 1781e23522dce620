package esxi_test

import (
	"context"
	"fmt"
	"log"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

// Create a VM with a fixed MAC on the embedded simulator, power it on and
// destroy it.
func Example() {
	ctx := context.Background()
	sim, err := esxitest.Start(ctx) // a real host: fill an esxi.Config instead
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	hv, err := esxi.Connect(ctx, sim.Config)
	if err != nil {
		log.Fatal(err)
	}
	defer hv.Close(ctx)

	vm, err := hv.CreateVM(ctx, esxi.VMSpec{
		Name: "i-abc123", CPUs: 1, MemoryMB: 256,
		NICs: []esxi.NICSpec{{MAC: "525400123456"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := hv.PowerOn(ctx, vm.Name); err != nil {
		log.Fatal(err)
	}
	state, _ := hv.PowerState(ctx, vm.Name)
	fmt.Println(vm.Name, vm.NICs[0].MAC, vm.NICs[0].PortGroup, state)

	if err := hv.DestroyVM(ctx, vm.Name); err != nil {
		log.Fatal(err)
	}
	_, err = hv.VM(ctx, vm.Name)
	fmt.Println(err)
	// Output:
	// i-abc123 52:54:00:12:34:56 VM Network poweredOn
	// get vm i-abc123: not found: no VM named "i-abc123"
}

func ExampleDatastorePath_Join() {
	root := esxi.DatastorePath{Datastore: "datastore1"}
	p, err := root.Join("i-abc123", "i-abc123.vmdk")
	fmt.Println(p, err)
	_, err = root.Join("../etc")
	fmt.Println(err)
	// Output:
	// [datastore1] i-abc123/i-abc123.vmdk <nil>
	// bad name: "../etc" contains '/'
}
