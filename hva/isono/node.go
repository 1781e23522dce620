package isono

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/esxi-hva/esxi-hva/internal/redact"
	"github.com/esxi-hva/esxi-hva/internal/retry"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// Errors of a Node, tested with errors.Is.
var (
	// ErrNodeIDInUse: another node holds ident.<node id> on the broker.
	ErrNodeIDInUse = errors.New("isono: node id already in use on the broker")
	// ErrTimeout: an RPC got no answer in time.
	ErrTimeout = errors.New("isono: rpc timed out")
	// ErrClosed: the node was closed.
	ErrClosed = errors.New("isono: node closed")
	// ErrBadMessage: a message could not be decoded.
	ErrBadMessage = errors.New("isono: malformed message")
	// ErrTooLarge: a message body expands beyond Options.MaxDecodedBytes
	// or MaxDecodedNodes once its Marshal links are followed. Errors that
	// match it also match ErrBadMessage.
	ErrTooLarge = errors.New("isono: message too large once expanded")
)

// Options configure a Node.
type Options struct {
	// URL is the broker, e.g. "amqp://guest:guest@127.0.0.1:5672/" (the
	// agent's -s). Credentials in it are never logged.
	URL string
	// NodeID is this node's Isono id, e.g. "hva.esxi1".
	NodeID string
	// CallTimeout bounds an RPC without a deadline of its own; default
	// 60 s (Isono's is 180 s).
	CallTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the backoff between reconnect
	// attempts; defaults 100 ms and 5 s.
	ReconnectMin, ReconnectMax time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// MaxDecodedBytes and MaxDecodedNodes bound every message body and
	// answer once decoded: the bytes of its Strings and Symbols and the
	// number of its values, a Marshal object link counting as a copy of
	// what it points to (a few bytes of links can stand for gigabytes).
	// A job over either gets an error answer (ErrTooLarge) and is not
	// run; an answer over either fails its call. Zero: 1 MiB plus 4 per
	// body byte, and 65536 plus 4 per body byte, which a body without
	// links never exceeds.
	MaxDecodedBytes, MaxDecodedNodes int64
	// TLS configures an amqps:// URL (CA roots, client certificate);
	// nil means the system roots and no client certificate.
	TLS *tls.Config
}

// limits returns the decoder limits of o.
func (o Options) limits() rubymarshal.Limits {
	return rubymarshal.Limits{MaxBytes: o.MaxDecodedBytes, MaxNodes: o.MaxDecodedNodes}
}

// Node is a member of a Wakame-vdc Isono bus: it holds ident.<node id>,
// its reply queue and the event exchange, makes RPCs, publishes events,
// serves endpoints and, with ServeHVA, is an HVA. When the broker
// connection drops it reconnects with backoff and declares everything
// again; RPCs waiting for an answer are sent again on the new
// connection. It is safe for concurrent use.
type Node struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	sess    *session
	ready   chan struct{} // closed while sess is usable
	gen     uint64
	pending map[string]*call
	servers map[string]*server
	closed  bool

	done chan struct{}
	wg   sync.WaitGroup
}

// session is one broker connection and what was declared on it.
type session struct {
	gen   uint64
	conn  *amqp.Connection
	net   net.Conn
	pubMu sync.Mutex
	pub   *amqp.Channel
}

