package registry_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/registry"
)

// TestClientTransportErrors covers answers the fake never gives: a dropped
// connection (retried for GET), a 200 that is not JSON, and an empty list.
func TestClientTransportErrors(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch r.URL.Path {
		case "/api/12.03/host_nodes":
			if n == 1 {
				// Drop the connection without an answer.
				hj, ok := w.(http.Hijacker)
				require.True(t, ok)
				conn, _, err := hj.Hijack()
				require.NoError(t, err)
				conn.Close()
				return
			}
			_, _ = w.Write([]byte(`[]`))
		case "/api/12.03/images":
			_, _ = w.Write([]byte(`<html>not json</html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c, err := registry.NewClient(srv.URL, registry.WithRetries(2, time.Millisecond), registry.WithAccount("a-secretish"),
		registry.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	ctx := context.Background()

	p, err := c.ListHostNodes(ctx, registry.ListOptions{})
	require.NoError(t, err, "a dropped connection on a GET is retried")
	assert.Equal(t, 0, p.Total, "an empty answer is an empty page")
	assert.Equal(t, int64(2), calls.Load())
	assert.Contains(t, logs.String(), "retrying")
	assert.NotContains(t, logs.String(), "a-secretish", "headers are never logged")

	_, err = c.ListImages(ctx, registry.ListOptions{})
	require.ErrorContains(t, err, "decode answer")

	// Nothing listens: every try fails, the error says so.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	dead, err := registry.NewClient("http://"+addr, registry.WithRetries(1, time.Millisecond))
	require.NoError(t, err)
	_, err = dead.HostNode(ctx, "hn-x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GET host_nodes/hn-x")
}

// TestClientTimeoutPerTry: a GET whose first try hangs past the timeout is
// retried; a POST that hangs is not.
func TestClientTimeoutPerTry(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 || r.Method == http.MethodPost {
			_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		_, _ = w.Write([]byte(`[{"total":0,"start":0,"limit":250,"results":[]}]`))
	}))
	defer srv.Close()
	c, err := registry.NewClient(srv.URL, registry.WithTimeout(100*time.Millisecond), registry.WithRetries(1, time.Millisecond))
	require.NoError(t, err)
	_, err = c.ListBackupStorages(context.Background(), registry.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), calls.Load())

	_, err = c.CreateBackupStorage(context.Background(), registry.BackupStorageFields{StorageType: "webdav", BaseURI: "http://h/"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int64(3), calls.Load(), "the POST was tried once")
}

// TestClientEscapesIDs: an id is one path segment, whatever it holds.
func TestClientEscapesIDs(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c, err := registry.NewClient(srv.URL+"/dcmgr%20api/", registry.WithRetries(0, 0))
	require.NoError(t, err)
	_, err = c.HostNode(context.Background(), "hn-a/../b c")
	require.ErrorIs(t, err, registry.ErrNotFound)
	require.ErrorIs(t, c.DeleteImage(context.Background(), "wmi-%41"), registry.ErrNotFound)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"/dcmgr%20api/host_nodes/hn-a%2F..%2Fb%20c", "/dcmgr%20api/images/wmi-%2541"}, paths)
}
