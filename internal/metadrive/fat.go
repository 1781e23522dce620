package metadrive

import (
	"fmt"
	"time"
)

const sectorSize = 512

// Directory entry attributes.
const (
	attrVolumeID  = 0x08
	attrDirectory = 0x10
	attrArchive   = 0x20
	entrySize     = 32
	maxDirEntries = 65536 // a FAT directory holds at most 2^16 entries
	minRootEnt    = 512   // what mkfs.fat gives a hard disk partition
)

// fatVolume is a laid-out FAT volume ready to be written.
type fatVolume struct {
	g      geometry
	root   *node
	order  []*node // nodes holding clusters, in cluster order
	used   uint32  // clusters used
	label  [11]byte
	serial uint32
	ts     dosStamp
}

// layoutFAT checks that the tree fits a volume of totSec sectors and gives
// every directory and non-empty file its run of clusters.
func layoutFAT(root *node, totSec uint32, label string, mod time.Time, imageSize int64) (*fatVolume, error) {
	rootN := dirEntries(root, true)
	rootEnt := uint32(max(minRootEnt, (rootN+15)/16*16))
	if rootEnt > 0xfff0 {
		return nil, fmt.Errorf("%w: the root directory needs %d entries, more than FAT's %d", ErrTooLarge, rootN, 0xfff0)
	}
	g, ok := chooseGeometry(totSec, rootEnt)
	if !ok {
		return nil, fmt.Errorf("%w: a %d-byte image leaves %d sectors for the partition, too few for a FAT volume with %d root entries",
			ErrTooLarge, imageSize, totSec, rootEnt)
	}
	v := &fatVolume{g: g, root: root, ts: stampOf(mod), label: padLabel(label)}
	v.serial = uint32(mod.Unix())
	cb := int64(g.clusterBytes())
	var (
		next      = uint32(2)
		need      int64 // clusters needed in all
		firstMiss *node
	)
	alloc := func(n *node, bytes int64) {
		k := (bytes + cb - 1) / cb
		need += k
		if k == 0 {
			return
		}
		if firstMiss != nil || need > int64(g.count) {
			if firstMiss == nil {
				firstMiss = n
			}
			return
		}
		n.cluster, n.nclus = next, uint32(k)
		next += uint32(k)
		v.order = append(v.order, n)
	}
	var walk func(d *node) error
	walk = func(d *node) error {
		if d != root {
			cnt := dirEntries(d, false)
			if cnt > maxDirEntries {
				return fmt.Errorf("%w: directory %q needs %d entries, more than FAT's %d", ErrTooLarge, d.path, cnt, maxDirEntries)
			}
			alloc(d, int64(cnt)*entrySize)
		}
		for _, c := range d.children {
			if c.dir {
				if err := walk(c); err != nil {
					return err
				}
			} else {
				alloc(c, int64(len(c.data)))
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	if firstMiss != nil {
		return nil, fmt.Errorf("%w: %q does not fit: the content needs %d clusters of %d bytes (%d bytes), the %d-byte image's FAT%d partition has %d",
			ErrTooLarge, firstMiss.path, need, cb, need*cb, imageSize, g.bits, g.count)
	}
	v.used = next - 2
	return v, nil
}

// setFAT sets entry n of a FAT to val.
func (v *fatVolume) setFAT(fat []byte, n, val uint32) {
	if v.g.bits == 16 {
		le16(fat[2*n:], uint16(val))
		return
	}
	off := n * 3 / 2
	if n&1 == 0 {
		fat[off] = byte(val)
		fat[off+1] = fat[off+1]&0xf0 | byte(val>>8)&0x0f
	} else {
		fat[off] = fat[off]&0x0f | byte(val<<4)
		fat[off+1] = byte(val >> 4)
	}
}

// write adds the volume's sectors, starting at byte off of img: the boot
// sector, FATs and root directory as one extent, the used data clusters as
// another.
func (v *fatVolume) write(img *sparse, off int64) {
	g := v.g
	meta := make([]byte, int64(g.dataStart())*sectorSize)
	v.putBootSector(meta[:sectorSize], off/sectorSize)

	fat := meta[sectorSize : (1+g.fatSz)*sectorSize]
	eoc := uint32(0xffff)
	if g.bits == 12 {
		eoc = 0xfff
	}
	v.setFAT(fat, 0, eoc&^0xff|0xf8) // media descriptor
	v.setFAT(fat, 1, eoc)
	for _, n := range v.order {
		for i := uint32(0); i < n.nclus; i++ {
			c := n.cluster + i
			if i == n.nclus-1 {
				v.setFAT(fat, c, eoc)
			} else {
				v.setFAT(fat, c, c+1)
			}
		}
	}
	copy(meta[(1+g.fatSz)*sectorSize:], fat)

	cb := int64(g.clusterBytes())
	data := make([]byte, int64(v.used)*cb)
	v.putDir(meta[g.rootStart()*sectorSize:], v.root)
	for _, n := range v.order {
		b := data[int64(n.cluster-2)*cb:]
		if n.dir {
			v.putDir(b, n)
		} else {
			copy(b, n.data)
		}
	}
	img.add(off, meta)
	img.add(off+int64(g.dataStart())*sectorSize, data)
}

// putBootSector writes the FAT12/16 boot sector (BPB and extended BPB) of a
// volume that starts hidden sectors into its disk.
func (v *fatVolume) putBootSector(b []byte, hidden int64) {
	g := v.g
	copy(b, []byte{0xeb, 0x3c, 0x90}) // jmp to the boot code, nop
	copy(b[3:11], "MSWIN4.1")
	le16(b[11:], sectorSize)
	b[13] = byte(g.spc)
	le16(b[14:], 1) // reserved sectors
	b[16] = 2       // FATs
	le16(b[17:], uint16(g.rootEnt))
	if g.totSec < 0x10000 {
		le16(b[19:], uint16(g.totSec))
	} else {
		le32(b[32:], g.totSec)
	}
	b[21] = 0xf8 // media: fixed disk
	le16(b[22:], uint16(g.fatSz))
	le16(b[24:], 63)  // sectors per track
	le16(b[26:], 255) // heads
	le32(b[28:], uint32(hidden))
	b[36] = 0x80 // drive number
	b[38] = 0x29 // extended boot signature: the next three fields are valid
	le32(b[39:], v.serial)
	copy(b[43:54], v.label[:])
	if g.bits == 12 {
		copy(b[54:62], "FAT12   ")
	} else {
		copy(b[54:62], "FAT16   ")
	}
	// Boot code: int 18h (no bootable disk: try the next device), then halt.
	copy(b[62:], []byte{0xcd, 0x18, 0xf4, 0xeb, 0xfd})
	b[510], b[511] = 0x55, 0xaa
}

// padLabel lays a volume label out as 11 space-padded bytes.
func padLabel(label string) [11]byte {
	var b [11]byte
	for i := range b {
		b[i] = ' '
	}
	copy(b[:], label)
	return b
}
