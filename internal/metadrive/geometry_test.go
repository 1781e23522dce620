package metadrive

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeometry checks the layout rules over every partition size from the
// smallest to what MaxImageSize allows: the cluster count is one that the
// specification (and fsck.fat) calls the chosen FAT type, with the margin,
// the FAT holds every cluster, and the volume fits its sectors.
func TestGeometry(t *testing.T) {
	maxSec := uint32((MaxImageSize - PartitionOffset) / sectorSize)
	check := func(totSec, rootEnt uint32) {
		g, ok := chooseGeometry(totSec, rootEnt)
		if totSec >= 1+2+rootEnt/16+2 {
			require.True(t, ok, "no geometry for %d sectors, %d root entries", totSec, rootEnt)
		}
		if !ok {
			return
		}
		switch g.bits {
		case 12:
			require.LessOrEqual(t, g.count, uint32(4084-16), totSec)
		case 16:
			require.GreaterOrEqual(t, g.count, uint32(4085+16), totSec)
			require.LessOrEqual(t, g.count, uint32(65524-16), totSec)
		default:
			t.Fatalf("%d bits", g.bits)
		}
		require.GreaterOrEqual(t, uint64(g.fatSz)*sectorSize*8, uint64(g.count+2)*uint64(g.bits), totSec)
		require.LessOrEqual(t, g.dataStart()+g.count*g.spc, totSec)
		require.Less(t, totSec-(g.dataStart()+g.count*g.spc), g.spc, "whole clusters unused at %d", totSec)
		require.LessOrEqual(t, g.spc, uint32(64))
		if totSec <= 8400 {
			require.Equal(t, 12, g.bits, "the table wants FAT12 up to 8400 sectors (%d)", totSec)
		}
	}
	for s := uint32(1); s <= 40000; s++ {
		check(s, minRootEnt)
	}
	for s := uint32(40000); s <= maxSec; s += 997 {
		check(s, minRootEnt)
	}
	check(maxSec, minRootEnt)
	for _, rootEnt := range []uint32{528, 4096, 0xfff0} {
		for s := uint32(1); s <= maxSec; s = s*5/4 + 1 {
			check(s, rootEnt)
		}
	}
	g, ok := chooseGeometry(maxSec, minRootEnt)
	require.True(t, ok)
	assert.Equal(t, uint32(64), g.spc)
	assert.Equal(t, 16, g.bits)
}

func TestMaxImageSize(t *testing.T) {
	o, err := Options{ImageSize: MaxImageSize}.normalized()
	require.NoError(t, err)
	img, err := buildImage(Tree{"user-data": []byte("x")}, o) // sparse: no 2 GiB allocation
	require.NoError(t, err)
	assert.Equal(t, int64(MaxImageSize), img.size)
	_, err = Options{ImageSize: MaxImageSize + 512}.normalized()
	require.ErrorIs(t, err, ErrBadOption)
}
