package image_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func TestWrongMD5LeavesDatastoreAsBefore(t *testing.T) {
	r := newRig(t)
	ctx := ctxT(t)
	srv := imagetest.NewServer(t, 2<<20)
	r.mkdir(t, ctx, "i-abc")
	before := r.files()
	wrong := strings.Repeat("0", 32)

	err := r.cache.Deploy(ctx, image.Source{URI: srv.FlatURL(), MD5: wrong}, dsPath(t, "[datastore1] i-abc/i-abc.vmdk"), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, image.ErrChecksumMismatch)
	var ce *image.ChecksumError
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, wrong, ce.Expected)
	assert.Equal(t, srv.MD5(), ce.Actual)
	assert.Contains(t, err.Error(), srv.FlatURL())

	assert.Equal(t, before, r.files(), "the datastore's files are as before")
	assert.Empty(t, tmpLeft(t, r), "no temporary folder or lock is left")
	assert.Equal(t, srv.Size(), srv.BytesServed(), "the whole flat was read once")
}
