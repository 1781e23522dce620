package stall_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/internal/stall"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// blockingReader blocks until its context ends.
type blockingReader struct{ ctx context.Context }

func (b blockingReader) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, context.Cause(b.ctx)
}

func TestSourceFiresWhileReadWaits(t *testing.T) {
	ctx, w := stall.New(context.Background(), 20*time.Millisecond)
	defer w.Stop()
	_, err := io.ReadAll(w.Source(io.MultiReader(strings.NewReader("some"), blockingReader{ctx})))
	require.ErrorIs(t, err, stall.ErrStalled)
	assert.ErrorIs(t, w.Wrap(context.Canceled), stall.ErrStalled)
	assert.ErrorIs(t, w.Wrap(context.Canceled), context.Canceled)
}

func TestSourceIgnoresASlowConsumer(t *testing.T) {
	ctx, w := stall.New(context.Background(), 20*time.Millisecond)
	defer w.Stop()
	r := w.Source(strings.NewReader("abcdef"))
	buf := make([]byte, 2)
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		time.Sleep(40 * time.Millisecond) // the consumer is slow, not the peer
	}
	assert.NoError(t, ctx.Err())
	assert.NoError(t, w.Err())
}

func TestSinkFiresWhenThePeerStopsReading(t *testing.T) {
	ctx, w := stall.New(context.Background(), 20*time.Millisecond)
	defer w.Stop()
	body := w.Sink(strings.NewReader("abc"))
	_, err := body.Read(make([]byte, 1))
	require.NoError(t, err)
	<-ctx.Done() // the peer never reads again
	assert.ErrorIs(t, w.Err(), stall.ErrStalled)
}

func TestSinkIgnoresTheAgentsOwnSlowSource(t *testing.T) {
	ctx, w := stall.New(context.Background(), 20*time.Millisecond)
	defer w.Stop()
	pr, pw := io.Pipe()
	go func() {
		for range 3 {
			time.Sleep(40 * time.Millisecond) // our source is slow
			_, _ = pw.Write([]byte("x"))
		}
		_ = pw.Close()
	}()
	b, err := io.ReadAll(w.Sink(pr))
	require.NoError(t, err)
	w.Disarm() // the answer came
	assert.Equal(t, "xxx", string(b))
	assert.NoError(t, ctx.Err())
}

func TestSinkArmedAfterTheEnd(t *testing.T) {
	ctx, w := stall.New(context.Background(), 20*time.Millisecond)
	defer w.Stop()
	_, err := io.ReadAll(w.Sink(strings.NewReader("abc")))
	require.NoError(t, err)
	<-ctx.Done() // no answer after the body
	assert.ErrorIs(t, w.Err(), stall.ErrStalled)
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "timeout awaiting response headers" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestWrapTimeoutReadsATransportTimeoutAsAStall(t *testing.T) {
	_, w := stall.New(context.Background(), time.Minute)
	defer w.Stop()
	assert.ErrorIs(t, w.WrapTimeout(timeoutErr{}), stall.ErrStalled)
	assert.NotErrorIs(t, w.WrapTimeout(io.ErrUnexpectedEOF), stall.ErrStalled)
	assert.NoError(t, w.WrapTimeout(nil))
}
