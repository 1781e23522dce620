package image

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/vim25/progress"
	"go.uber.org/goleak"
)

func TestMeterThrottles(t *testing.T) {
	var got []Progress
	m := newMeter(func(p Progress) { got = append(got, p) }, 1000)
	for range 100 {
		m.add(10) // all within far less than 100ms
	}
	assert.Empty(t, got, "no report before the interval")
	m.last = time.Now().Add(-progressInterval)
	m.add(0)
	require.Len(t, got, 1)
	assert.Equal(t, int64(1000), got[0].Done)
	m.finish()
	require.Len(t, got, 2)
	assert.Equal(t, Progress{Done: 1000, Total: 1000, Rate: got[1].Rate, Elapsed: got[1].Elapsed}, got[1])
	assert.Positive(t, got[1].Rate)

	var nilMeter *meter
	nilMeter.add(1) // a nil meter is a no-op
	nilMeter.finish()
	newMeter(nil, 1).finish()
}

func TestSinkerProgress(t *testing.T) {
	ch := make(chan progress.Report, 10)
	sinks := 0
	fn := SinkerProgress(progress.SinkFunc(func() chan<- progress.Report { sinks++; return ch }))
	fn(Progress{Done: 25, Total: 100, Rate: 2e6})
	fn(Progress{Done: 100, Total: 100, Rate: 2e6})
	fn(Progress{Done: 100, Total: 100}) // after the end: dropped
	assert.Equal(t, 1, sinks)
	var reps []progress.Report
	for r := range ch { // closed after the completing report
		reps = append(reps, r)
	}
	require.Len(t, reps, 2)
	assert.InDelta(t, 25.0, reps[0].Percentage(), 0.01)
	assert.Equal(t, "25/100 bytes, 2.0 MB/s", reps[0].Detail())
	assert.NoError(t, reps[0].Error())
	assert.InDelta(t, 100.0, reps[1].Percentage(), 0.01)
	assert.Zero(t, report{Progress{Done: 5}}.Percentage(), "unknown total")
}

type errAfter struct {
	r   io.Reader
	n   int64
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, e.err
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	n, err := e.r.Read(p)
	e.n -= int64(n)
	return n, err
}

func TestPump(t *testing.T) {
	defer goleak.VerifyNone(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 300_001) // not a multiple of the chunk
	want := md5.Sum(data)

	// Success through Read.
	p := startPump(context.Background(), bytes.NewReader(data), nil)
	var out bytes.Buffer
	_, err := io.Copy(struct{ io.Writer }{&out}, struct{ io.Reader }{p})
	require.NoError(t, err)
	sum, n, err := p.finish(true)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(want[:]), sum)
	assert.Equal(t, int64(len(data)), n)
	assert.Equal(t, data, out.Bytes())
	_, err = p.Read(make([]byte, 1))
	assert.ErrorIs(t, err, errPumpClosed, "a late read is refused")

	// Success through WriteTo.
	p = startPump(context.Background(), bytes.NewReader(data), nil)
	out.Reset()
	_, err = io.Copy(&out, p)
	require.NoError(t, err)
	sum, _, err = p.finish(true)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(want[:]), sum)
	assert.Equal(t, data, out.Bytes())

	// A source error reaches the sink and finish.
	boom := errors.New("boom")
	p = startPump(context.Background(), &errAfter{r: bytes.NewReader(data), n: 1 << 20, err: boom}, nil)
	_, err = io.Copy(io.Discard, struct{ io.Reader }{p})
	assert.ErrorIs(t, err, boom)
	_, _, err = p.finish(false)
	assert.ErrorIs(t, err, boom)

	// A sink that gives up early.
	p = startPump(context.Background(), bytes.NewReader(data), nil)
	_, _ = p.Read(make([]byte, 100))
	p.abort(errors.New("sink failed"))
	_, _, err = p.finish(false)
	assert.NoError(t, err, "the source did not fail")

	// A cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p = startPump(ctx, pr, nil)
	cancel()
	_, err = io.Copy(io.Discard, struct{ io.Reader }{p})
	assert.ErrorIs(t, err, context.Canceled)
	_ = pw.CloseWithError(context.Canceled)
	_, _, _ = p.finish(false)
}
