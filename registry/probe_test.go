package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProbePairServers covers servers that do not answer HEAD, stream
// without a Content-Length, or refuse both.
func TestProbePairServers(t *testing.T) {
	flat := strings.Repeat("x", 5000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		size    int64
		err     error
	}{
		{"head", func(w http.ResponseWriter, r *http.Request) {
			http.ServeContent(w, r, "f", time.Time{}, strings.NewReader(flat))
		}, 5000, nil},
		{"no head, range", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			http.ServeContent(w, r, "f", time.Time{}, strings.NewReader(flat))
		}, 5000, nil},
		{"chunked head, no range", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.Header().Set("Transfer-Encoding", "chunked")
				w.WriteHeader(http.StatusOK)
				return
			}
			w.Header().Set("Content-Length", "5000")
			_, _ = w.Write([]byte(flat))
		}, 5000, nil},
		{"size never said", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodGet {
				_, _ = w.Write([]byte(flat[:10]))
				w.(http.Flusher).Flush()
				_, _ = w.Write([]byte(flat[10:]))
			}
		}, 0, ErrUnreachable},
		{"forbidden", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, 0, ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			p, err := PairFromFlat(srv.URL + "/disk-flat.vmdk")
			require.NoError(t, err)
			size, err := ProbePair(context.Background(), nil, p)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.size, size)
		})
	}
}

func TestVerifyMD5(t *testing.T) {
	body := strings.Repeat("abc", 100000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "f", time.Time{}, strings.NewReader(body))
	}))
	defer srv.Close()
	ctx := context.Background()
	sum := md5hex([]byte(body))
	var last int64
	require.NoError(t, VerifyMD5(ctx, nil, srv.URL+"/f", strings.ToUpper(sum), int64(len(body)), func(done, _ int64) { last = done }))
	assert.Equal(t, int64(len(body)), last)

	err := VerifyMD5(ctx, nil, srv.URL+"/f", sum, int64(len(body))+1, nil)
	require.ErrorIs(t, err, ErrChecksumMismatch)
	assert.Contains(t, err.Error(), "announced")

	require.ErrorIs(t, VerifyMD5(ctx, nil, srv.URL+"/f", "nope", -1, nil), ErrInvalid)

	cctx, cancel := context.WithCancel(ctx)
	err = VerifyMD5(cctx, nil, srv.URL+"/f", sum, -1, func(done, _ int64) { cancel() })
	require.ErrorIs(t, err, context.Canceled)
}

func TestProbeAndVerifyNameNoCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	for _, base := range []string{
		"http://bob:s3cret-pw@" + strings.TrimPrefix(srv.URL, "http://"), // answers 404
		"http://bob:s3cret-pw@127.0.0.1:1",                               // refuses the connection
	} {
		uri := base + "/d-flat.vmdk?X-Signature=sig-value"
		err := VerifyMD5(context.Background(), nil, uri, strings.Repeat("a", 32), -1, nil)
		require.ErrorIs(t, err, ErrUnreachable)
		n, perr := ProbePair(context.Background(), nil, Pair{FlatURI: uri, DescriptorURI: uri})
		require.ErrorIs(t, perr, ErrUnreachable)
		assert.Zero(t, n)
		for _, e := range []error{err, perr} {
			assert.NotContains(t, e.Error(), "s3cret-pw")
			assert.NotContains(t, e.Error(), "sig-value")
			assert.Contains(t, e.Error(), "/d-flat.vmdk?", "the URL is still named")
		}
	}
}

// A body cut mid-way is read again from where it stopped (a Range
// request), as the image cache reads a flat, and the md5 still holds.
func TestVerifyMD5ResumesACutBody(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	var mu sync.Mutex
	var ranges []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range"))
		first := len(ranges) == 1
		mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		if first {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, body[:len(body)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection drops
		}
		http.ServeContent(w, r, "f", time.Time{}, strings.NewReader(body))
	}))
	defer srv.Close()
	var last int64
	require.NoError(t, VerifyMD5(context.Background(), nil, srv.URL+"/f", md5hex([]byte(body)), int64(len(body)),
		func(done, _ int64) { last = done }))
	assert.Equal(t, int64(len(body)), last)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, ranges, 2)
	assert.Empty(t, ranges[0])
	assert.Equal(t, fmt.Sprintf("bytes=%d-", len(body)/2), ranges[1], "resumed where the first response stopped")
}
