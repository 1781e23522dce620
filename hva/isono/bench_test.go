package isono_test

import (
	"context"
	"testing"
	"time"
)

// BenchmarkJobRoundTrip submits a no-op job through RabbitMQ and waits
// for its answer: submit, inprogress, job records, success.
func BenchmarkJobRoundTrip(b *testing.B) {
	e := newEnvTB(b)
	id := uniqueID("hva")
	e.agentTB(b, id, &fakeJobs{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := e.wakame.Submit(ctx, "hva-handle", id, "reboot", "i-bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}
