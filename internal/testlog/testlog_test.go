package testlog_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/esxi-hva/esxi-hva/internal/testlog"
)

// Concurrent writers and readers (run with -race) lose no line.
func TestBufferConcurrentWriters(t *testing.T) {
	var buf testlog.Buffer
	log := buf.Logger()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				log.Debug("line", "writer", i, "n", j)
				_ = buf.String()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 8*50, strings.Count(buf.String(), "msg=line"))
	assert.Contains(t, buf.String(), "level=DEBUG")
}

func Example() {
	var buf testlog.Buffer
	buf.Logger().Info("deploying image", "image_uri", "http://example.com/x-flat.vmdk")
	fmt.Println(strings.Contains(buf.String(), `msg="deploying image"`))
	// Output: true
}
