package image

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/fetch"
	"github.com/esxi-hva/esxi-hva/internal/redact"
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

// fetcher reads sources over http, https and file with retries: a
// fetch.Config (defaults set) and the transport it made, if any.
type fetcher struct {
	fetch.Config
	own *http.Transport
}

func newFetcher(o FetchOptions, log *slog.Logger) *fetcher {
	if log == nil {
		log = slog.Default()
	}
	f := &fetcher{Config: fetch.Config{
		Client: o.HTTPClient, Retries: o.Retries, Backoff: o.Backoff, Stall: o.StallTimeout, Log: ctxLogger(log),
		Expected: func(size int64) string {
			return fmt.Sprintf("its descriptor says %d (%d sectors)", size, size/SectorSize)
		},
	}.WithDefaults()}
	if o.HTTPClient != nil {
		return f
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: o.RootCAs, InsecureSkipVerify: o.Insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // Insecure is an explicit opt-in
	tr.DisableCompression = true                                                                                       // sizes and md5 are of the bytes as stored
	tr.ResponseHeaderTimeout = f.Stall
	f.own = tr
	f.Client = &http.Client{Transport: tr}
	return f
}

// idle closes the idle connections of a transport we own: images are
// fetched seldom, and no connection should outlive a transfer.
func (f *fetcher) idle() {
	if f.own != nil {
		f.own.CloseIdleConnections()
	}
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
			if attempt > f.Retries || !fetch.Transient(ctx, last) {
				return nil, last
			}
			f.Log.WarnContext(ctx, "retrying image source", "url", redact.URL(u), "attempt", attempt, "err", last)
			if err := f.Wait(ctx, attempt); err != nil {
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
	wctx, wd := stall.New(ctx, f.Stall)
	defer wd.Stop()
	req, err := http.NewRequestWithContext(wctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidSource, redact.URL(u), err)
	}
	wd.Arm()
	resp, err := f.Client.Do(req)
	wd.Disarm()
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact.URL(u), wd.WrapTimeout(redact.Err(err)))
	}
	defer resp.Body.Close()
	body := wd.Source(resp.Body)
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
		return nil, fetch.NewStatusError(http.MethodGet, u, resp)
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

// openFlat opens the flat for reading exactly size bytes, with the
// fetcher's retries, Range resume and stall watchdog (see fetch.Open).
func (f *fetcher) openFlat(ctx context.Context, u *url.URL, size int64) (io.ReadCloser, error) {
	return fetch.Open(ctx, f.Config, u, size)
}
