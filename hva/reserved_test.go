package hva_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
)

// An instance id naming the agent's own folder (the image cache) is
// refused by every job before anything on the datastore is touched.
func TestReservedIDsNeverTouchTheCache(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	x.launched(t, "i-first")
	var cache []string
	for _, f := range x.env.Files() {
		if strings.HasPrefix(f, ".esxi-hva/") {
			cache = append(cache, f)
		}
	}
	require.NotEmpty(t, cache, "the first launch fills the cache")

	for _, id := range []string{".esxi-hva", ".esxi-hva/images", "..", "."} {
		x.addInstance(id, "initializing")
		err := x.h.RunLocalStore(ctx, id)
		require.Error(t, err, id)
		assert.ErrorIs(t, err, esxi.ErrBadName, id)
		for _, job := range []func() error{
			func() error { return x.h.Terminate(ctx, id, true) },
			func() error { return x.h.Cleanup(ctx, id) },
			func() error { return x.h.Dispatch(ctx, hva.EndpointHVA, "terminate", []any{id, true}) },
		} {
			err := job()
			require.Error(t, err, id)
			assert.ErrorIs(t, err, esxi.ErrBadName, id)
		}
	}
	assert.Subset(t, x.env.Files(), cache, "the cache is intact")
	assert.NoError(t, x.hv.DestroyVM(ctx, "i-first"))
	err := x.hv.DestroyVM(ctx, ".esxi-hva")
	assert.ErrorIs(t, err, esxi.ErrBadName)
	assert.Subset(t, x.env.Files(), cache, "the cache is intact")
}
