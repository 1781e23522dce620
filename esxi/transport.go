package esxi

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// transferBuffer is the HTTP transport's read and write buffer size.
const transferBuffer = 256 << 10

// batchSize is the most a batched write holds: a transferBuffer's worth of
// data plus the headers and tags of its 16 KiB TLS records.
const batchSize = transferBuffer + 8<<10

// maxIdlePerHost is how many idle connections to the host are kept. An
// agent runs several jobs, transfers and property reads at once against
// its one host; with net/http's default of 2, every connection beyond the
// second is closed after its request and the next one pays a new TLS
// handshake.
const maxIdlePerHost = 16

// tuneTransport sets t up for image-sized datastore transfers:
//
//   - more idle connections kept (maxIdlePerHost);
//   - 256 KiB buffers, where net/http's 4 KiB default makes every 4 KiB a
//     TLS record and a system call;
//   - a TLS dialer that honours the context (govmomi's does not) and whose
//     connections pass all the records of one write to the kernel in one
//     system call: crypto/tls writes each 16 KiB record on its own, and on
//     loopback or a fast link those calls cost more CPU than the
//     encryption.
//
// Verification is unchanged: the dialer uses t.TLSClientConfig as
// configureTLS left it, so roots, Insecure and the thumbprint pin all hold.
func tuneTransport(t *http.Transport) {
	t.WriteBufferSize = transferBuffer
	t.ReadBufferSize = transferBuffer
	t.MaxIdleConnsPerHost = maxIdlePerHost
	nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialBatchedTLS(ctx, nd, network, addr, t.TLSClientConfig)
	}
}

// dialBatchedTLS dials addr, completes the TLS handshake under ctx and
// returns a connection whose writes are batched.
func dialBatchedTLS(ctx context.Context, nd *net.Dialer, network, addr string, cfg *tls.Config) (net.Conn, error) {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	raw, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	bc := &batchConn{Conn: raw}
	tc := tls.Client(bc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return &batchedTLS{Conn: tc, raw: bc}, nil
}

// batchedTLS is a TLS connection whose Write gives the kernel every record
// it made in one buffer.
type batchedTLS struct {
	*tls.Conn
	raw *batchConn
}

// Write encrypts p into records, collected by the batching layer, and
// sends them together.
func (c *batchedTLS) Write(p []byte) (int, error) {
	c.raw.begin()
	n, err := c.Conn.Write(p)
	if ferr := c.raw.end(); err == nil {
		err = ferr
	}
	return n, err
}

// ReadFrom sends a request body in transferBuffer-sized writes. net/http
// copies a body with a known length straight to the connection when it
// can, and io.Copy's 32 KiB buffer would cut the batches to two records.
func (c *batchedTLS) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	return io.CopyBuffer(writerOnly{c}, r, *bp)
}

// writerOnly hides ReadFrom from io.CopyBuffer, which would call it again.
type writerOnly struct{ io.Writer }

var copyBufs = sync.Pool{New: func() any { b := make([]byte, transferBuffer); return &b }}

// batchConn is the network connection under a batchedTLS. Between begin
// and end it collects what the TLS layer writes (records, and any alert
// the reading side sends meanwhile, in order); otherwise it writes
// through, as the handshake and close need.
type batchConn struct {
	net.Conn
	mu    sync.Mutex
	batch bool
	buf   []byte
	err   error // a failed flush: the stream is broken
}

// begin starts collecting, in a buffer lent for the batch: an idle
// connection holds none.
func (c *batchConn) begin() {
	c.mu.Lock()
	c.batch = true
	c.buf = (*batchBufs.Get().(*[]byte))[:0]
	c.mu.Unlock()
}

// end sends what was collected and returns the buffer.
func (c *batchConn) end() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batch = false
	err := c.flushLocked()
	b := c.buf
	c.buf = nil
	batchBufs.Put(&b)
	return err
}

var batchBufs = sync.Pool{New: func() any { b := make([]byte, 0, batchSize); return &b }}

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if !c.batch {
		return c.Conn.Write(p)
	}
	if len(c.buf)+len(p) > cap(c.buf) {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(c.buf) {
			return c.Conn.Write(p)
		}
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

func (c *batchConn) flushLocked() error {
	if c.err != nil {
		return c.err
	}
	if len(c.buf) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	if err != nil {
		c.err = err
	}
	return err
}
