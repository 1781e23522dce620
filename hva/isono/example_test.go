package isono_test

import (
	"context"
	"log"
	"os/signal"
	"syscall"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/isono"
)

// Example is an HVA in a dozen lines: ESXi, the Isono node, the handler
// with the node's collector and events, and jobs until SIGTERM. It needs
// an ESXi host and RabbitMQ, so it is compiled but not run by go test.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	hv, err := esxi.Connect(ctx, esxi.Config{Host: "esxi1.example.com", Username: "root", Password: "secret", Datastore: "datastore1"})
	if err != nil {
		log.Fatal(err)
	}
	defer hv.Close(context.Background())
	node, err := isono.Dial(ctx, isono.Options{URL: "amqp://guest:guest@127.0.0.1:5672/", NodeID: "hva.esxi1"})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	h, err := hva.New(hva.Options{NodeID: "hva.esxi1", Hypervisor: hv, Collector: node.Collector(), Events: node.Events()})
	if err != nil {
		log.Fatal(err)
	}
	go h.Monitor(ctx, 0)
	if err := node.ServeHVA(ctx, h, isono.AgentOptions{}); err != nil {
		log.Fatal(err)
	}
}
