package hva

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The largest user_data DecodeInstance accepts builds a metadata CD of
// at most maxMetadataImage plus the ISO's own few hundred KiB: 70 MiB of
// user_data once built a 149 MB CD.
func TestMetadataCDIsBounded(t *testing.T) {
	h := &Handler{opts: Options{Now: func() time.Time { return time.Unix(0, 0) }}}
	inst := &Instance{ID: "i-big00001", Hostname: "big", UserData: strings.Repeat("u", MaxUserData)}
	_, size, err := h.metadataCD(inst)
	require.NoError(t, err)
	t.Logf("user_data %d MiB: metadata CD %d bytes", MaxUserData>>20, size)
	assert.LessOrEqual(t, size, int64(maxMetadataImage+1<<20), "CD of %d MiB", size>>20)
	assert.Less(t, size, int64(MaxUserData*5/4), "no more than a quarter over the user_data it carries")

	small := &Instance{ID: "i-small001", Hostname: "small", UserData: "#!/bin/sh\n"}
	_, size, err = h.metadataCD(small)
	require.NoError(t, err)
	assert.LessOrEqual(t, size, int64(3<<20), "a small instance keeps a small CD")
}
