package main

import (
	"fmt"
	"io"
	"strings"
)

// progressBar draws "verify [#####.....]  50% 512/1024 KiB" on one line.
type progressBar struct {
	out     io.Writer
	percent int
	drawn   bool
}

func (p *progressBar) update(done, total int64) {
	if total <= 0 {
		return
	}
	pc := int(done * 100 / total)
	if p.drawn && pc == p.percent {
		return
	}
	p.percent, p.drawn = pc, true
	const width = 30
	n := pc * width / 100
	fmt.Fprintf(p.out, "\rverify [%s%s] %3d%% %d/%d KiB", strings.Repeat("#", n), strings.Repeat(".", width-n), pc, done>>10, total>>10)
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.out)
	}
}
