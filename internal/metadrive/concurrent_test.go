package metadrive

import (
	"crypto/sha256"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sync/errgroup"
)

// TestConcurrentReaders reads one CD from several goroutines at once, with
// Reader and WriteTo: every stream gives the same bytes.
func TestConcurrentReaders(t *testing.T) {
	defer goleak.VerifyNone(t)
	cd, err := BuildCD(typicalTree(), Options{ImageSize: 3 << 20})
	require.NoError(t, err)
	sums := make([][32]byte, 6)
	var g errgroup.Group
	for i := range sums {
		g.Go(func() error {
			h := sha256.New()
			var err error
			if i%2 == 0 {
				_, err = io.Copy(h, cd.Reader())
			} else {
				_, err = cd.WriteTo(h)
			}
			sums[i] = [32]byte(h.Sum(nil))
			return err
		})
	}
	require.NoError(t, g.Wait())
	for i := range sums {
		require.Equal(t, sums[0], sums[i], "stream %d", i)
	}
}
