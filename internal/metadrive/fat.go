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

// Cluster count limits of the Microsoft FAT specification: fewer than 4085
// clusters is FAT12, fewer than 65525 FAT16. We keep 16 clusters away from
// each limit, as the specification advises, so that no implementation can
// disagree on the FAT type.
const (
	fat12Max = 4085 - 1 - 16
	fat16Min = 4085 + 16
	fat16Max = 65525 - 1 - 16
)

// geometry is the layout of a FAT12/FAT16 volume of 512-byte sectors with
// one reserved sector (the boot sector) and two FATs.
type geometry struct {
	bits    int    // 12 or 16
	totSec  uint32 // sectors in the volume
	spc     uint32 // sectors per cluster
	fatSz   uint32 // sectors per FAT
	rootEnt uint32 // root directory entries, a multiple of 16
	count   uint32 // data clusters (numbered 2..count+1)
}

func (g geometry) rootSec() uint32      { return g.rootEnt * entrySize / sectorSize }
func (g geometry) rootStart() uint32    { return 1 + 2*g.fatSz }
func (g geometry) dataStart() uint32    { return g.rootStart() + g.rootSec() }
func (g geometry) clusterBytes() uint32 { return g.spc * sectorSize }

// tryGeometry lays out a volume of totSec sectors as FAT<bits> with spc
// sectors per cluster and reports whether the resulting cluster count is
// one the specification calls FAT<bits>.
func tryGeometry(bits int, spc, totSec, rootEnt uint32) (geometry, bool) {
	g := geometry{bits: bits, spc: spc, totSec: totSec, rootEnt: rootEnt}
	avail := int64(totSec) - 1 - int64(g.rootSec())
	fatSz := int64(1)
	for {
		data := avail - 2*fatSz
		if data < int64(spc) {
			return g, false
		}
		count := data / int64(spc)
		need := ((count+2)*int64(bits) + 8*sectorSize - 1) / (8 * sectorSize)
		if need <= fatSz {
			g.fatSz, g.count = uint32(fatSz), uint32(count)
			break
		}
		fatSz = need
	}
	if bits == 12 {
		return g, g.count <= fat12Max
	}
	return g, g.count >= fat16Min && g.count <= fat16Max
}

// chooseGeometry picks the FAT type and cluster size for a volume of totSec
// sectors: FAT12 up to 8400 sectors (4.1 MB), as the Microsoft FAT
// specification's table has it, FAT16 above with the table's cluster size;
// when the cluster count falls outside the type's range (a large root
// directory, an odd size) the next cluster size or the other type is tried.
func chooseGeometry(totSec, rootEnt uint32) (geometry, bool) {
	type cand struct {
		bits int
		spc  uint32
	}
	var cands []cand
	all := func(bits int) {
		for spc := uint32(1); spc <= 64; spc *= 2 {
			cands = append(cands, cand{bits, spc})
		}
	}
	if totSec <= 8400 {
		all(12)
		all(16)
	} else {
		table := []struct{ upTo, spc uint32 }{{32680, 2}, {262144, 4}, {524288, 8}, {1048576, 16}, {2097152, 32}, {4194304, 64}}
		for _, r := range table {
			if totSec <= r.upTo {
				cands = append(cands, cand{16, r.spc})
				break
			}
		}
		all(16)
		all(12)
	}
	for _, c := range cands {
		if g, ok := tryGeometry(c.bits, c.spc, totSec, rootEnt); ok {
			return g, true
		}
	}
	return geometry{}, false
}

// dirEntries is the number of 32-byte entries directory d needs: its
// children's long name entries and short entries, plus "." and ".." for a
// subdirectory or the volume label for the root.
func dirEntries(d *node, isRoot bool) int {
	n := 2
	if isRoot {
		n = 1
	}
	for _, c := range d.children {
		n += 1 + lfnCount(len(c.units))
	}
	return n
}

// dosStamp is a FAT timestamp.
type dosStamp struct {
	date, time uint16
	tenth      byte // 10 ms units, 0-199, for the creation time
}

func stampOf(t time.Time) dosStamp {
	return dosStamp{
		date:  uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day()),
		time:  uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2),
		tenth: byte(t.Second()%2*100 + t.Nanosecond()/10_000_000),
	}
}

// putEntry writes a short directory entry.
func putEntry(e []byte, name [11]byte, attr byte, cluster, size uint32, ts dosStamp) {
	copy(e[0:11], name[:])
	e[11] = attr
	e[12] = 0
	e[13] = ts.tenth
	le16(e[14:], ts.time) // creation
	le16(e[16:], ts.date)
	le16(e[18:], ts.date) // last access
	le16(e[20:], 0)       // high cluster word: 0 on FAT12/16
	le16(e[22:], ts.time) // last write
	le16(e[24:], ts.date) //
	le16(e[26:], uint16(cluster))
	le32(e[28:], size)
}

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

// putDir writes the entries of directory d into b.
func (v *fatVolume) putDir(b []byte, d *node) {
	i := 0
	if d == v.root {
		putEntry(b, v.label, attrVolumeID, 0, 0, v.ts)
		i = entrySize
	} else {
		parent := d.parent.cluster // 0 for the root, as the specification wants
		putEntry(b, pack83(".", ""), attrDirectory, d.cluster, 0, v.ts)
		putEntry(b[entrySize:], pack83("..", ""), attrDirectory, parent, 0, v.ts)
		i = 2 * entrySize
	}
	for _, c := range d.children {
		k := lfnCount(len(c.units))
		putLFN(b[i:], c)
		i += k * entrySize
		if c.dir {
			putEntry(b[i:], c.short, attrDirectory, c.cluster, 0, v.ts)
		} else {
			putEntry(b[i:], c.short, attrArchive, c.cluster, uint32(len(c.data)), v.ts)
		}
		i += entrySize
	}
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
