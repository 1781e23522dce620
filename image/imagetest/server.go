package imagetest

import (
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// DefaultName is the base name of the pair a Server serves when WithName is
// not given: "disk.vmdk" and "disk-flat.vmdk".
const DefaultName = "disk"

// Option adjusts a Server.
type Option func(*config)

type config struct {
	name      string
	seed      uint64
	tls       bool
	chunked   bool
	dir       string
	modTime   time.Time
	descMaker func(flatName string, size int64) []byte
}

// WithName sets the pair's base name (default DefaultName).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithSeed chooses the flat's pseudo-random content (default 1).
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithTLS serves HTTPS with a self-signed certificate (see Certificate and
// Client).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithoutLength serves the flat chunked, without Content-Length and without
// Range support, as some servers do.
func WithoutLength() Option { return func(c *config) { c.chunked = true } }

// WithDir puts the pair under a folder of the URL path, e.g. "images/v1".
func WithDir(dir string) Option { return func(c *config) { c.dir = strings.Trim(dir, "/") } }

// Server is an HTTP server of one generated VMDK pair: a descriptor and a
// flat of deterministic pseudo-random content produced on the fly (never
// held in memory), with counters and hooks to inject faults.
type Server struct {
	cfg     config
	content Content
	srv     *httptest.Server

	md5Once sync.Once
	md5     string

	served   atomic.Int64 // flat body bytes written
	requests atomic.Int64 // every request
	flatReqs atomic.Int64 // flat GETs

	mu         sync.Mutex
	desc       []byte
	failN      int
	failStatus int
	cutN       int
	cutAfter   int64
	resetN     int
	resetAfter int64
	hold       *hold
}

type hold struct {
	after   int64
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

// NewServer starts a Server of a size-byte flat (a multiple of 512) for t
// and closes it when t ends.
func NewServer(t testing.TB, size int64, opts ...Option) *Server {
	t.Helper()
	s, err := Start(size, opts...)
	if err != nil {
		t.Fatalf("imagetest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a Server of a size-byte flat (a multiple of 512). Call Close
// to stop it.
func Start(size int64, opts ...Option) (*Server, error) {
	if size <= 0 || size%512 != 0 {
		return nil, fmt.Errorf("flat size %d is not a positive multiple of 512", size)
	}
	cfg := config{name: DefaultName, seed: 1, modTime: time.Date(2012, 3, 26, 0, 0, 0, 0, time.UTC)}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, content: NewContent(cfg.seed, size)}
	s.desc = Descriptor(s.FlatName(), size)
	if cfg.tls {
		s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	} else {
		s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	}
	return s, nil
}

// Close stops the server, releasing a held response first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.hold != nil {
		s.hold.once.Do(func() { close(s.hold.release) })
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

func (s *Server) path(name string) string {
	if s.cfg.dir == "" {
		return "/" + name
	}
	return "/" + s.cfg.dir + "/" + name
}

// FlatName is the flat's file name, e.g. "disk-flat.vmdk".
func (s *Server) FlatName() string { return s.cfg.name + "-flat.vmdk" }

// DescriptorName is the descriptor's file name, e.g. "disk.vmdk".
func (s *Server) DescriptorName() string { return s.cfg.name + ".vmdk" }

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// FlatURL is the flat's URL, what Wakame registers.
func (s *Server) FlatURL() string { return s.srv.URL + s.path(s.FlatName()) }

// DescriptorURL is the descriptor's URL.
func (s *Server) DescriptorURL() string { return s.srv.URL + s.path(s.DescriptorName()) }

// Size is the flat's size in bytes.
func (s *Server) Size() int64 { return s.content.size }

// Content is the flat's content.
func (s *Server) Content() Content { return s.content }

// MD5 is the flat's md5 (computed once, on first use).
func (s *Server) MD5() string {
	s.md5Once.Do(func() { s.md5 = s.content.MD5() })
	return s.md5
}

// Descriptor is the descriptor the server serves.
func (s *Server) Descriptor() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.desc...)
}

// SetDescriptor replaces the descriptor the server serves.
func (s *Server) SetDescriptor(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.desc = append([]byte(nil), b...)
}

// BytesServed counts the flat body bytes written to clients (counted as
// they are handed to the connection).
func (s *Server) BytesServed() int64 { return s.served.Load() }

// Requests counts every request received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// FlatRequests counts the requests for the flat.
func (s *Server) FlatRequests() int64 { return s.flatReqs.Load() }

// ResetCounters sets the counters to zero.
func (s *Server) ResetCounters() {
	s.served.Store(0)
	s.requests.Store(0)
	s.flatReqs.Store(0)
}

// FailNext answers the next n requests (for either file) with status.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// CutNext makes the next n flat responses stop after bytes of the body:
// the connection is closed although more was promised.
func (s *Server) CutNext(n int, after int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cutN, s.cutAfter = n, after
}

// ResetNext makes the next n flat responses reset the TCP connection (RST)
// after bytes of the body.
func (s *Server) ResetNext(n int, after int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetN, s.resetAfter = n, after
}

// HoldNext makes the next flat response stop after bytes of the body and
// wait until the client goes away or release is called. reached is closed
// when the bytes have been sent.
func (s *Server) HoldNext(after int64) (reached <-chan struct{}, release func()) {
	h := &hold{after: after, reached: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.hold = h
	s.mu.Unlock()
	return h.reached, func() { h.once.Do(func() { close(h.release) }) }
}

// Certificate is the server's certificate (WithTLS only).
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// Client is an HTTP client that trusts the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

type fault int

const (
	faultNone fault = iota
	faultCut
	faultReset
	faultHold
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	if s.failN > 0 {
		s.failN--
		status := s.failStatus
		s.mu.Unlock()
		http.Error(w, fmt.Sprintf("imagetest: injected %d", status), status)
		return
	}
	desc := s.desc
	s.mu.Unlock()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case s.path(s.DescriptorName()):
		w.Header().Set("Content-Type", "text/plain")
		http.ServeContent(w, r, s.DescriptorName(), s.cfg.modTime, strings.NewReader(string(desc)))
	case s.path(s.FlatName()):
		s.serveFlat(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveFlat(w http.ResponseWriter, r *http.Request) {
	s.flatReqs.Add(1)
	f, limit, h := faultNone, int64(-1), (*hold)(nil)
	if r.Method == http.MethodGet {
		s.mu.Lock()
		switch {
		case s.hold != nil:
			f, limit, h = faultHold, s.hold.after, s.hold
			s.hold = nil
		case s.resetN > 0:
			s.resetN--
			f, limit = faultReset, s.resetAfter
		case s.cutN > 0:
			s.cutN--
			f, limit = faultCut, s.cutAfter
		}
		s.mu.Unlock()
	}
	cw := &countingWriter{ResponseWriter: w, s: s, limit: limit}
	w.Header().Set("Content-Type", "application/octet-stream")
	body := io.NewSectionReader(s.content, 0, s.content.size)
	if s.cfg.chunked {
		if r.Method == http.MethodHead {
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(onlyWriter{cw}, body)
	} else {
		w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, s.cfg.seed, s.content.size))
		http.ServeContent(cw, r, s.FlatName(), s.cfg.modTime, body)
	}
	if !cw.limited {
		return
	}
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	switch f {
	case faultCut:
		panic(http.ErrAbortHandler)
	case faultReset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	case faultHold:
		close(h.reached)
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
		panic(http.ErrAbortHandler)
	}
}

// onlyWriter hides ReadFrom so that copies go through Write.
type onlyWriter struct{ io.Writer }

type countingWriter struct {
	http.ResponseWriter
	s       *Server
	limit   int64 // body bytes allowed before a fault, or -1
	written int64
	limited bool
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.limited {
		return 0, errLimited
	}
	if c.limit >= 0 && c.written+int64(len(p)) >= c.limit {
		p = p[:c.limit-c.written]
		c.limited = true
	}
	// Counted before the write returns, so that a client that has read
	// the bytes always finds them counted.
	c.s.served.Add(int64(len(p)))
	n, err := c.ResponseWriter.Write(p)
	c.written += int64(n)
	c.s.served.Add(int64(n - len(p)))
	if err == nil && c.limited {
		err = errLimited
	}
	return n, err
}

var errLimited = fmt.Errorf("imagetest: injected fault")
