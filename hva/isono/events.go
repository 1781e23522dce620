package isono

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/esxi-hva/esxi-hva/hva"
)

// Events publishes Wakame events as this node; it implements hva.Events.
type Events struct{ n *Node }

var _ hva.Events = Events{}

// Events returns the node's event publisher.
func (n *Node) Events() Events { return Events{n: n} }

// Publish sends event on the isono.event exchange with routing key
// "<event>.<node id>" and body {:event, :published_at, :sender,
// :origin_node, :args}.
func (e Events) Publish(ctx context.Context, event string, args ...any) error {
	if args == nil {
		args = []any{}
	}
	body, err := encode(map[string]any{
		"event":        event,
		"published_at": time.Now(),
		"sender":       e.n.opts.NodeID,
		"origin_node":  e.n.opts.NodeID,
		"args":         args,
	})
	if err != nil {
		return fmt.Errorf("isono: encode event %s: %w", event, err)
	}
	return e.n.publish(ctx, EventExchange, event+"."+e.n.opts.NodeID, amqp.Publishing{Body: body})
}

// symbol is a Symbol on the wire.
func symbol(s string) hva.Symbol { return hva.Symbol(s) }
