package imagetest

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
)

// Content is a deterministic pseudo-random flat file of a given size,
// generated on the fly: every 8-byte word is a function of the seed and its
// position, so any range can be produced without holding the file.
type Content struct {
	seed uint64
	size int64
}

// NewContent returns the flat content for seed and size.
func NewContent(seed uint64, size int64) Content {
	return Content{seed: seed, size: size}
}

// Size returns the content's length in bytes.
func (c Content) Size() int64 { return c.size }

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (c Content) word(i int64) uint64 {
	return mix(c.seed + uint64(i)*0x9e3779b97f4a7c15)
}

// ReadAt implements io.ReaderAt.
func (c Content) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("imagetest: negative offset %d", off)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	n := len(p)
	var err error
	if rest := c.size - off; int64(n) > rest {
		n = int(rest)
		err = io.EOF
	}
	p = p[:n]
	var tmp [8]byte
	i := 0
	// A leading partial word.
	if r := off % 8; r != 0 {
		binary.LittleEndian.PutUint64(tmp[:], c.word(off/8))
		i = copy(p, tmp[r:])
	}
	w := (off + int64(i)) / 8
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(p[i:], c.word(w))
		w++
	}
	if i < n {
		binary.LittleEndian.PutUint64(tmp[:], c.word(w))
		copy(p[i:], tmp[:])
	}
	return n, err
}

// Reader returns a reader of the whole content.
func (c Content) Reader() io.Reader { return io.NewSectionReader(c, 0, c.size) }

// MD5 computes the content's md5 as 32 lower-case hex digits.
func (c Content) MD5() string {
	h := md5.New()
	buf := make([]byte, 256<<10)
	if _, err := io.CopyBuffer(h, io.NewSectionReader(c, 0, c.size), buf); err != nil {
		panic(err) // ReadAt cannot fail inside the bounds
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Descriptor returns a valid ESXi ("vmfs") descriptor for a flat of size
// bytes named flatName.
func Descriptor(flatName string, size int64) []byte {
	sectors := size / 512
	return fmt.Appendf(nil, `# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="vmfs"

# Extent description
RW %d VMFS "%s"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.geometry.cylinders = "%d"
ddb.geometry.heads = "255"
ddb.geometry.sectors = "63"
ddb.thinProvisioned = "1"
ddb.virtualHWVersion = "8"
`, sectors, flatName, sectors/(255*63))
}
