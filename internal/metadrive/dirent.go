package metadrive

import "time"

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
