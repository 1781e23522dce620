package registry

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/internal/fetch"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// ProbePair checks that both files of the pair answer (HEAD for http(s),
// stat for file) and returns the flat's size in bytes. hc nil means
// http.DefaultClient. A file that does not answer is ErrUnreachable.
func ProbePair(ctx context.Context, hc *http.Client, p Pair) (int64, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	return probe(ctx, hc, p)
}

// probe checks that both files of the pair answer and returns the flat's
// size in bytes.
func probe(ctx context.Context, hc *http.Client, p Pair) (int64, error) {
	size, err := statURI(ctx, hc, p.FlatURI)
	if err != nil {
		return 0, fmt.Errorf("flat file: %w", err)
	}
	if size < 0 {
		return 0, fmt.Errorf("flat file %s: %w: the server did not say its size (no Content-Length)", redact.String(p.FlatURI), ErrUnreachable)
	}
	if _, err := statURI(ctx, hc, p.DescriptorURI); err != nil {
		return 0, fmt.Errorf("descriptor file (the flat's name without \"-flat\"): %w", err)
	}
	return size, nil
}

// parseURI parses an image file's URI; its error names the URI redacted
// and leaves out net/url's text, which quotes the URI.
func parseURI(uri string) (*url.URL, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, invalid("uri", redact.String(uri), "is not a URI: %v", redact.Err(err))
	}
	return u, nil
}

// statURI HEADs an http(s) URI or stats a file URI; size is -1 when unknown.
func statURI(ctx context.Context, hc *http.Client, uri string) (int64, error) {
	u, err := parseURI(uri)
	if err != nil {
		return 0, err
	}
	if u.Scheme == "file" {
		fi, err := os.Stat(u.Path)
		if err != nil {
			return 0, fmt.Errorf("%s: %w: %w", redact.String(uri), ErrUnreachable, err)
		}
		if !fi.Mode().IsRegular() {
			return 0, fmt.Errorf("%s: %w: not a regular file", redact.String(uri), ErrUnreachable)
		}
		return fi.Size(), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, uri, nil)
	if err != nil {
		return 0, fmt.Errorf("HEAD %s: %w", redact.String(uri), err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("HEAD %s: %w: %w", redact.String(uri), ErrUnreachable, redact.Err(err))
	}
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented:
		// A server without HEAD: ask for the first byte instead.
		return rangeSize(ctx, hc, uri)
	case resp.StatusCode/100 != 2:
		return 0, fmt.Errorf("HEAD %s: %w: HTTP %s", redact.String(uri), ErrUnreachable, resp.Status)
	case resp.ContentLength < 0:
		return rangeSize(ctx, hc, uri)
	}
	return resp.ContentLength, nil
}

// rangeSize learns a file's size from GET Range: bytes=0-0 (Content-Range
// "bytes 0-0/SIZE"), or from a full answer's Content-Length, reading no more
// than the headers; -1 when the server does not say.
func rangeSize(ctx context.Context, hc *http.Client, uri string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", redact.String(uri), err)
	}
	req.Header.Set("Range", "bytes=0-0")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w: %w", redact.String(uri), ErrUnreachable, redact.Err(err))
	}
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		cr := resp.Header.Get("Content-Range")
		i := strings.LastIndexByte(cr, '/')
		if i < 0 {
			return -1, nil
		}
		n, err := strconv.ParseInt(cr[i+1:], 10, 64)
		if err != nil || n < 0 {
			return -1, nil
		}
		return n, nil
	case resp.StatusCode/100 == 2:
		return resp.ContentLength, nil
	}
	return 0, fmt.Errorf("GET %s: %w: HTTP %s", redact.String(uri), ErrUnreachable, resp.Status)
}

// openURI opens an http(s) or file URI for reading.
func openURI(ctx context.Context, hc *http.Client, uri string) (io.ReadCloser, error) {
	u, err := parseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "file" {
		f, err := os.Open(u.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", redact.String(uri), ErrUnreachable, err)
		}
		return f, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact.String(uri), err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w: %w", redact.String(uri), ErrUnreachable, redact.Err(err))
	}
	if resp.StatusCode/100 != 2 {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %w: HTTP %s", redact.String(uri), ErrUnreachable, resp.Status)
	}
	return resp.Body, nil
}

// VerifyMD5 streams the file at uri (http, https or file) through md5,
// never holding more than a small buffer, and compares the sum with want (32
// hex digits) and the length with size (when size >= 0). progress, when not
// nil, is called after every chunk with the bytes read so far and size.
//
// With a known size the file is read as the image cache reads a flat
// (internal/fetch): a transient error is retried and the read resumes
// with a Range request where it stopped, and a response that stalls is
// cut and retried.
func VerifyMD5(ctx context.Context, hc *http.Client, uri, want string, size int64, progress func(done, total int64)) error {
	if !md5Re.MatchString(want) {
		return invalid("md5", want, "must be 32 hex digits")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	body, err := openVerified(ctx, hc, uri, size)
	if err != nil {
		return err
	}
	defer body.Close()
	h := md5.New()
	pw := &progressWriter{w: h, total: size, fn: progress}
	n, err := io.CopyBuffer(pw, ctxReader{ctx, body}, make([]byte, 64<<10))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return fmt.Errorf("verify %s: %w", redact.String(uri), err)
		}
		if errors.Is(err, fetch.ErrSizeMismatch) {
			return fmt.Errorf("verify %s: %w: %w", redact.String(uri), ErrChecksumMismatch, err)
		}
		return fmt.Errorf("verify %s: read failed after %d bytes: %w: %w", redact.String(uri), n, ErrUnreachable, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("verify %s: %w: read %d bytes, the server announced %d", redact.String(uri), ErrChecksumMismatch, n, size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
		return fmt.Errorf("verify %s: %w: md5 is %s, registration says %s", redact.String(uri), ErrChecksumMismatch, got, strings.ToLower(want))
	}
	return nil
}

// openVerified opens uri for VerifyMD5: through fetch.Open (retries,
// Range resume, stall watchdog) when the size is known, else as is.
func openVerified(ctx context.Context, hc *http.Client, uri string, size int64) (io.ReadCloser, error) {
	if size < 0 {
		return openURI(ctx, hc, uri)
	}
	u, err := parseURI(uri)
	if err != nil {
		return nil, err
	}
	body, err := fetch.Open(ctx, fetch.Config{
		Client:   hc,
		Expected: func(size int64) string { return fmt.Sprintf("the server announced %d", size) },
	}, u, size)
	switch {
	case err == nil:
		return body, nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return nil, fmt.Errorf("verify %s: %w", redact.String(uri), err)
	case errors.Is(err, fetch.ErrSizeMismatch):
		return nil, fmt.Errorf("verify %s: %w: %w", redact.String(uri), ErrChecksumMismatch, err)
	}
	return nil, fmt.Errorf("verify %s: %w: %w", redact.String(uri), ErrUnreachable, err)
}

// ctxReader stops a read loop once ctx is done, also for file:// sources
// that know nothing of contexts.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

type progressWriter struct {
	w     io.Writer
	done  int64
	total int64
	fn    func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return n, err
}
