//go:build unix

package cputime_test

import (
	"crypto/md5"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/esxi-hva/esxi-hva/internal/cputime"
)

func TestProcessGrowsWithWork(t *testing.T) {
	before := cputime.Process()
	assert.Positive(t, before)
	buf := make([]byte, 1<<20)
	for i := 0; cputime.Process() == before && i < 10000; i++ {
		md5.Sum(buf)
	}
	assert.Greater(t, cputime.Process(), before)
}
