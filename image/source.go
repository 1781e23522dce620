package image

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/redact"
	"github.com/esxi-hva/esxi-hva/internal/retry"
	"github.com/esxi-hva/esxi-hva/internal/stall"
)

// FetchOptions say how sources (and PutPair's targets) are reached.
type FetchOptions struct {
	// HTTPClient, when set, is used as is (RootCAs and Insecure are then
	// ignored). Give it no overall Timeout: images are large.
	HTTPClient *http.Client
	// RootCAs verifies https sources against a private CA instead of the
	// system's roots.
	RootCAs *x509.CertPool
	// Insecure skips TLS verification of https sources. Never the default.
	Insecure bool
	// Retries bounds how many times a transient source error (connection
	// reset or refused, a body cut short, 408, 429, 5xx, a stall) is retried
	// within one transfer; 0 means 3, negative means none.
	Retries int
	// Backoff is the longest wait before the first retry, doubled for each
	// next one (at most 30s); each wait is drawn at random below it (full
	// jitter). 0 means 500ms.
	Backoff time.Duration
	// StallTimeout aborts (and retries) a response that delivers no byte for
	// this long, also used as the response-header timeout; 0 means 60s.
	StallTimeout time.Duration
}

const (
	defaultRetries = 3
	defaultBackoff = 500 * time.Millisecond
	maxBackoff     = 30 * time.Second
	defaultStall   = 60 * time.Second
)

// errStalled is the cause given to an attempt that stopped delivering.
var errStalled = stall.ErrStalled

// fetcher reads sources over http, https and file with retries.
type fetcher struct {
	client  *http.Client
	own     *http.Transport // the transport we made, if any
	retries int
	backoff time.Duration
	stall   time.Duration
	log     *slog.Logger
}

func newFetcher(o FetchOptions, log *slog.Logger) *fetcher {
	f := &fetcher{retries: o.Retries, backoff: o.Backoff, stall: o.StallTimeout, log: log}
	if f.retries == 0 {
		f.retries = defaultRetries
	} else if f.retries < 0 {
		f.retries = 0
	}
	if f.backoff <= 0 {
		f.backoff = defaultBackoff
	}
	if f.stall <= 0 {
		f.stall = defaultStall
	}
	if f.log == nil {
		f.log = slog.Default()
	}
	f.log = ctxLogger(f.log)
	if o.HTTPClient != nil {
		f.client = o.HTTPClient
		return f
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: o.RootCAs, InsecureSkipVerify: o.Insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // Insecure is an explicit opt-in
	tr.DisableCompression = true                                                                                       // sizes and md5 are of the bytes as stored
	tr.ResponseHeaderTimeout = f.stall
	f.own = tr
	f.client = &http.Client{Transport: tr}
	return f
}

// idle closes the idle connections of a transport we own: images are
// fetched seldom, and no connection should outlive a transfer.
func (f *fetcher) idle() {
	if f.own != nil {
		f.own.CloseIdleConnections()
	}
}

// wait sleeps before retry number n (1-based): capped exponential backoff
// from FetchOptions.Backoff with full jitter, or returns the context's
// error.
func (f *fetcher) wait(ctx context.Context, n int) error {
	return retry.Backoff{Base: f.backoff, Cap: maxBackoff}.Wait(ctx, n)
}

// transient reports whether err is worth a retry.
func transient(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500 || se.Status == http.StatusRequestTimeout || se.Status == http.StatusTooManyRequests
	}
	var cv *tls.CertificateVerificationError
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	switch {
	case errors.Is(err, ErrSizeMismatch), errors.Is(err, ErrInvalidSource), errors.Is(err, os.ErrNotExist),
		errors.As(err, &cv), errors.As(err, &ue), errors.As(err, &he):
		return false
	}
	return true
}

// readSmall reads a whole small file (the descriptor), at most limit bytes.
func (f *fetcher) readSmall(ctx context.Context, u *url.URL, limit int64) ([]byte, error) {
	if u.Scheme == "file" {
		fh, err := os.Open(u.Path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", redact.URL(u), err)
		}
		defer fh.Close()
		return readLimited(fh, limit, redact.URL(u))
	}
	var last error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if attempt > f.retries || !transient(ctx, last) {
				return nil, last
			}
			f.log.WarnContext(ctx, "retrying image source", "url", redact.URL(u), "attempt", attempt, "err", last)
			if err := f.wait(ctx, attempt); err != nil {
				return nil, err
			}
		}
		b, err := f.getSmall(ctx, u, limit)
		if err == nil {
			return b, nil
		}
		last = err
	}
}

