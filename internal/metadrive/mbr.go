package metadrive

// Partition types of the MBR entry.
const (
	partTypeFAT12 = 0x01
	partTypeFAT16 = 0x06
)

// putMBR writes a master boot record with one primary partition of sectors
// sectors at LBA start into b (512 bytes). The boot code area is left zero
// and the partition is not marked active, as parted leaves a new label.
func putMBR(b []byte, start, sectors uint32, ptype byte, signature uint32) {
	le32(b[440:], signature) // disk signature
	e := b[446 : 446+16]
	e[0] = 0x00 // not active
	putCHS(e[1:4], start)
	e[4] = ptype
	putCHS(e[5:8], start+sectors-1)
	le32(e[8:], start)
	le32(e[12:], sectors)
	b[510], b[511] = 0x55, 0xaa
}

// putCHS writes the cylinder/head/sector address of lba for the usual
// 255-head, 63-sector translation, or the 1023/254/63 marker past its reach.
func putCHS(b []byte, lba uint32) {
	const heads, spt = 255, 63
	c, h, s := lba/(heads*spt), lba/spt%heads, lba%spt+1
	if c > 1023 {
		c, h, s = 1023, 254, 63
	}
	b[0] = byte(h)
	b[1] = byte(s) | byte(c>>8)<<6
	b[2] = byte(c)
}
