package isono

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// RemoteError is an error answer of an RPC: Isono's
// {:type=>:error, :msg=>{:message, :error_type}}.
type RemoteError struct {
	Endpoint, Command string
	Type              string // the Ruby exception class, e.g. "RuntimeError"
	Message           string
}

// Error names the call and the remote exception.
func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s.%s: %s: %s", e.Endpoint, e.Command, e.Type, e.Message)
}

// call is an RPC waiting for its answer.
type call struct {
	id                string
	endpoint, command string
	body              []byte
	gen               uint64 // generation of the connection it was sent on
	progress          func(msg any)

	once sync.Once
	done chan struct{}
	msg  any
	err  error
}

func (c *call) finish(msg any, err error) {
	c.once.Do(func() {
		c.msg, c.err = msg, err
		close(c.done)
	})
}

// Call makes an RPC to endpoint (e.g. "hva-collector") and returns its
// answer's msg. An error answer is a *RemoteError; no answer within the
// context's deadline or Options.CallTimeout is ErrTimeout. A call whose
// connection drops is sent again on the next one.
func (n *Node) Call(ctx context.Context, endpoint, command string, args ...any) (any, error) {
	return n.call(ctx, endpoint, command, map[string]any{}, nil, args)
}

// call sends a request with extra envelope fields and waits for its
// final answer; progress receives inprogress answers.
func (n *Node) call(ctx context.Context, endpoint, command string, extra map[string]any, progress func(any), args []any) (any, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, n.opts.CallTimeout)
		defer cancel()
	}
	if args == nil {
		args = []any{}
	}
	env := map[string]any{"endpoint": endpoint, "command": command, "args": args, "oneshot": false}
	for k, v := range extra {
		env[k] = v
	}
	body, err := encode(env)
	if err != nil {
		return nil, fmt.Errorf("isono: encode %s.%s: %w", endpoint, command, err)
	}
	c := &call{id: newTicket(), endpoint: endpoint, command: command, body: body, progress: progress, done: make(chan struct{})}
	s, err := n.current(ctx)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil, ErrClosed
	}
	c.gen = s.gen
	n.pending[c.id] = c
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.pending, c.id)
		n.mu.Unlock()
	}()
	start := time.Now()
	if err := n.publishCall(s, c); err != nil {
		// The connection dropped under us: the reconnect sends it again.
		n.log.Debug("rpc publish failed; waiting for the reconnect to send it", "endpoint", endpoint, "command", command, "err", err)
	}
	select {
	case <-c.done:
		return c.msg, c.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w: %s.%s: no answer after %s", ErrTimeout, endpoint, command, time.Since(start).Round(time.Millisecond))
		}
		return nil, fmt.Errorf("isono: %s.%s: %w", endpoint, command, ctx.Err())
	}
}

// publishCall declares the endpoint's queue (as Isono's requesters do)
// and sends the request on session s.
func (n *Node) publishCall(s *session, c *call) error {
	n.mu.Lock()
	c.gen = s.gen
	n.mu.Unlock()
	if err := s.declareEndpoint(c.endpoint); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.publish(ctx, "", EndpointQueue(c.endpoint), amqp.Publishing{
		ContentType:  "application/octet-stream",
		DeliveryMode: amqp.Transient,
		MessageId:    c.id,
		ReplyTo:      replyPrefix + n.opts.NodeID,
		Body:         c.body,
	})
}

// declareEndpoint declares an endpoint's request queue with Isono's
// arguments (not durable, auto-delete).
func (s *session) declareEndpoint(endpoint string) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if _, err := s.pub.QueueDeclare(EndpointQueue(endpoint), false, true, false, false, nil); err != nil {
		return fmt.Errorf("isono: declare %s: %w", EndpointQueue(endpoint), err)
	}
	return nil
}

// Notify makes a oneshot RPC: the server runs it and never answers.
func (n *Node) Notify(ctx context.Context, endpoint, command string, args ...any) error {
	if args == nil {
		args = []any{}
	}
	body, err := encode(map[string]any{"endpoint": endpoint, "command": command, "args": args, "oneshot": true})
	if err != nil {
		return fmt.Errorf("isono: encode %s.%s: %w", endpoint, command, err)
	}
	for attempt := 0; ; attempt++ {
		s, err := n.current(ctx)
		if err != nil {
			return err
		}
		if err = s.declareEndpoint(endpoint); err == nil {
			err = s.publish(ctx, "", EndpointQueue(endpoint), amqp.Publishing{
				ContentType: "application/octet-stream", DeliveryMode: amqp.Transient,
				MessageId: newTicket(), ReplyTo: replyPrefix + n.opts.NodeID, Body: body,
			})
		}
		if err == nil || attempt >= 3 || !s.conn.IsClosed() {
			return err
		}
		n.markLost(s)
	}
}

// readReplies routes answers to the calls waiting for them.
func (n *Node) readReplies(ds <-chan amqp.Delivery) {
	defer n.wg.Done()
	for d := range ds {
		n.mu.Lock()
		c := n.pending[d.MessageId]
		n.mu.Unlock()
		if c == nil {
			n.log.Debug("answer for no pending call (late or duplicate)", "message_id", d.MessageId)
			continue
		}
		m, err := decodeHash(d.Body, n.opts.limits())
		if err != nil {
			c.finish(nil, fmt.Errorf("%w: answer of %s.%s: %w", ErrBadMessage, c.endpoint, c.command, err))
			continue
		}
		typ, _ := stringOf(m["type"])
		switch typ {
		case replyInProgress:
			if c.progress != nil {
				c.progress(m["msg"])
			}
		case replyError:
			re := &RemoteError{Endpoint: c.endpoint, Command: c.command, Type: "RuntimeError"}
			if em, ok := m["msg"].(map[string]any); ok {
				re.Message = fmt.Sprint(em["message"])
				if t, ok := em["error_type"]; ok && t != nil {
					re.Type = fmt.Sprint(t)
				}
			} else {
				re.Message = fmt.Sprint(m["msg"])
			}
			c.finish(nil, re)
		default: // success, or anything else as Isono counts it
			c.finish(m["msg"], nil)
		}
	}
}