// getSmall GETs the descriptor under a stall watchdog: the headers, and
// then each next byte, must come within the stall timeout, whatever
// client the caller gave.
func (f *fetcher) getSmall(ctx context.Context, u *url.URL, limit int64) ([]byte, error) {
	wctx, wd := stall.New(ctx, f.stall)
	defer wd.Stop()
	req, err := http.NewRequestWithContext(wctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidSource, redact.URL(u), err)
	}
	wd.Arm()
	resp, err := f.client.Do(req)
	wd.Disarm()
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact.URL(u), wd.WrapTimeout(redact.Err(err)))
	}
	defer resp.Body.Close()
	body := wd.Source(resp.Body)
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
		return nil, statusError(http.MethodGet, u, resp)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: GET %s: %d bytes is more than the limit of %d for a descriptor", ErrInvalidDescriptor, redact.URL(u), resp.ContentLength, limit)
	}
	b, err := readLimited(body, limit, "GET "+redact.URL(u))
	return b, wd.Wrap(err)
}

func readLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, redact.Err(err))
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s: more than the limit of %d bytes for a descriptor", ErrInvalidDescriptor, what, limit)
	}
	return b, nil
}

func statusError(method string, u *url.URL, resp *http.Response) *StatusError {
	text := resp.Status
	if text == "" {
		text = strconv.Itoa(resp.StatusCode)
	}
	return &StatusError{Method: method, URL: redact.URL(u), Status: resp.StatusCode, Text: text}
}

// stream reads the flat: size bytes exactly, resuming with Range after a
// transient error (see the package doc).
type stream interface {
	io.ReadCloser
}

// openFlat opens the flat and checks the size the source tells (file size
// or Content-Length) against size, before any byte is read.
func (f *fetcher) openFlat(ctx context.Context, u *url.URL, size int64) (stream, error) {
	if u.Scheme == "file" {
		fh, err := os.Open(u.Path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redact.URL(u), err)
		}
		fi, err := fh.Stat()
		if err != nil {
			fh.Close()
			return nil, fmt.Errorf("open %s: %w", redact.URL(u), err)
		}
		if !fi.Mode().IsRegular() {
			fh.Close()
			return nil, fmt.Errorf("%w: %s is not a regular file", ErrInvalidSource, redact.URL(u))
		}
		if fi.Size() != size {
			fh.Close()
			return nil, sizeError(u, fi.Size(), size)
		}
		return &fileStream{f: fh, u: u, size: size}, nil
	}
	s := &httpStream{f: f, ctx: ctx, u: u, size: size, retriesLeft: f.retries}
	if err := s.reopen(nil); err != nil {
		return nil, err
	}
	return s, nil
}

func sizeError(u *url.URL, got, want int64) error {
	return fmt.Errorf("%w: %s is %d bytes but its descriptor says %d (%d sectors)", ErrSizeMismatch, redact.URL(u), got, want, want/SectorSize)
}

type fileStream struct {
	f    *os.File
	u    *url.URL
	size int64
	off  int64
}

func (s *fileStream) Read(p []byte) (int, error) {
	if rest := s.size - s.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	if len(p) == 0 {
		return 0, io.EOF
	}
	n, err := s.f.Read(p)
	s.off += int64(n)
	if err == io.EOF && s.off < s.size {
		return n, fmt.Errorf("%w: %s ended at byte %d of %d", ErrSizeMismatch, redact.URL(s.u), s.off, s.size)
	}
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s: %w", redact.URL(s.u), err)
	}
	return n, err
}

func (s *fileStream) Close() error { return s.f.Close() }

type httpStream struct {
	f           *fetcher
	ctx         context.Context
	u           *url.URL
	size        int64
	off         int64
	retriesLeft int
	attempts    int
	validator   string // ETag or Last-Modified of the first response, for If-Range

	body     io.ReadCloser
	cancel   context.CancelCauseFunc
	actx     context.Context
	watchdog *time.Timer
}

// reopen (re)starts the response at s.off, retrying transient failures.
// last is the error that ended the previous response, if any.
func (s *httpStream) reopen(last error) error {
	for {
		if last != nil {
			if !transient(s.ctx, last) {
				return last
			}
			if s.retriesLeft <= 0 {
				return fmt.Errorf("giving up after %d attempts: %w", s.attempts, last)
			}
			s.retriesLeft--
			s.f.log.WarnContext(s.ctx, "retrying image source", "url", redact.URL(s.u), "offset", s.off, "attempt", s.attempts+1, "err", last)
			if err := s.f.wait(s.ctx, s.attempts); err != nil {
				return err
			}
		}
		s.attempts++
		err := s.attempt()
		if err == nil {
			return nil
		}
		last = err
	}
}

