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
