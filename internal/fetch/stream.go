package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/redact"
	"github.com/esxi-hva/esxi-hva/internal/stall"
)

// Open opens the file at u (http, https or file) for reading exactly size
// bytes, checking the size the source tells (file size or Content-Length)
// against size before any byte is read. Over HTTP a transient error (see
// Transient), before or during the body, is retried up to c.Retries
// times, resuming with a Range request (If-Range guards it against a
// changed file) or, when the server ignores the Range, skipping what was
// already read; a response that delivers nothing for c.Stall is such an
// error.
func Open(ctx context.Context, c Config, u *url.URL, size int64) (io.ReadCloser, error) {
	c = c.WithDefaults()
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
			return nil, c.sizeError(u, fi.Size(), size)
		}
		return &fileStream{f: fh, u: u, size: size}, nil
	}
	s := &httpStream{c: c, ctx: ctx, u: u, size: size, retriesLeft: c.Retries}
	if err := s.reopen(nil); err != nil {
		return nil, err
	}
	return s, nil
}

func (c Config) sizeError(u *url.URL, got, want int64) error {
	return fmt.Errorf("%w: %s is %d bytes but %s", ErrSizeMismatch, redact.URL(u), got, c.Expected(want))
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
	c           Config
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
			if !Transient(s.ctx, last) {
				return last
			}
			if s.retriesLeft <= 0 {
				return fmt.Errorf("giving up after %d attempts: %w", s.attempts, last)
			}
			s.retriesLeft--
			s.c.Log.WarnContext(s.ctx, "retrying image source", "url", redact.URL(s.u), "offset", s.off, "attempt", s.attempts+1, "err", last)
			if err := s.c.Wait(s.ctx, s.attempts); err != nil {
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
	s.watchdog = time.AfterFunc(s.c.Stall, func() { cancel(fmt.Errorf("%w: no response for %s", stall.ErrStalled, s.c.Stall)) })
	resp, err := s.c.Client.Do(req)
	s.watchdog.Stop()
	if err != nil {
		if cause := context.Cause(actx); errors.Is(cause, stall.ErrStalled) && s.ctx.Err() == nil {
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
			return fail(s.c.sizeError(s.u, resp.ContentLength, s.size))
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
		return fail(NewStatusError(http.MethodGet, s.u, resp))
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
	s.watchdog = time.AfterFunc(s.c.Stall, func() { cancel(stall.ErrStalled) })
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
			s.watchdog.Reset(s.c.Stall)
			n, err = s.body.Read(one[:])
			s.watchdog.Stop()
			if n > 0 {
				s.closeBody()
				return 0, fmt.Errorf("%w: %s is longer than the %d bytes expected", ErrSizeMismatch, redact.URL(s.u), s.size)
			}
			if err == nil {
				continue
			}
			if err == io.EOF {
				return 0, io.EOF
			}
		} else {
			s.watchdog.Reset(s.c.Stall)
			n, err = s.body.Read(p)
			s.watchdog.Stop()
			s.off += int64(n)
			if err == nil || (err == io.EOF && s.off == s.size) {
				return n, nil
			}
		}
		if err == io.EOF {
			err = fmt.Errorf("GET %s: body ended at byte %d of %d: %w", redact.URL(s.u), s.off, s.size, io.ErrUnexpectedEOF)
		} else if cause := context.Cause(s.actx); errors.Is(cause, stall.ErrStalled) && s.ctx.Err() == nil {
			err = fmt.Errorf("GET %s: %w at byte %d", redact.URL(s.u), stall.ErrStalled, s.off)
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
