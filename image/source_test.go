package image

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/fetch"
	"github.com/stretchr/testify/assert"
)

func TestFetcherDefaultsAndBackoff(t *testing.T) {
	f := newFetcher(FetchOptions{}, nil)
	assert.Equal(t, fetch.DefaultRetries, f.Retries)
	assert.Equal(t, fetch.DefaultBackoff, f.Backoff)
	assert.Equal(t, fetch.DefaultStall, f.Stall)
	assert.NotNil(t, f.own, "a transport of our own")
	f.idle()
	assert.Zero(t, newFetcher(FetchOptions{Retries: -1}, nil).Retries, "negative means none")

	f = newFetcher(FetchOptions{Backoff: time.Millisecond, HTTPClient: http.DefaultClient}, nil)
	assert.Nil(t, f.own)
	assert.Same(t, http.DefaultClient, f.Client)
	// At most 1ms doubled twice, drawn below that (full jitter: see
	// internal/retry's tests for the bounds).
	assert.NoError(t, f.Wait(context.Background(), 3))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, newFetcher(FetchOptions{Backoff: time.Hour}, nil).Wait(ctx, 1), context.Canceled)
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
