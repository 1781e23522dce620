package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// bar draws a transfer's progress: redrawn in place on a terminal, a line
// per quarter otherwise (logs, tests).
type bar struct {
	mu    sync.Mutex
	out   io.Writer
	tty   bool
	label string
	last  int // last percent drawn
}

func newBar(out io.Writer, label string) *bar {
	tty := false
	if f, ok := out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &bar{out: out, tty: tty, label: label, last: -1}
}

// update draws done of total bytes at rate bytes/s.
func (b *bar) update(done, total int64, rate float64) {
	if total <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	pct := int(100 * done / total)
	step := 25
	if b.tty {
		step = 1
	}
	if pct == b.last || (pct < 100 && pct/step == b.last/step && b.last >= 0) {
		return
	}
	b.last = pct
	const width = 30
	fill := width * pct / 100
	line := fmt.Sprintf("  %-8s [%s%s] %3d%%  %6.1f MiB/%.1f MiB  %6.1f MiB/s",
		b.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct,
		float64(done)/(1<<20), float64(total)/(1<<20), rate/(1<<20))
	if b.tty {
		fmt.Fprint(b.out, "\r"+line)
		if pct >= 100 {
			fmt.Fprintln(b.out)
		}
		return
	}
	fmt.Fprintln(b.out, line)
}
