package hva_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// Example embeds the job handler in a custom agent: an ESXi host (here
// the embedded simulator), a collector and an event sink (here in
// memory; hva/isono gives Wakame's over AMQP), then jobs by Wakame's
// names. This is the README's embedding example.
func Example() {
	ctx := context.Background()
	sim, err := esxitest.Start(ctx) // a real host: esxi.Config{Host: ..., Password: ...}
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	hv, err := esxi.Connect(ctx, sim.Config)
	if err != nil {
		log.Fatal(err)
	}
	defer hv.Close(ctx)

	images, err := imagetest.Start(1 << 20) // an HTTP server of a VMDK pair
	if err != nil {
		log.Fatal(err)
	}
	defer images.Close()
	wakame := hvatest.NewCollector()
	wakame.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-abc123", MACs: []string{"525400123456"},
		ImageURI: images.FlatURL(), ImageMD5: images.MD5(), ImageSize: images.Size()}))

	h, err := hva.New(hva.Options{NodeID: "hva.esxi1", Hypervisor: hv, Collector: wakame,
		Events: &hvatest.Events{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	for _, job := range []string{"run_local_store", "reboot", "poweroff", "poweron", "terminate"} {
		if err := h.Dispatch(ctx, "hva-handle.hva.esxi1", job, []any{"i-abc123"}); err != nil {
			log.Fatal(err)
		}
		fmt.Println(job, "->", wakame.State("i-abc123"))
	}
	// Output:
	// run_local_store -> running
	// reboot -> running
	// poweroff -> halted
	// poweron -> running
	// terminate -> terminated
}
