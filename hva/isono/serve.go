package isono

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Request is an RPC or job request received on a served endpoint.
type Request struct {
	Endpoint  string
	Command   string
	Args      []any
	Oneshot   bool
	Sender    string         // the requester's node id, from reply_to
	MessageID string         // the ticket answers carry
	Envelope  map[string]any // the whole decoded body (job_id, ...)

	node     *Node
	replyTo  string
	mu       sync.Mutex
	answered bool
}

// Progress sends an inprogress answer with msg (jobs send their job
// record first). It does nothing for a oneshot request.
func (r *Request) Progress(ctx context.Context, msg any) error {
	if r.Oneshot {
		return nil
	}
	return r.node.answer(ctx, r.replyTo, r.MessageID, replyInProgress, msg)
}

// HandlerFunc serves one request; its result is the success answer's
// msg, its error the error answer. ctx is cancelled when the server
// stops past its grace period.
type HandlerFunc func(ctx context.Context, req *Request) (any, error)

// server consumes one endpoint on every connection the node makes.
type server struct {
	node     *Node
	endpoint string
	prefetch int
	handle   HandlerFunc

	ctx    context.Context // cancelled at the end of the grace period
	cancel context.CancelFunc

	mu       sync.Mutex
	ch       *amqp.Channel
	tag      string
	stopping bool
	inflight sync.WaitGroup
}

// Serve consumes endpoint (e.g. "job.hva-handle.hva.esxi1") with up to
// prefetch requests in flight, answering each with handle's result, and
// acknowledging it after the answer. The queue is auto-delete, as Isono
// declares it: when the connection drops, the broker deletes the queue
// with its last consumer, and a request not yet acknowledged with it, so
// the request is not delivered again (a handler still running answers on
// the new connection). It returns a stop
// function: stop(ctx) stops taking requests, waits for the ones in
// flight until ctx ends, then cancels them.
func (n *Node) Serve(endpoint string, prefetch int, handle HandlerFunc) (stop func(ctx context.Context) error, err error) {
	if prefetch <= 0 {
		prefetch = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv := &server{node: n, endpoint: endpoint, prefetch: prefetch, handle: handle, ctx: ctx, cancel: cancel}
	n.mu.Lock()
	if _, dup := n.servers[endpoint]; dup {
		n.mu.Unlock()
		cancel()
		return nil, fmt.Errorf("isono: endpoint %s is already served", endpoint)
	}
	n.servers[endpoint] = sv
	s := n.sess
	n.mu.Unlock()
	if s != nil {
		if err := sv.start(s); err != nil {
			n.mu.Lock()
			delete(n.servers, endpoint)
			n.mu.Unlock()
			cancel()
			return nil, err
		}
	}
	return sv.stop, nil
}

// start consumes the endpoint on session s.
func (sv *server) start(s *session) error {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.stopping {
		return nil
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return fmt.Errorf("isono: open channel for %s: %w", sv.endpoint, err)
	}
	q := EndpointQueue(sv.endpoint)
	if _, err := ch.QueueDeclare(q, false, true, false, false, nil); err != nil {
		return fmt.Errorf("isono: declare %s: %w", q, err)
	}
	if err := ch.Qos(sv.prefetch, 0, false); err != nil {
		return fmt.Errorf("isono: qos on %s: %w", q, err)
	}
	tag := "isono-" + newTicket()[:12]
	ds, err := ch.Consume(q, tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("isono: consume %s: %w", q, err)
	}
	sv.ch, sv.tag = ch, tag
	sv.node.wg.Add(1)
	go sv.loop(ds)
	return nil
}

func (sv *server) loop(ds <-chan amqp.Delivery) {
	defer sv.node.wg.Done()
	for d := range ds {
		sv.inflight.Add(1)
		go func(d amqp.Delivery) {
			defer sv.inflight.Done()
			sv.serve(d)
		}(d)
	}
}

// serve answers and acknowledges one delivery.
func (sv *server) serve(d amqp.Delivery) {
	n := sv.node
	ctx := sv.ctx
	req := &Request{node: n, replyTo: d.ReplyTo, MessageID: d.MessageId, Endpoint: sv.endpoint}
	req.Sender = strings.TrimPrefix(d.ReplyTo, replyPrefix)
	env, err := decodeHash(d.Body, n.opts.limits())
	if err == nil {
		err = req.parse(env)
	}
	var result any
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrBadMessage, err)
		n.log.Warn("malformed request", "endpoint", sv.endpoint, "sender", req.Sender, "err", err)
	} else {
		if req.Oneshot { // Isono acks a oneshot request before running it
			_ = d.Ack(false)
		}
		result, err = sv.handle(ctx, req)
	}
	if d.ReplyTo != "" && !req.Oneshot {
		typ, msg := replySuccess, result
		if err != nil {
			typ, msg = replyError, map[string]any{"message": err.Error(), "error_type": errorType(err)}
		}
		actx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if aerr := n.answer(actx, d.ReplyTo, d.MessageId, typ, msg); aerr != nil {
			n.log.Warn("answer failed", "endpoint", sv.endpoint, "command", req.Command, "err", aerr)
		}
		cancel()
	}
	if !req.Oneshot {
		// Fails when the channel died meanwhile: the auto-delete queue
		// went with its consumer, and the request with it; the broker
		// delivers it again only if another consumer kept the queue, or
		// if the requester sends it again, hence idempotent handlers.
		if aerr := d.Ack(false); aerr != nil {
			n.log.Warn("ack lost; the broker dropped the request with its auto-delete queue unless another consumer holds it", "endpoint", sv.endpoint, "command", req.Command, "err", aerr)
		}
	}
}

