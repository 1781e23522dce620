package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/esxi-hva/esxi-hva/hva/isono"
)

// simVhost is the RabbitMQ virtual host the simulation uses when -broker
// names none: never "/", where a real Wakame's collectors live.
const simVhost = "esxi-hva-simulate"

// collectorQueues are the queues the simulation's Wakame side consumes.
var collectorQueues = []string{
	isono.EndpointQueue(isono.HVACollector),
	isono.EndpointQueue(isono.STACollector),
	isono.EndpointQueue(isono.NodeCollector),
	isono.EndpointQueue(isono.JobCollector),
}

// ErrCollectorServed is returned when another consumer already serves a
// collector queue on the simulation's vhost.
var ErrCollectorServed = errors.New("another consumer already serves a Wakame collector queue there")

// brokerURL gives the -broker URL the simulation's own vhost when it
// names none ("amqp://h:5672" and "amqp://h:5672/" both mean simVhost;
// "/" itself is reached only by naming it, as ".../%2f").
func brokerURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		return "", fmt.Errorf("-broker: want amqp://[USER:PASS@]HOST:PORT/[VHOST] or amqps://..., got %q", redactURL(raw))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path, u.RawPath = "/"+simVhost, ""
	}
	return u.String(), nil
}

// vhostOf returns the vhost a broker URL names.
func vhostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || len(u.Path) < 2 {
		return "/"
	}
	return u.Path[1:]
}

// fixHint says how to give the simulation a vhost of its own.
func fixHint(broker string) string {
	u, _ := url.Parse(broker)
	host := "HOST:5672"
	if u != nil {
		host = u.Hostname() + ":" + orDefault(u.Port(), "5672")
	}
	return fmt.Sprintf("run without -broker (in process), or give the simulation a vhost of its own: "+
		"rabbitmqctl add_vhost %[1]s && rabbitmqctl set_permissions -p %[1]s guest '.*' '.*' '.*', then -broker amqp://USER:PASS@%[2]s/%[1]s",
		simVhost, host)
}

// checkBroker refuses a broker vhost where something already consumes a
// collector queue (a real Wakame, another simulation): before anything
// is served there.
func checkBroker(ctx context.Context, broker string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	counts, err := isono.QueueConsumers(ctx, isono.Options{URL: broker}, collectorQueues...)
	if err != nil {
		var aerr *amqp.Error
		if errors.As(err, &aerr) && aerr.Code == amqp.NotAllowed {
			return fmt.Errorf("vhost %q on %s: %w; %s", vhostOf(broker), redactURL(broker), err, fixHint(broker))
		}
		return fmt.Errorf("broker %s: %w", redactURL(broker), err)
	}
	for _, q := range collectorQueues {
		if n := counts[q]; n > 0 {
			return fmt.Errorf("%w: %d consumer(s) on %s in vhost %q of %s (a Wakame collector?); the simulation will not answer in its place: %s",
				ErrCollectorServed, n, q, vhostOf(broker), redactURL(broker), fixHint(broker))
		}
	}
	return nil
}

// redactURL hides the password of a broker URL. A URL that does not
// parse is not shown at all: its password could be anywhere.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
