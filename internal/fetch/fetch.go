// Package fetch reads an image file (a flat) of known size over http,
// https or file, with retries, Range resume and a stall watchdog: the
// reading shared by image's cache and registry's md5 check. It imports
// neither govmomi nor the esxi package.
package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/redact"
	"github.com/esxi-hva/esxi-hva/internal/retry"
)

// Defaults of a Config's zero fields.
const (
	DefaultRetries = 3
	DefaultBackoff = 500 * time.Millisecond
	MaxBackoff     = 30 * time.Second
	DefaultStall   = 60 * time.Second
)

// Sentinel errors, tested with errors.Is. The image package exports them
// under the same names.
var (
	// ErrInvalidSource: the URI is unusable (it does not parse, or names
	// something other than a regular file).
	ErrInvalidSource = errors.New("invalid image source")
	// ErrSourceStatus: the source answered with a non-2xx HTTP status. See
	// *StatusError.
	ErrSourceStatus = errors.New("image source answered with an error status")
	// ErrSizeMismatch: the file's size is not the expected one, or the
	// body was cut short after every retry.
	ErrSizeMismatch = errors.New("image size mismatch")
)

// StatusError reports a non-2xx answer of a source or target. It Is
// ErrSourceStatus.
type StatusError struct {
	Method string
	URL    string // without credentials or query
	Status int
	Text   string // the status line's text, e.g. "404 Not Found"
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Text)
}

// Is makes errors.Is(err, ErrSourceStatus) true.
func (e *StatusError) Is(target error) bool { return target == ErrSourceStatus }

// NewStatusError describes resp, the answer to method on u.
func NewStatusError(method string, u *url.URL, resp *http.Response) *StatusError {
	text := resp.Status
	if text == "" {
		text = strconv.Itoa(resp.StatusCode)
	}
	return &StatusError{Method: method, URL: redact.URL(u), Status: resp.StatusCode, Text: text}
}

// Config says how a file is read. A zero field takes its default.
type Config struct {
	// Client does the requests; default http.DefaultClient. Give it no
	// overall Timeout: images are large.
	Client *http.Client
	// Retries bounds the retries of transient errors within one read;
	// 0 means DefaultRetries, negative means none.
	Retries int
	// Backoff is the longest wait before the first retry, doubled for
	// each next one up to MaxBackoff, drawn at random below it; default
	// DefaultBackoff.
	Backoff time.Duration
	// Stall aborts (and retries) a response that delivers no byte for
	// this long, the headers included; default DefaultStall.
	Stall time.Duration
	// Log receives the retries; default slog.Default().
	Log *slog.Logger
	// Expected says where the expected size comes from, in a size
	// mismatch's message: "its descriptor says 1024"; default
	// "1024 bytes were expected".
	Expected func(size int64) string
}

// WithDefaults returns c with its zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Client == nil {
		c.Client = http.DefaultClient
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	} else if c.Retries < 0 {
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Stall <= 0 {
		c.Stall = DefaultStall
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Expected == nil {
		c.Expected = func(size int64) string { return fmt.Sprintf("%d bytes were expected", size) }
	}
	return c
}

// Wait sleeps before retry number n (1-based), or returns the context's
// error.
func (c Config) Wait(ctx context.Context, n int) error {
	return retry.Backoff{Base: c.Backoff, Cap: MaxBackoff}.Wait(ctx, n)
}

// Transient reports whether err is worth a retry: not when ctx is done,
// nor for a size mismatch, an unusable source, a missing file, a TLS
// verification failure, or an HTTP status other than 408, 429 and 5xx.
func Transient(ctx context.Context, err error) bool {
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
