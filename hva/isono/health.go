package isono

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/esxi-hva/esxi-hva/internal/joinerr"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// Connected reports whether the node holds a usable broker connection
// now (false while it reconnects and after Close).
func (n *Node) Connected() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sess != nil && !n.closed && !n.sess.conn.IsClosed()
}

// Reconnects returns how many times the node connected again after its
// broker connection dropped.
func (n *Node) Reconnects() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.gen == 0 {
		return 0
	}
	return n.gen - 1
}

// probeTimeout bounds QueueConsumers when ctx has no deadline.
const probeTimeout = 30 * time.Second

// QueueConsumers connects to the broker of opts (URL and TLS; the other
// fields are unused) and returns the consumer count of each named queue,
// 0 for a queue that does not exist, without creating, binding or
// consuming anything. A program that must not answer in another's place
// (a simulated Wakame collector next to a real one) calls it before it
// serves an endpoint: EndpointQueue(HVACollector) with consumers means
// someone already serves it there.
func QueueConsumers(ctx context.Context, opts Options, queues ...string) (map[string]int, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(probeTimeout)
	}
	cfg := amqp.Config{
		Locale:          "en_US",
		TLSClientConfig: opts.TLS,
		Dial: func(network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{Deadline: deadline}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// amqp091 clears the deadline once the handshake is done.
			if err := c.SetDeadline(deadline); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	}
	conn, err := amqp.DialConfig(opts.URL, cfg)
	if err != nil {
		return nil, fmt.Errorf("isono: connect to %s: %w", redact.String(opts.URL), err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	out := make(map[string]int, len(queues))
	for _, q := range queues {
		ch, err := conn.Channel()
		if err != nil {
			return nil, fmt.Errorf("isono: open channel: %w", joinerr.Join(err, ctx.Err()))
		}
		st, err := ch.QueueDeclarePassive(q, false, false, false, false, nil)
		var aerr *amqp.Error
		switch {
		case err == nil:
			out[q] = st.Consumers
			ch.Close()
		case errors.As(err, &aerr) && aerr.Code == amqp.NotFound:
			out[q] = 0 // the failed declare closed the channel
		default:
			return nil, fmt.Errorf("isono: inspect queue %s: %w", q, joinerr.Join(err, ctx.Err()))
		}
	}
	return out, nil
}
