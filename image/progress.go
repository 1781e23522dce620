package image

import (
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/progress"
)

// Progress is a snapshot of a transfer.
type Progress struct {
	Done, Total int64         // bytes; Total is 0 when unknown
	Rate        float64       // bytes per second since the start
	Elapsed     time.Duration // since the start
}

// ProgressFunc receives Progress reports: at most about every 100ms while
// bytes move, and once at the end. It may be nil. It must not block for long:
// it runs on the transfer's path.
type ProgressFunc func(Progress)

// progressInterval is the least time between two reports.
const progressInterval = 100 * time.Millisecond

// meter turns byte counts into throttled Progress reports.
type meter struct {
	fn    ProgressFunc
	total int64
	start time.Time

	mu   sync.Mutex
	done int64
	last time.Time
}

func newMeter(fn ProgressFunc, total int64) *meter {
	now := time.Now()
	return &meter{fn: fn, total: total, start: now, last: now}
}

// add counts n more bytes and reports when the interval has passed.
func (m *meter) add(n int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.done += n
	now := time.Now()
	if m.fn == nil || now.Sub(m.last) < progressInterval {
		m.mu.Unlock()
		return
	}
	m.last = now
	p := m.snapshot(now)
	m.mu.Unlock()
	m.fn(p)
}

// finish sends the final report.
func (m *meter) finish() {
	if m == nil || m.fn == nil {
		return
	}
	m.mu.Lock()
	p := m.snapshot(time.Now())
	m.mu.Unlock()
	m.fn(p)
}

func (m *meter) snapshot(now time.Time) Progress {
	el := now.Sub(m.start)
	p := Progress{Done: m.done, Total: m.total, Elapsed: el}
	if el > 0 {
		p.Rate = float64(m.done) / el.Seconds()
	}
	return p
}

// SinkerProgress adapts a govmomi progress.Sinker (for example a
// progress.ProgressLogger or an aggregator) to a ProgressFunc: every report
// is sent on the sinker's channel, which is closed after the report that
// completes the transfer (Done == Total). A transfer that fails never
// completes it; the sinker's channel then stays open, as govmomi's own
// uploads leave it.
func SinkerProgress(s progress.Sinker) ProgressFunc {
	var (
		mu     sync.Mutex
		ch     chan<- progress.Report
		closed bool
	)
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			return
		}
		if ch == nil {
			ch = s.Sink()
		}
		ch <- report{p}
		if p.Total > 0 && p.Done >= p.Total {
			close(ch)
			closed = true
		}
	}
}

// report implements progress.Report.
type report struct{ p Progress }

func (r report) Percentage() float32 {
	if r.p.Total <= 0 {
		return 0
	}
	return float32(float64(r.p.Done) * 100 / float64(r.p.Total))
}

func (r report) Detail() string {
	return fmt.Sprintf("%d/%d bytes, %.1f MB/s", r.p.Done, r.p.Total, r.p.Rate/1e6)
}

func (r report) Error() error { return nil }
