package image

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 100-199/1000", 100, 1000, true},
		{"bytes 0-0/*", 0, -1, true},
		{"bytes */1000", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"bytes 1-2", 0, 0, false},
		{"bytes x-2/3", 0, 0, false},
		{"bytes 1-2/x", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		start, total, ok := parseContentRange(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		if tt.ok {
			assert.Equal(t, tt.start, start, tt.in)
			assert.Equal(t, tt.total, total, tt.in)
		}
	}
}

func TestTransient(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"nil", ctx, nil, false},
		{"500", ctx, &StatusError{Status: 500}, true},
		{"503 wrapped", ctx, fmt.Errorf("x: %w", &StatusError{Status: 503}), true},
		{"408", ctx, &StatusError{Status: http.StatusRequestTimeout}, true},
		{"429", ctx, &StatusError{Status: http.StatusTooManyRequests}, true},
		{"404", ctx, &StatusError{Status: 404}, false},
		{"403", ctx, &StatusError{Status: 403}, false},
		{"cut short", ctx, io.ErrUnexpectedEOF, true},
		{"reset", ctx, errors.New("read: connection reset by peer"), true},
		{"stall", ctx, errStalled, true},
		{"size", ctx, fmt.Errorf("%w: too long", ErrSizeMismatch), false},
		{"bad source", ctx, ErrInvalidSource, false},
		{"unknown CA", ctx, fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), false},
		{"cancelled", cancelled, io.ErrUnexpectedEOF, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, transient(tt.ctx, tt.err), tt.name)
	}
}

func TestFetcherDefaultsAndBackoff(t *testing.T) {
	f := newFetcher(FetchOptions{}, nil)
	assert.Equal(t, defaultRetries, f.retries)
	assert.Equal(t, defaultBackoff, f.backoff)
	assert.Equal(t, defaultStall, f.stall)
	assert.NotNil(t, f.own, "a transport of our own")
	f.idle()
	assert.Zero(t, newFetcher(FetchOptions{Retries: -1}, nil).retries, "negative means none")

	f = newFetcher(FetchOptions{Backoff: time.Millisecond, HTTPClient: http.DefaultClient}, nil)
	assert.Nil(t, f.own)
	assert.Same(t, http.DefaultClient, f.client)
	// At most 1ms doubled twice, drawn below that (full jitter: see
	// internal/retry's tests for the bounds).
	assert.NoError(t, f.wait(context.Background(), 3))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, newFetcher(FetchOptions{Backoff: time.Hour}, nil).wait(ctx, 1), context.Canceled)
}

func TestErrorsIs(t *testing.T) {
	ce := &ChecksumError{URI: "http://h/x-flat.vmdk", Expected: "a", Actual: "b"}
	assert.ErrorIs(t, fmt.Errorf("deploy: %w", ce), ErrChecksumMismatch)
	assert.Equal(t, "http://h/x-flat.vmdk: md5 is b, expected a", ce.Error())
	se := &StatusError{Method: "GET", URL: "http://h/x", Status: 500, Text: "500 Internal Server Error"}
	assert.ErrorIs(t, se, ErrSourceStatus)
	assert.Equal(t, "GET http://h/x: 500 Internal Server Error", se.Error())
	de := &DescriptorError{Msg: "m", Err: ErrUnsupportedDisk}
	assert.Equal(t, "unsupported vmdk disk: m", de.Error())
	assert.ErrorIs(t, de, ErrUnsupportedDisk)
}
