//go:build unix

package hva_test

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time so far (every thread: the
// handler's goroutines and the simulator's, which share the process).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