func (s *httpStream) attempt() error {
	actx, cancel := context.WithCancelCause(s.ctx)
	req, err := http.NewRequestWithContext(actx, http.MethodGet, s.u.String(), nil)
	if err != nil {
		cancel(nil)
		return fmt.Errorf("%w: %s: %v", ErrInvalidSource, redact.URL(s.u), err)
	}
	if s.off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", s.off))
		if s.validator != "" {
			req.Header.Set("If-Range", s.validator)
		}
	}
	// The watchdog also bounds the wait for the headers, whatever client
	// the caller gave (a transport of ours has ResponseHeaderTimeout too).
	s.watchdog = time.AfterFunc(s.f.stall, func() { cancel(fmt.Errorf("%w: no response for %s", errStalled, s.f.stall)) })
	resp, err := s.f.client.Do(req)
	s.watchdog.Stop()
	if err != nil {
		if cause := context.Cause(actx); errors.Is(cause, errStalled) && s.ctx.Err() == nil {
			err = cause
		}
		cancel(nil)
		return fmt.Errorf("GET %s: %w", redact.URL(s.u), redact.Err(err))
	}
	fail := func(err error) error {
		_ = resp.Body.Close()
		cancel(nil)
		return err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != s.size {
			return fail(sizeError(s.u, resp.ContentLength, s.size))
		}
		if s.off > 0 {
			// The server ignored the Range (or the validator changed):
			// skip what was already passed on. The md5 check at the end
			// still vouches for the whole.
			if _, err := io.CopyN(io.Discard, resp.Body, s.off); err != nil {
				return fail(fmt.Errorf("GET %s: skipping %d bytes already received: %w", redact.URL(s.u), s.off, redact.Err(err)))
			}
		}
	case resp.StatusCode == http.StatusPartialContent && s.off > 0:
		start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != s.off || (total >= 0 && total != s.size) {
			return fail(fmt.Errorf("%w: GET %s: Content-Range %q does not continue at byte %d of %d", ErrSizeMismatch, redact.URL(s.u), resp.Header.Get("Content-Range"), s.off, s.size))
		}
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return fail(statusError(http.MethodGet, s.u, resp))
	}
	if s.validator == "" {
		if et := resp.Header.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
			s.validator = et
		} else if lm := resp.Header.Get("Last-Modified"); lm != "" {
			s.validator = lm
		}
	}
	s.body, s.cancel, s.actx = resp.Body, cancel, actx
	// The watchdog runs only while a Read waits on the network (see Read),
	// so a slow datastore holding the pump back never counts as a stall.
	s.watchdog = time.AfterFunc(s.f.stall, func() { cancel(errStalled) })
	s.watchdog.Stop()
	return nil
}

func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, total, true
}

func (s *httpStream) closeBody() {
	if s.body == nil {
		return
	}
	s.watchdog.Stop()
	_ = s.body.Close()
	s.cancel(nil)
	s.body = nil
}

// Read implements io.Reader: exactly size bytes, then io.EOF.
func (s *httpStream) Read(p []byte) (int, error) {
	for {
		if s.body == nil {
			return 0, fmt.Errorf("read %s: stream closed", redact.URL(s.u))
		}
		if rest := s.size - s.off; int64(len(p)) > rest {
			p = p[:rest]
		}
		var n int
		var err error
		if len(p) == 0 {
			// All bytes are in; the body must end here.
			var one [1]byte
			s.watchdog.Reset(s.f.stall)
			n, err = s.body.Read(one[:])
			s.watchdog.Stop()
			if n > 0 {
				s.closeBody()
				return 0, fmt.Errorf("%w: %s is longer than its descriptor's %d bytes", ErrSizeMismatch, redact.URL(s.u), s.size)
			}
			if err == nil {
				continue
			}
			if err == io.EOF {
				return 0, io.EOF
			}
		} else {
			s.watchdog.Reset(s.f.stall)
			n, err = s.body.Read(p)
			s.watchdog.Stop()
			s.off += int64(n)
			if err == nil || (err == io.EOF && s.off == s.size) {
				return n, nil
			}
		}
		if err == io.EOF {
			err = fmt.Errorf("GET %s: body ended at byte %d of %d: %w", redact.URL(s.u), s.off, s.size, io.ErrUnexpectedEOF)
		} else if cause := context.Cause(s.actx); errors.Is(cause, errStalled) && s.ctx.Err() == nil {
			err = fmt.Errorf("GET %s: %w at byte %d", redact.URL(s.u), errStalled, s.off)
		} else {
			err = fmt.Errorf("GET %s: %w", redact.URL(s.u), redact.Err(err))
		}
		s.closeBody()
		if s.ctx.Err() != nil {
			return n, context.Cause(s.ctx)
		}
		if rerr := s.reopen(err); rerr != nil {
			if errors.Is(rerr, io.ErrUnexpectedEOF) {
				rerr = fmt.Errorf("%w: %w", ErrSizeMismatch, rerr)
			}
			return n, rerr
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close implements io.Closer.
func (s *httpStream) Close() error {
	s.closeBody()
	return nil
}
