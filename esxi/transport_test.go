package esxi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
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

func TestTransportKeepsConnectionsForConcurrentCalls(t *testing.T) {
	// Each call waits on the server until 8 are there at once.
	var mu sync.Mutex
	waiting := 0
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		waiting++
		ch := release
		if waiting == 8 {
			close(release)
			waiting, release = 0, make(chan struct{})
		}
		mu.Unlock()
		<-ch
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	tuneTransport(tr)
	defer tr.CloseIdleConnections()
	var dials atomic.Int64
	dial := tr.DialTLSContext
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	cl := &http.Client{Transport: tr, Timeout: 20 * time.Second}

	// Two rounds of 8 calls at once, as an agent's jobs make: the second
	// round reuses the first round's connections.
	for range 2 {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := cl.Get(srv.URL)
				if assert.NoError(t, err) {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}
	assert.Equal(t, int64(8), dials.Load(), "with net/http's 2 idle connections the second round dials 6 more")
}

func TestDialTLSHonoursContext(t *testing.T) {
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
	_, err = dialTLS(ctx, &net.Dialer{}, "tcp", ln.Addr().String(), &tls.Config{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestTunedTransportVerifiesTheHost(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	tr := &http.Transport{TLSClientConfig: &tls.Config{}} // system roots only
	tuneTransport(tr)
	defer tr.CloseIdleConnections()
	_, err := (&http.Client{Transport: tr}).Get(srv.URL)
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &verr)
}
