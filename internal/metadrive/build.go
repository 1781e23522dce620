package metadrive

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Defaults of [Options].
const (
	// DefaultImageSize is the size of metadata.img when Options.ImageSize
	// is 0: 10 MiB, as the Ruby HVA makes it.
	DefaultImageSize = 10 << 20
	// DefaultVolumeID is the ISO 9660 volume id wakame-init looks for.
	DefaultVolumeID = "META_CD"
	// DefaultLabel is the FAT volume label wakame-init looks for.
	DefaultLabel = "METADATA"
	// PartitionOffset is where the FAT partition starts in metadata.img
	// (LBA 2048), e.g. for mtools' -i metadata.img@@1M.
	PartitionOffset = 1 << 20
	// MaxImageSize is the largest ImageSize: about what FAT16 with 32 KiB
	// clusters can hold.
	MaxImageSize = 2 << 30
)

// Options tune the image and the CD. The zero value gives the defaults.
type Options struct {
	// ImageSize is the size in bytes of metadata.img, a multiple of 512
	// between PartitionOffset plus a few KiB and MaxImageSize; 0 means
	// DefaultImageSize. Content that does not fit gives an error wrapping
	// ErrTooLarge.
	ImageSize int64
	// ModTime is the timestamp of every FAT entry and ISO record; the zero
	// value means 1980-01-01 UTC. It is used in UTC, clamped to the years
	// 1980-2107 that FAT can record. Same inputs and same ModTime give the
	// same bytes.
	ModTime time.Time
	// VolumeID is the ISO 9660 volume id (up to 32 of A-Z, 0-9 and _);
	// "" means DefaultVolumeID.
	VolumeID string
	// Label is the FAT volume label (up to 11 of A-Z, 0-9, space and
	// !#$%&'()-@^_`{}~, not starting with a space); "" means DefaultLabel.
	Label string
}

var (
	minTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
)

// normalized returns o with its defaults filled in, or an error wrapping
// ErrBadOption naming the bad field.
func (o Options) normalized() (Options, error) {
	if o.ImageSize == 0 {
		o.ImageSize = DefaultImageSize
	}
	if o.ImageSize%sectorSize != 0 || o.ImageSize <= PartitionOffset || o.ImageSize > MaxImageSize {
		return o, fmt.Errorf("%w: ImageSize %d must be a multiple of 512 above %d (the partition starts at 1 MiB) and at most %d",
			ErrBadOption, o.ImageSize, PartitionOffset, MaxImageSize)
	}
	switch {
	case o.ModTime.IsZero() || o.ModTime.Before(minTime):
		o.ModTime = minTime
	case o.ModTime.After(maxTime):
		o.ModTime = maxTime
	default:
		o.ModTime = o.ModTime.UTC()
	}
	if o.VolumeID == "" {
		o.VolumeID = DefaultVolumeID
	}
	if len(o.VolumeID) > 32 || strings.Trim(o.VolumeID, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return o, fmt.Errorf("%w: VolumeID %q: up to 32 of A-Z, 0-9 and _", ErrBadOption, o.VolumeID)
	}
	if o.Label == "" {
		o.Label = DefaultLabel
	}
	if len(o.Label) > 11 || strings.HasPrefix(o.Label, " ") ||
		strings.Trim(o.Label, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "+shortChars) != "" {
		return o, fmt.Errorf("%w: Label %q: up to 11 of A-Z, 0-9, space and %s, not starting with a space", ErrBadOption, o.Label, shortChars)
	}
	return o, nil
}

// buildImage lays out and writes metadata.img as a sparse image.
func buildImage(tree Tree, o Options) (*sparse, error) {
	root, err := parseTree(tree)
	if err != nil {
		return nil, err
	}
	assignShortNames(root)
	start := uint32(PartitionOffset / sectorSize)
	sectors := uint32(o.ImageSize/sectorSize) - start
	vol, err := layoutFAT(root, sectors, o.Label, o.ModTime, o.ImageSize)
	if err != nil {
		return nil, err
	}
	img := &sparse{size: o.ImageSize}
	mbr := make([]byte, sectorSize)
	ptype := byte(partTypeFAT16)
	if vol.g.bits == 12 {
		ptype = partTypeFAT12
	}
	putMBR(mbr, start, sectors, ptype, vol.serial)
	img.add(0, mbr)
	vol.write(img, PartitionOffset)
	return img, nil
}

// BuildImage returns metadata.img for tree: an MBR disk image of
// opts.ImageSize bytes with one FAT12 or FAT16 partition at PartitionOffset
// labelled opts.Label. Errors wrap ErrBadName, ErrTooLarge or ErrBadOption.
func BuildImage(tree Tree, opts Options) ([]byte, error) {
	o, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	img, err := buildImage(tree, o)
	if err != nil {
		return nil, err
	}
	return img.bytes(), nil
}

// CD is a built metadata CD: an ISO 9660 volume holding metadata.img. It
// keeps the disk image sparsely and streams it; it is safe to read from
// several goroutines at once. It copies the Tree's contents, so the Tree may
// change after BuildCD returns.
type CD struct {
	iso       *sparse
	imageSize int64
}

// BuildCD builds the CD for tree: volume opts.VolumeID, Rock Ridge, holding
// the image BuildImage(tree, opts) returns as /metadata.img. Errors wrap
// ErrBadName, ErrTooLarge or ErrBadOption.
func BuildCD(tree Tree, opts Options) (*CD, error) {
	o, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	img, err := buildImage(tree, o)
	if err != nil {
		return nil, err
	}
	return &CD{iso: buildISO(img, o.VolumeID, o.ModTime), imageSize: img.size}, nil
}

// Size is the size of the CD in bytes (a multiple of 2048).
func (c *CD) Size() int64 { return c.iso.size }

// ImageSize is the size of metadata.img on the CD.
func (c *CD) ImageSize() int64 { return c.imageSize }

// WriteTo writes the whole CD to w and returns the bytes written.
func (c *CD) WriteTo(w io.Writer) (int64, error) { return c.iso.writeTo(w) }

// Reader returns a new reader over the whole CD, exactly Size() bytes.
func (c *CD) Reader() io.Reader { return &sparseReader{s: c.iso} }
