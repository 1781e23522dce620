package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartOnSimulator(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), nil, &out))
	s := out.String()
	assert.Contains(t, s, "powered on i-quickstart")
	assert.Contains(t, s, "poweredOn, 1 CPU, 256 MB, NIC 52:54:00:12:34:56 on \"VM Network\"")
	assert.Contains(t, s, "destroyed i-quickstart")
}

func TestHelpExitsZero(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, &out))
	assert.Contains(t, out.String(), "usage: quickstart")
	assert.Contains(t, out.String(), "no subcommands")
	assert.Contains(t, out.String(), "-host")
}
