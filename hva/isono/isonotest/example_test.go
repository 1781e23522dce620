package isonotest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono/isonotest"
)

// Example starts the Wakame side on a broker and submits a job to an
// agent. It needs RabbitMQ, so it is compiled but not run by go test.
func Example() {
	ctx := context.Background()
	col := hvatest.NewCollector()
	col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-abc123", State: "running", NodeID: "hva.esxi1"}))
	wakame, err := isonotest.Start(ctx, "amqp://guest:guest@127.0.0.1:5672/", col, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer wakame.Close()
	if err := wakame.WaitOnline(ctx, "hva.esxi1"); err != nil { // an agent started with -i esxi1
		log.Fatal(err)
	}
	err = wakame.Submit(ctx, "hva-handle", "hva.esxi1", "reboot", "i-abc123")
	fmt.Println("reboot:", err)
}
