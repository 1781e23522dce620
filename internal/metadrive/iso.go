package metadrive

import (
	"fmt"
	"time"
)

const isoSector = 2048

// Sectors of the ISO 9660 volume: 16 unused system sectors, then the
// descriptors, the path tables, the root directory, the Rock Ridge
// continuation area holding the ER entry, and the file.
const (
	secPVD      = 16
	secTerm     = 17
	secPathL    = 18
	secPathM    = 19
	secRoot     = 20
	secCE       = 21
	secFile     = 22
	isoFileName = "METADATA.IMG;1"
	rrFileName  = "metadata.img"
)

// Rock Ridge ER entry identifying RRIP_1991A, worded as genisoimage words it.
const (
	rrID  = "RRIP_1991A"
	rrDes = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS"
	rrSrc = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION."
)

// POSIX modes in the PX entries.
const (
	modeDir  = 0o40555
	modeFile = 0o100444
)

// isoTime is the 7-byte recording date of a directory record (UTC).
func isoTime(t time.Time) []byte {
	return []byte{byte(t.Year() - 1900), byte(t.Month()), byte(t.Day()), byte(t.Hour()), byte(t.Minute()), byte(t.Second()), 0}
}

// isoDecTime is the 17-byte date of the volume descriptor (UTC).
func isoDecTime(t time.Time) []byte {
	s := fmt.Sprintf("%04d%02d%02d%02d%02d%02d%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/10_000_000)
	return append([]byte(s), 0)
}

// noDecTime is the "not specified" 17-byte date.
func noDecTime() []byte { return append([]byte("0000000000000000"), 0) }

// susp builds a SUSP entry: signature, length, version 1, then data.
func susp(sig string, data ...byte) []byte {
	e := append([]byte(sig), byte(4+len(data)), 1)
	return append(e, data...)
}

// rrPX is the POSIX attributes entry (RRIP_1991A form, without inode).
func rrPX(mode, links uint32) []byte {
	d := make([]byte, 32)
	both32(d[0:], mode)
	both32(d[8:], links)
	// uid and gid 0
	return susp("PX", d...)
}

// rrTF holds the modify, access and attribute-change times.
func rrTF(t time.Time) []byte {
	d := []byte{0x0e}
	for range 3 {
		d = append(d, isoTime(t)...)
	}
	return susp("TF", d...)
}

// dirRecord builds an ISO 9660 directory record with system use area su.
func dirRecord(id []byte, extent, size uint32, dir bool, t time.Time, su []byte) []byte {
	n := 33 + len(id)
	if n%2 == 1 {
		n++
	}
	r := make([]byte, n, n+len(su)+1)
	copy(r[33:], id)
	r = append(r, su...)
	if len(r)%2 == 1 {
		r = append(r, 0)
	}
	r[0] = byte(len(r))
	both32(r[2:], extent)
	both32(r[10:], size)
	copy(r[18:25], isoTime(t))
	if dir {
		r[25] = 0x02
	}
	both16(r[28:], 1) // volume sequence number
	r[32] = byte(len(id))
	return r
}

// padStr copies s into b and fills the rest with spaces.
func padStr(b []byte, s string) {
	for i := range b {
		b[i] = ' '
	}
	copy(b, s)
}

// isoHeader builds the first secFile sectors of a CD holding one file of
// fileSize bytes: descriptors, path tables, root directory with Rock Ridge
// entries, and the continuation area.
func isoHeader(fileSize int64, volumeID string, t time.Time) []byte {
	h := make([]byte, secFile*isoSector)
	fileSecs := uint32((fileSize + isoSector - 1) / isoSector)
	total := uint32(secFile) + fileSecs

	// Root directory: ".", "..", the file.
	er := append([]byte("ER"), byte(8+len(rrID)+len(rrDes)+len(rrSrc)), 1, byte(len(rrID)), byte(len(rrDes)), byte(len(rrSrc)), 1)
	er = append(er, rrID+rrDes+rrSrc...)
	copy(h[secCE*isoSector:], er)
	ce := make([]byte, 24)
	both32(ce[0:], secCE)
	both32(ce[8:], 0)
	both32(ce[16:], uint32(len(er)))

	var su []byte
	su = append(su, susp("SP", 0xbe, 0xef, 0)...)
	su = append(su, susp("RR", 0x81)...) // PX and TF present
	su = append(su, rrPX(modeDir, 2)...)
	su = append(su, rrTF(t)...)
	su = append(su, susp("CE", ce...)...) // last, as genisoimage places it
	dot := dirRecord([]byte{0}, secRoot, isoSector, true, t, su)

	su = append([]byte(nil), susp("RR", 0x81)...)
	su = append(su, rrPX(modeDir, 2)...)
	su = append(su, rrTF(t)...)
	dotdot := dirRecord([]byte{1}, secRoot, isoSector, true, t, su)

	su = append([]byte(nil), susp("RR", 0x89)...) // PX, NM and TF present
	su = append(su, susp("NM", append([]byte{0}, rrFileName...)...)...)
	su = append(su, rrPX(modeFile, 1)...)
	su = append(su, rrTF(t)...)
	file := dirRecord([]byte(isoFileName), secFile, uint32(fileSize), false, t, su)

	root := h[secRoot*isoSector:]
	i := copy(root, dot)
	i += copy(root[i:], dotdot)
	copy(root[i:], file)

	// Path tables: the root only.
	pl := h[secPathL*isoSector:]
	pl[0] = 1
	le32(pl[2:], secRoot)
	le16(pl[6:], 1)
	pm := h[secPathM*isoSector:]
	pm[0] = 1
	be32(pm[2:], secRoot)
	be16(pm[6:], 1)

	// Primary volume descriptor.
	p := h[secPVD*isoSector : (secPVD+1)*isoSector]
	p[0] = 1
	copy(p[1:6], "CD001")
	p[6] = 1
	padStr(p[8:40], "LINUX")
	padStr(p[40:72], volumeID)
	both32(p[80:], total)
	both16(p[120:], 1)         // volume set size
	both16(p[124:], 1)         // volume sequence number
	both16(p[128:], isoSector) // logical block size
	both32(p[132:], 10)        // path table size
	le32(p[140:], secPathL)
	be32(p[148:], secPathM)
	copy(p[156:190], dirRecord([]byte{0}, secRoot, isoSector, true, t, nil))
	padStr(p[190:318], "")       // volume set
	padStr(p[318:446], "")       // publisher
	padStr(p[446:574], "")       // data preparer
	padStr(p[574:702], "")       // application
	padStr(p[702:813], "")       // copyright, abstract and bibliographic files
	copy(p[813:], isoDecTime(t)) // creation
	copy(p[830:], isoDecTime(t)) // modification
	copy(p[847:], noDecTime())   // expiration
	copy(p[864:], noDecTime())   // effective
	p[881] = 1                   // file structure version

	// Volume descriptor set terminator.
	term := h[secTerm*isoSector:]
	term[0] = 255
	copy(term[1:6], "CD001")
	term[6] = 1
	return h
}

// buildISO wraps the disk image img into a CD image, sharing img's data.
func buildISO(img *sparse, volumeID string, t time.Time) *sparse {
	h := isoHeader(img.size, volumeID, t)
	fileEnd := int64(secFile)*isoSector + img.size
	cd := &sparse{size: (fileEnd + isoSector - 1) / isoSector * isoSector}
	cd.add(0, h)
	cd.extents = append(cd.extents, img.shifted(int64(len(h)))...)
	return cd
}
