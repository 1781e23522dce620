package esxi

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// transferBuffer is the HTTP transport's read and write buffer size.
const transferBuffer = 256 << 10

// maxIdlePerHost is how many idle connections to the host are kept. An
// agent runs several jobs, transfers and property reads at once against
// its one host; with net/http's default of 2, every connection beyond the
// second is closed after its request and the next one pays a new TLS
// handshake.
const maxIdlePerHost = 16

// tuneTransport sets t up for an agent's traffic with its host:
//
//   - more idle connections kept (maxIdlePerHost);
//   - 256 KiB buffers, where net/http's 4 KiB default makes every 4 KiB of
//     a datastore transfer a TLS record and a system call;
//   - a TLS dialer that honours the request's context during the
//     handshake, where govmomi's uses tls.Dial, which does not.
//
// Verification is unchanged: the dialer uses t.TLSClientConfig as
// configureTLS left it, so roots, Insecure and the thumbprint pin all hold.
func tuneTransport(t *http.Transport) {
	t.WriteBufferSize = transferBuffer
	t.ReadBufferSize = transferBuffer
	t.MaxIdleConnsPerHost = maxIdlePerHost
	nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialTLS(ctx, nd, network, addr, t.TLSClientConfig)
	}
}

// dialTLS dials addr and completes the TLS handshake under ctx.
func dialTLS(ctx context.Context, nd *net.Dialer, network, addr string, cfg *tls.Config) (net.Conn, error) {
	d := tls.Dialer{NetDialer: nd, Config: cfg}
	return d.DialContext(ctx, network, addr)
}
