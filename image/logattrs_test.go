package image_test

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// The cache's log lines carry the job's attributes from the context, and
// errors under the key "err".
func TestLogLinesCarryTheJob(t *testing.T) {
	r := newRig(t)
	var buf bytes.Buffer
	opts := fastOpts()
	opts.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Fetch.Retries = 1
	opts.Fetch.Backoff = time.Millisecond
	c := image.NewCache(r.cl, opts)
	s := imagetest.NewServer(t, 1<<20)
	s.FailNext(1, 503) // one retry, logged
	ctx := image.WithLogAttrs(ctxT(t), slog.String("job", "run_local_store"), slog.String("instance_id", "i-log00001"))
	r.mkdir(t, ctx, "i-log00001")
	require.NoError(t, c.Deploy(ctx, image.Source{URI: s.FlatURL(), MD5: s.MD5()}, dsPath(t, "[datastore1] i-log00001/i-log00001.vmdk"), nil))
	out := buf.String()
	assert.Contains(t, out, "retrying image source")
	assert.Contains(t, out, "job=run_local_store")
	assert.Contains(t, out, "instance_id=i-log00001")
	assert.Contains(t, out, " err=")
	assert.NotContains(t, out, " error=")
}
