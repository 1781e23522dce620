// Package cputime reads the process's CPU time, for benchmarks that
// report CPU cost per byte beside wall time.
package cputime

import "time"

// Process is the process's user+system CPU time so far, every thread
// counted (a benchmark's goroutines and an in-process simulator's share
// the process); 0 where the platform does not say.
func Process() time.Duration { return process() }
