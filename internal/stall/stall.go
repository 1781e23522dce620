// Package stall fails transfers whose peer stops making progress.
//
// A Watchdog owns a context and cancels it, with a cause wrapping
// ErrStalled, when it stays armed for longer than its timeout. Who arms it
// depends on the direction of the transfer:
//
//   - Source wraps a body the agent reads (a GET's response): the watchdog
//     is armed while a Read waits on the peer, so a slow consumer on the
//     agent's side (a datastore upload holding the pump back) never counts
//     as a stall.
//   - Sink wraps a body the peer reads (a PUT's request body): the watchdog
//     is armed while the peer does not take the next bytes, and after the
//     last byte until the caller disarms it when the answer came, so a peer
//     that stops reading, or never answers, fails the transfer. Time spent
//     waiting on the agent's own source does not count.
//
// Arm and Disarm cover the rest, such as waiting for a response's headers.
package stall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// ErrStalled is the cause of a transfer stopped by a Watchdog.
var ErrStalled = errors.New("transfer stalled")

// Watchdog cancels its context when armed for longer than its timeout.
// Its methods are safe for concurrent use.
type Watchdog struct {
	d      time.Duration
	cancel context.CancelCauseFunc
	ctx    context.Context

	mu    sync.Mutex
	timer *time.Timer
}

// New returns a disarmed watchdog with timeout d and the context it
// cancels, derived from ctx. Call Stop when the transfer is over.
func New(ctx context.Context, d time.Duration) (context.Context, *Watchdog) {
	cctx, cancel := context.WithCancelCause(ctx)
	w := &Watchdog{d: d, cancel: cancel, ctx: cctx}
	w.timer = time.AfterFunc(d, func() {
		cancel(fmt.Errorf("%w: no progress for %s", ErrStalled, d))
	})
	w.timer.Stop()
	return cctx, w
}

// Arm starts (or restarts) the countdown.
func (w *Watchdog) Arm() {
	w.mu.Lock()
	w.timer.Reset(w.d)
	w.mu.Unlock()
}

// Disarm stops the countdown.
func (w *Watchdog) Disarm() {
	w.mu.Lock()
	w.timer.Stop()
	w.mu.Unlock()
}

// Stop disarms the watchdog and releases its context.
func (w *Watchdog) Stop() {
	w.Disarm()
	w.cancel(nil)
}

// Err returns the stall cause when the watchdog fired, else nil.
func (w *Watchdog) Err() error {
	if c := context.Cause(w.ctx); errors.Is(c, ErrStalled) {
		return c
	}
	return nil
}

// Wrap returns err with the stall cause in front when the watchdog fired
// (the transport then reports a bare "context canceled"), else err.
func (w *Watchdog) Wrap(err error) error {
	if err == nil {
		return nil
	}
	if c := w.Err(); c != nil && !errors.Is(err, ErrStalled) {
		return fmt.Errorf("%w (%w)", c, err)
	}
	return err
}

// WrapTimeout is Wrap that also reads a transport's own timeout (net/http's
// ResponseHeaderTimeout, a dial or TLS handshake timeout: a net.Error
// whose Timeout is true) as a stall, for transports whose timeouts equal
// the watchdog's and may fire first.
func (w *Watchdog) WrapTimeout(err error) error {
	var ne net.Error
	if err != nil && w.Err() == nil && !errors.Is(err, ErrStalled) && errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: no progress for %s (%w)", ErrStalled, w.d, err)
	}
	return w.Wrap(err)
}

// Source returns r with the watchdog armed while each Read waits.
func (w *Watchdog) Source(r io.Reader) io.Reader { return &source{w: w, r: r} }

type source struct {
	w *Watchdog
	r io.Reader
}

func (s *source) Read(p []byte) (int, error) {
	s.w.Arm()
	n, err := s.r.Read(p)
	s.w.Disarm()
	return n, err
}

// Sink returns r, a body the peer reads, with the watchdog armed from now
// on except while a Read waits on r itself. After r's end the watchdog
// stays armed: Disarm it when the peer's answer arrives.
func (w *Watchdog) Sink(r io.Reader) io.Reader {
	w.Arm()
	return &sink{w: w, r: r}
}

type sink struct {
	w *Watchdog
	r io.Reader
}

func (s *sink) Read(p []byte) (int, error) {
	s.w.Disarm()
	n, err := s.r.Read(p)
	s.w.Arm()
	return n, err
}