// Dial connects to the broker and joins as opts.NodeID. It fails with
// ErrNodeIDInUse when another node holds the id.
func Dial(ctx context.Context, opts Options) (*Node, error) {
	if opts.NodeID == "" {
		return nil, errors.New("isono: Options.NodeID is empty")
	}
	if _, err := url.Parse(opts.URL); err != nil || opts.URL == "" {
		return nil, fmt.Errorf("isono: bad broker URL %q", redact.String(opts.URL))
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 60 * time.Second
	}
	if opts.ReconnectMin <= 0 {
		opts.ReconnectMin = 100 * time.Millisecond
	}
	if opts.ReconnectMax <= 0 {
		opts.ReconnectMax = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	n := &Node{
		opts:    opts,
		log:     opts.Logger.With("node_id", opts.NodeID),
		ready:   make(chan struct{}),
		pending: map[string]*call{},
		servers: map[string]*server{},
		done:    make(chan struct{}),
	}
	s, err := n.connect(ctx)
	if err != nil {
		return nil, err
	}
	n.wg.Add(1)
	go n.supervise(s)
	return n, nil
}

// NodeID returns the node's id.
func (n *Node) NodeID() string { return n.opts.NodeID }

// connect opens a connection and declares the node's queues, exchange
// and served endpoints on it.
func (n *Node) connect(ctx context.Context) (*session, error) {
	var netConn net.Conn
	cfg := amqp.Config{
		Heartbeat:  10 * time.Second,
		Locale:     "en_US",
		Properties: amqp.Table{"connection_name": n.opts.NodeID},
		// amqp091 wraps the conn Dial returns in TLS for amqps:// URLs.
		TLSClientConfig: n.opts.TLS,
		Dial: func(network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{Timeout: 30 * time.Second}).Dial(network, addr)
			netConn = c
			return c, err
		},
	}
	dialer := make(chan struct{})
	var conn *amqp.Connection
	var err error
	go func() {
		defer close(dialer)
		conn, err = amqp.DialConfig(n.opts.URL, cfg)
	}()
	select {
	case <-dialer:
	case <-ctx.Done():
		go func() {
			<-dialer
			if conn != nil {
				conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("isono: connect to %s: %w", redact.String(n.opts.URL), err)
	}
	s := &session{conn: conn, net: netConn}
	fail := func(err error) (*session, error) {
		conn.Close()
		return nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		return fail(fmt.Errorf("isono: open channel: %w", err))
	}
	if _, err := ch.QueueDeclare(identPrefix+n.opts.NodeID, false, false, true, false, nil); err != nil {
		var aerr *amqp.Error
		if errors.As(err, &aerr) && aerr.Code == amqp.ResourceLocked {
			return fail(fmt.Errorf("%w: %s (is another agent with -i %s running?)", ErrNodeIDInUse, n.opts.NodeID, n.opts.NodeID))
		}
		return fail(fmt.Errorf("isono: declare %s: %w", identPrefix+n.opts.NodeID, err))
	}
	if err := ch.ExchangeDeclare(EventExchange, "topic", false, false, false, false, nil); err != nil {
		return fail(fmt.Errorf("isono: declare %s: %w", EventExchange, err))
	}
	s.pub = ch
	rch, err := conn.Channel()
	if err != nil {
		return fail(fmt.Errorf("isono: open channel: %w", err))
	}
	replyQ := replyPrefix + n.opts.NodeID
	if _, err := rch.QueueDeclare(replyQ, false, false, true, false, nil); err != nil {
		return fail(fmt.Errorf("isono: declare %s: %w", replyQ, err))
	}
	if err := rch.Qos(10, 0, false); err != nil {
		return fail(err)
	}
	replies, err := rch.Consume(replyQ, "", true, true, false, false, nil)
	if err != nil {
		return fail(fmt.Errorf("isono: consume %s: %w", replyQ, err))
	}
	n.wg.Add(1)
	go n.readReplies(replies)

	n.mu.Lock()
	n.gen++
	s.gen = n.gen
	servers := make([]*server, 0, len(n.servers))
	for _, sv := range n.servers {
		servers = append(servers, sv)
	}
	n.mu.Unlock()
	for _, sv := range servers {
		if err := sv.start(s); err != nil {
			return fail(err)
		}
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return fail(ErrClosed)
	}
	n.sess = s
	close(n.ready)
	resend := make([]*call, 0)
	for _, c := range n.pending {
		if c.gen < s.gen {
			resend = append(resend, c)
		}
	}
	n.mu.Unlock()
	for _, c := range resend {
		n.log.Info("sending an rpc again after reconnect", "endpoint", c.endpoint, "command", c.command)
		if err := n.publishCall(s, c); err != nil {
			n.log.Warn("resend failed", "err", err)
		}
	}
	n.log.Info("connected to the broker", "url", redact.String(n.opts.URL), "generation", s.gen)
	return s, nil
}

// supervise reconnects when the connection drops, until Close.
func (n *Node) supervise(s *session) {
	defer n.wg.Done()
	for {
		closed := s.conn.NotifyClose(make(chan *amqp.Error, 1))
		select {
		case <-n.done:
			return
		case aerr := <-closed:
			n.mu.Lock()
			if n.sess == s {
				n.sess = nil
				n.ready = make(chan struct{})
			}
			n.mu.Unlock()
			n.log.Warn("broker connection lost; reconnecting", "err", aerr)
		}
		backoff := retry.Backoff{Base: n.opts.ReconnectMin, Cap: n.opts.ReconnectMax}
		for attempt := 1; ; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			go func() {
				select {
				case <-n.done:
					cancel()
				case <-ctx.Done():
				}
			}()
			ns, err := n.connect(ctx)
			cancel()
			if err == nil {
				s = ns
				break
			}
			select {
			case <-n.done:
				return
			default:
			}
			wait := backoff.Delay(attempt)
			n.log.Warn("reconnect failed", "err", err, "retry_in", wait)
			if !retry.SleepUntil(n.done, wait) {
				return
			}
		}
	}
}

// current waits until the node is connected and returns the session.
func (n *Node) current(ctx context.Context) (*session, error) {
	for {
		n.mu.Lock()
		s, ready, closed := n.sess, n.ready, n.closed
		n.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		if s != nil {
			return s, nil
		}
		select {
		case <-ready:
		case <-n.done:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, fmt.Errorf("isono: waiting for the broker connection: %w", ctx.Err())
		}
	}
}

// publish sends a message on the session's publishing channel.
func (s *session) publish(ctx context.Context, exchange, key string, msg amqp.Publishing) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	return s.pub.PublishWithContext(ctx, exchange, key, false, false, msg)
}

