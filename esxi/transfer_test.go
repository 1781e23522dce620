package esxi_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

// A host that stops moving bytes fails the transfer within the stall
// timeout, both ways, instead of holding it until the job's context ends.
func TestStalledTransfersFail(t *testing.T) {
	env := esxitest.New(t)
	cfg := env.Config
	cfg.StallTimeout = 200 * time.Millisecond
	c, err := esxi.Connect(ctxT(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	// The job's own context would wait far longer than the watchdog.
	ctx, cancel := context.WithTimeout(ctxT(t), time.Minute)
	defer cancel()
	p, err := esxi.DatastorePath{Datastore: esxitest.Datastore}.Join("stalled.bin")
	require.NoError(t, err)
	payload := strings.Repeat("x", 4<<20)

	env.StallTransfers(1<<10, 1)
	err = c.Upload(ctx, p, io.MultiReader(strings.NewReader(payload)), int64(len(payload)))
	require.Error(t, err)
	assert.ErrorIs(t, err, esxi.ErrStalled)
	assert.NoError(t, ctx.Err())

	require.NoError(t, c.Upload(ctx, p, strings.NewReader(payload), int64(len(payload))))
	env.StallTransfers(1<<10, 1)
	_, err = c.Download(ctx, p, io.Discard)
	require.Error(t, err)
	assert.ErrorIs(t, err, esxi.ErrStalled)
	assert.NoError(t, ctx.Err())

	// Headers that never come are a stall too.
	env.StallTransfers(0, 1)
	_, err = c.Download(ctx, p, io.Discard)
	assert.ErrorIs(t, err, esxi.ErrStalled)

	var got strings.Builder
	_, err = c.Download(ctx, p, &got)
	require.NoError(t, err)
	assert.Equal(t, len(payload), got.Len())
}
