package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/esxi-hva/esxi-hva/internal/stall"
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
		{"stall", ctx, stall.ErrStalled, true},
		{"size", ctx, fmt.Errorf("%w: too long", ErrSizeMismatch), false},
		{"bad source", ctx, ErrInvalidSource, false},
		{"unknown CA", ctx, fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), false},
		{"cancelled", cancelled, io.ErrUnexpectedEOF, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Transient(tt.ctx, tt.err), tt.name)
	}
}
