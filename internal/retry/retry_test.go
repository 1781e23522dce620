package retry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/retry"
)

func TestCeilingDoublesUpToTheCap(t *testing.T) {
	b := retry.Backoff{Base: 100 * time.Millisecond, Cap: time.Second}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		assert.Equal(t, w*time.Millisecond, b.Ceiling(i+1), "retry %d", i+1)
	}
	assert.Equal(t, time.Second, b.Ceiling(1000), "no overflow on long runs")
	assert.Equal(t, 5*time.Second, retry.Backoff{Base: 5 * time.Second}.Ceiling(10), "no cap means Base")
}

func TestDelayIsJitteredWithinTheCeiling(t *testing.T) {
	b := retry.Backoff{Base: time.Second, Cap: 30 * time.Second}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := b.Delay(3)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, 4*time.Second)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 100, "full jitter: the waits differ")
	assert.Equal(t, time.Duration(0), retry.Backoff{}.Delay(1))
}

func TestWaitStopsWithTheContext(t *testing.T) {
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	err := retry.Backoff{Base: time.Hour, Cap: time.Hour}.Wait(ctx, 1)
	assert.ErrorIs(t, err, cause)
	require.NoError(t, retry.Sleep(context.Background(), time.Millisecond))

	done := make(chan struct{})
	close(done)
	assert.False(t, retry.SleepUntil(done, time.Hour))
	assert.True(t, retry.SleepUntil(make(chan struct{}), time.Millisecond))
}