// parse reads the envelope {:endpoint, :command, :args, :oneshot, ...}.
func (r *Request) parse(env map[string]any) error {
	r.Envelope = env
	cmd, ok := stringOf(env["command"])
	if !ok || cmd == "" {
		return fmt.Errorf("request without a command")
	}
	r.Command = cmd
	switch a := env["args"].(type) {
	case []any:
		r.Args = a
	case nil:
	default:
		return fmt.Errorf("args is a %T, want an Array", a)
	}
	r.Oneshot, _ = env["oneshot"].(bool)
	return nil
}

// errorType names the error class an answer reports.
func errorType(err error) string {
	var re *RemoteError
	switch {
	case errors.As(err, &re):
		return re.Type
	case errors.Is(err, ErrBadMessage):
		return "ArgumentError"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "Timeout::Error"
	}
	return "RuntimeError"
}

// answer sends {:type, :msg} to a requester's reply queue.
func (n *Node) answer(ctx context.Context, replyTo, messageID, typ string, msg any) error {
	body, err := encode(map[string]any{"type": symbol(typ), "msg": msg})
	if err != nil {
		return fmt.Errorf("isono: encode answer: %w", err)
	}
	return n.publish(ctx, "", replyTo, amqp.Publishing{MessageId: messageID, Body: body})
}

// stop stops consuming, waits for in-flight requests until ctx ends,
// then cancels them and waits for them to return.
func (sv *server) stop(ctx context.Context) error {
	sv.mu.Lock()
	sv.stopping = true
	ch, tag := sv.ch, sv.tag
	sv.mu.Unlock()
	sv.node.mu.Lock()
	delete(sv.node.servers, sv.endpoint)
	sv.node.mu.Unlock()
	if ch != nil {
		_ = ch.Cancel(tag, false)
	}
	done := make(chan struct{})
	go func() {
		sv.inflight.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("isono: %s: jobs still running at the shutdown deadline were cancelled", sv.endpoint)
		sv.cancel()
		<-done
	}
	sv.cancel()
	if ch != nil {
		_ = ch.Close()
	}
	return err
}
