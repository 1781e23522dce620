package image_test

import (
	"os"
	"testing"
)

// TestMain runs the tests, or, when the test binary is re-executed by
// BenchmarkDeployColdRemote, the simulated host and image server it
// deploys from (in that other process).
func TestMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		os.Exit(runBenchServer())
	}
	os.Exit(m.Run())
}