// publish sends body (a wire value) to exchange/key on the current
// connection, waiting for one while disconnected; a publish that fails
// because the connection just dropped is tried again on the next.
func (n *Node) publish(ctx context.Context, exchange, key string, msg amqp.Publishing) error {
	msg.ContentType = "application/octet-stream"
	msg.DeliveryMode = amqp.Transient
	for attempt := 0; ; attempt++ {
		s, err := n.current(ctx)
		if err != nil {
			return err
		}
		err = s.publish(ctx, exchange, key, msg)
		if err == nil {
			return nil
		}
		if attempt >= 3 || !connLost(s, err) {
			return fmt.Errorf("isono: publish to %q: %w", key, err)
		}
		n.markLost(s)
	}
}

// connLost reports whether a publish failed because the connection is
// gone. amqp091 returns a failed socket write as it is and shuts the
// connection down only afterwards, in a goroutine: right after the socket
// dies, IsClosed can still say false while the write already failed.
func connLost(s *session, err error) bool {
	var op *net.OpError
	return s.conn.IsClosed() ||
		errors.Is(err, amqp.ErrClosed) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &op)
}

// markLost forgets a session whose connection is gone, ahead of the
// supervisor noticing.
func (n *Node) markLost(s *session) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sess == s {
		n.sess = nil
		n.ready = make(chan struct{})
	}
}

// Close stops serving, fails pending RPCs with ErrClosed and closes the
// connection.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	s := n.sess
	n.sess = nil
	for id, c := range n.pending {
		c.finish(nil, ErrClosed)
		delete(n.pending, id)
	}
	n.mu.Unlock()
	close(n.done)
	var err error
	if s != nil {
		err = s.conn.Close()
		if errors.Is(err, amqp.ErrClosed) {
			err = nil
		}
	}
	n.wg.Wait()
	return err
}

// ForceDisconnect cuts the current broker connection's socket as a
// network failure would (no AMQP close handshake), leaving the node to
// notice and reconnect. Tests use it.
func (n *Node) ForceDisconnect() {
	n.mu.Lock()
	s := n.sess
	n.mu.Unlock()
	if s != nil && s.net != nil {
		s.net.Close()
	}
}
