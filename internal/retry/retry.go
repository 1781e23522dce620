// Package retry spaces out the attempts of an operation that failed for a
// transient reason: capped exponential backoff with full jitter. The wait
// before retry n is drawn uniformly from [0, min(Cap, Base*2^(n-1))], so
// that agents that failed together (a broker restart, a source going
// down) do not come back together, and no wait grows past Cap.
//
// It is a dozen lines of arithmetic, so the project keeps it here rather
// than take a dependency: the three callers (image sources, the Wakame
// API client, the broker reconnect) each have their own loop and stop
// conditions, and need only the delay and a context-aware sleep.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff computes the waits between attempts.
type Backoff struct {
	// Base is the ceiling of the first wait; it doubles for each next one.
	Base time.Duration
	// Cap bounds every ceiling; zero or less than Base means Base.
	Cap time.Duration
}

// Ceiling returns the longest wait before retry n (1-based).
func (b Backoff) Ceiling(n int) time.Duration {
	limit := max(b.Cap, b.Base)
	d := b.Base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(max(d, 0), limit)
}

// Delay returns the wait before retry n (1-based): uniform in
// [0, Ceiling(n)].
func (b Backoff) Delay(n int) time.Duration {
	c := b.Ceiling(n)
	if c <= 0 {
		return 0
	}
	return rand.N(c + 1) //nolint:gosec // jitter, not a secret
}

// Wait sleeps for Delay(n), or returns the context's cause when it ends
// first.
func (b Backoff) Wait(ctx context.Context, n int) error {
	return Sleep(ctx, b.Delay(n))
}

// Sleep waits d, or returns the context's cause when it ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// SleepUntil waits d and reports true, or reports false as soon as done is
// closed, for loops stopped by a channel rather than a context.
func SleepUntil(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return false
	case <-t.C:
		return true
	}
}
