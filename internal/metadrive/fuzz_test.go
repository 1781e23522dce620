package metadrive

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzTree derives an image size and a tree from fuzz bytes: the first byte
// picks the partition size (32 KiB to about 16 MiB, so FAT12 and FAT16),
// then each line is a path, optionally followed by a tab and its content; a
// content "*<c><n>" stands for n KiB of the byte c.
func fuzzTree(data []byte) (Tree, int64) {
	if len(data) == 0 {
		return nil, 0
	}
	size := PartitionOffset + (64+int64(data[0])*128)*sectorSize
	tree := Tree{}
	for _, line := range bytes.Split(data[1:], []byte("\n")) {
		path, content, _ := bytes.Cut(line, []byte("\t"))
		if len(content) == 3 && content[0] == '*' {
			content = bytes.Repeat(content[1:2], int(content[2])<<10)
		}
		tree[string(path)] = content
	}
	return tree, size
}

// FuzzBuild checks that every tree either builds an image that our strict
// reader reads back exactly, or is refused with ErrBadName or ErrTooLarge.
func FuzzBuild(f *testing.F) {
	f.Add([]byte("\x90meta-data/instance-id\ti-abc\nuser-data\t*x\x04\nmeta-data/public-keys/"))
	f.Add([]byte("\x00a/b/c/d/e/f/g/h\t1\na/B2\na/b3/\n0=ssh-abcd1234\tkey"))
	f.Add([]byte("\x01big\t*z\xff\nsmall\tx"))
	f.Add([]byte("\xffmeta-data/network/interfaces/macs/52-54-00-12-34-56/x-broadcast\t10.0.0.255\n"))
	f.Add([]byte("\x10a/../b\nc"))
	f.Add([]byte("\x10Name\nname"))
	f.Add([]byte("\x10x\nx/y"))
	f.Add([]byte("\x40" + string(bytes.Repeat([]byte("日"), 255)) + "\tcjk\n.hidden\n a b \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, size := fuzzTree(data)
		if tree == nil {
			return
		}
		img, err := BuildImage(tree, Options{ImageSize: size})
		if err != nil {
			require.True(t, errors.Is(err, ErrBadName) || errors.Is(err, ErrTooLarge), "unexpected error %v", err)
			return
		}
		require.Len(t, img, int(size))
		got, label, err := readImage(img)
		require.NoError(t, err)
		require.Equal(t, "METADATA   ", label)
		require.Equal(t, expected(tree), asMap(got))
	})
}
