package esxi

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingConn counts the writes that reach the socket.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// tunedClient returns a client for srv through tuneTransport, and the
// counters of every connection it dialled.
func tunedClient(t *testing.T, srv *httptest.Server) (*http.Client, func() []*countingConn) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srvPool(srv)}}
	tuneTransport(tr)
	var mu sync.Mutex
	var conns []*countingConn
	dial := tr.DialTLSContext
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		b := c.(*batchedTLS)
		cc := &countingConn{Conn: b.raw.Conn}
		b.raw.Conn = cc // the handshake is done: count what the body costs
		mu.Lock()
		conns = append(conns, cc)
		mu.Unlock()
		return c, nil
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, func() []*countingConn {
		mu.Lock()
		defer mu.Unlock()
		return append([]*countingConn(nil), conns...)
	}
}

func srvPool(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}

// hashingServer answers each PUT with the md5 of its body.
func hashingServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := md5.New()
		if _, err := io.Copy(h, r.Body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, _ = w.Write(h.Sum(nil))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func put(t *testing.T, cl *http.Client, url string, body []byte) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, struct{ io.Reader }{bytes.NewReader(body)})
	require.NoError(t, err)
	req.ContentLength = int64(len(body))
	resp, err := cl.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return got
}

func TestBatchedTLSSendsBodiesWholeInFewWrites(t *testing.T) {
	srv := hashingServer(t)
	cl, conns := tunedClient(t, srv)
	body := make([]byte, 8<<20+12345)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	want := md5.Sum(body)
	assert.Equal(t, want[:], put(t, cl, srv.URL, body))

	cs := conns()
	require.Len(t, cs, 1)
	// crypto/tls alone writes one 16 KiB record per system call: 513
	// here. Batched, a 256 KiB buffer of records goes in one.
	writes := cs[0].writes.Load()
	assert.LessOrEqual(t, writes, int64(len(body)/transferBuffer+4), "writes for %d bytes", len(body))
	assert.Greater(t, writes, int64(0))

	// The connection is reused and stays correct for small requests.
	for i := range 20 {
		small := bytes.Repeat([]byte{byte(i)}, i*1000)
		sum := md5.Sum(small)
		assert.Equal(t, sum[:], put(t, cl, srv.URL, small))
	}
	assert.Len(t, conns(), 1)
}

func TestBatchedTLSConcurrentRequests(t *testing.T) {
	srv := hashingServer(t)
	cl, _ := tunedClient(t, srv)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := bytes.Repeat([]byte{byte(i), byte(i >> 8), 7}, 300_000+i)
			sum := md5.Sum(body)
			assert.Equal(t, sum[:], put(t, cl, srv.URL, body))
		}()
	}
	wg.Wait()
}

func TestBatchedTLSHandshakeHonoursContext(t *testing.T) {
	// A listener that accepts and never answers the ClientHello.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = dialBatchedTLS(ctx, &net.Dialer{}, "tcp", ln.Addr().String(), &tls.Config{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestBatchedTLSVerifiesTheHost(t *testing.T) {
	srv := hashingServer(t)
	tr := &http.Transport{TLSClientConfig: &tls.Config{}} // system roots only
	tuneTransport(tr)
	defer tr.CloseIdleConnections()
	_, err := (&http.Client{Transport: tr}).Get(srv.URL)
	var uerr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &uerr)
}

func TestBatchConnFlushErrorSticks(t *testing.T) {
	a, b := net.Pipe()
	b.Close()
	c := &batchConn{Conn: a}
	c.begin()
	_, err := c.Write([]byte("record"))
	require.NoError(t, err, "collected, not yet sent")
	require.Error(t, c.end())
	_, err = c.Write([]byte("more"))
	assert.Error(t, err, "a broken stream stays broken")
}
