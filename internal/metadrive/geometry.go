package metadrive

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
