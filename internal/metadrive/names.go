package metadrive

import (
	"strconv"
	"strings"
)

// shortChars are the characters, besides A-Z and 0-9, that an 8.3 name may
// hold as they are. Others (+ , ; = [ ] and non-ASCII) become '_'.
const shortChars = "!#$%&'()-@^_`{}~"

// shortBasis derives the 8.3 basis of a long name the way the Microsoft FAT
// specification describes: upper case, spaces removed, leading dots stripped,
// base up to 8 and extension (after the last dot) up to 3 characters,
// characters an 8.3 name cannot hold replaced by '_'. lossy reports whether
// the long name cannot be recovered (case aside) from the basis, in which
// case a numeric tail "~N" is needed.
func shortBasis(name string) (base, ext string, lossy bool) {
	s := name
	if strings.Contains(s, " ") {
		s = strings.ReplaceAll(s, " ", "")
		lossy = true
	}
	if t := strings.TrimLeft(s, "."); t != s {
		s = t
		lossy = true
	}
	b, e := s, ""
	if dot := strings.LastIndexByte(s, '.'); dot >= 0 {
		b, e = s[:dot], s[dot+1:]
	}
	if strings.Contains(b, ".") {
		b = strings.ReplaceAll(b, ".", "")
		lossy = true
	}
	base, l1 := shortPart(b, 8)
	ext, l2 := shortPart(e, 3)
	lossy = lossy || l1 || l2
	if base == "" {
		base, lossy = "_", true
	}
	return base, ext, lossy
}

// shortPart maps s to 8.3 characters, truncated to max.
func shortPart(s string, max int) (string, bool) {
	var b strings.Builder
	lossy := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r < 0x80 && strings.ContainsRune(shortChars, r):
		default:
			r, lossy = '_', true
		}
		if b.Len() == max {
			return b.String(), true
		}
		b.WriteRune(r)
	}
	return b.String(), lossy
}

// pack83 lays base and ext out as the 11 bytes of a directory entry.
func pack83(base, ext string) [11]byte {
	var n [11]byte
	for i := range n {
		n[i] = ' '
	}
	copy(n[:8], base)
	copy(n[8:], ext)
	return n
}

// assignShortNames gives every child of dir a unique 8.3 name: the basis
// itself when the long name maps to it without loss and nobody else has it,
// else the basis with the first free numeric tail "~N". It recurses into
// subdirectories.
func assignShortNames(dir *node) {
	taken := make(map[[11]byte]bool, len(dir.children))
	var tailed []*node
	for _, c := range dir.children {
		base, ext, lossy := shortBasis(c.name)
		n := pack83(base, ext)
		if lossy || taken[n] {
			tailed = append(tailed, c)
			continue
		}
		taken[n] = true
		c.short = n
	}
	next := map[[11]byte]int{} // next tail number to try per basis
	for _, c := range tailed {
		base, ext, _ := shortBasis(c.name)
		key := pack83(base, ext)
		i := next[key]
		if i == 0 {
			i = 1
		}
		for {
			tail := "~" + strconv.Itoa(i)
			b := base
			if len(b) > 8-len(tail) {
				b = b[:8-len(tail)]
			}
			n := pack83(b+tail, ext)
			i++
			if !taken[n] {
				taken[n] = true
				c.short = n
				break
			}
		}
		next[key] = i
	}
	for _, c := range dir.children {
		if c.dir {
			assignShortNames(c)
		}
	}
}

// lfnChecksum is the checksum of an 8.3 name stored in each of its long
// name entries.
func lfnChecksum(short [11]byte) byte {
	var sum byte
	for _, c := range short {
		sum = (sum>>1 | sum<<7) + c
	}
	return sum
}

// lfnCount is the number of long name entries for a name of n UTF-16 units.
func lfnCount(n int) int { return (n + 12) / 13 }

// putLFN writes the long name entries of n (lfnCount(len(n.units)) entries
// of 32 bytes, last part first, as they are stored) into b.
func putLFN(b []byte, n *node) {
	cnt := lfnCount(len(n.units))
	units := make([]uint16, cnt*13)
	copy(units, n.units)
	for i := len(n.units); i < len(units); i++ {
		if i == len(n.units) {
			units[i] = 0x0000
		} else {
			units[i] = 0xffff
		}
	}
	sum := lfnChecksum(n.short)
	for k := 0; k < cnt; k++ {
		seq := cnt - k // stored from the last part to the first
		e := b[k*32 : k*32+32]
		e[0] = byte(seq)
		if k == 0 {
			e[0] |= 0x40
		}
		e[11] = 0x0f // attribute: long name
		e[12] = 0
		e[13] = sum
		part := units[(seq-1)*13 : seq*13]
		for j, u := range part {
			var off int
			switch {
			case j < 5:
				off = 1 + 2*j
			case j < 11:
				off = 14 + 2*(j-5)
			default:
				off = 28 + 2*(j-11)
			}
			le16(e[off:], u)
		}
		e[26], e[27] = 0, 0
	}
}
