package metadrive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// This file is an independent reader of metadata.img for the tests: it
// checks the structures strictly (MBR, BPB, cluster counts, FAT chains,
// long name checksums and order, "." and "..", unique short names, no
// cluster used twice) and returns the tree it finds.

type fatImage struct {
	bits    int
	label   string
	spc     int
	count   int
	fat     []byte
	data    []byte // data area of the partition
	rootDir []byte
	used    map[int]string // cluster -> path using it
}

func readImage(img []byte) (Tree, string, error) {
	if len(img) < 512 || img[510] != 0x55 || img[511] != 0xaa {
		return nil, "", errors.New("no MBR signature")
	}
	pe := img[446:462]
	start, secs := int64(binary.LittleEndian.Uint32(pe[8:])), int64(binary.LittleEndian.Uint32(pe[12:]))
	if start != 2048 || (start+secs)*512 != int64(len(img)) {
		return nil, "", fmt.Errorf("partition at LBA %d, %d sectors, in a %d-byte image", start, secs, len(img))
	}
	part := img[start*512:]
	bs := part[:512]
	u16 := func(o int) int { return int(binary.LittleEndian.Uint16(bs[o:])) }
	if bs[510] != 0x55 || bs[511] != 0xaa || bs[0] != 0xeb {
		return nil, "", errors.New("boot sector signature or jump missing")
	}
	if u16(11) != 512 || u16(14) != 1 || bs[16] != 2 || bs[21] != 0xf8 {
		return nil, "", errors.New("unexpected BPB basics")
	}
	spc, rootEnt, fatSz := int(bs[13]), u16(17), u16(22)
	tot := u16(19)
	if tot == 0 {
		tot = int(binary.LittleEndian.Uint32(bs[32:]))
	}
	if int64(tot) != secs {
		return nil, "", fmt.Errorf("BPB has %d sectors, the partition %d", tot, secs)
	}
	if spc == 0 || spc&(spc-1) != 0 || rootEnt%16 != 0 {
		return nil, "", fmt.Errorf("spc %d, root entries %d", spc, rootEnt)
	}
	rootSec := rootEnt * 32 / 512
	dataStart := 1 + 2*fatSz + rootSec
	count := (tot - dataStart) / spc
	f := &fatImage{spc: spc, count: count, used: map[int]string{}}
	switch {
	case count < 4085:
		f.bits = 12
	case count < 65525:
		f.bits = 16
	default:
		return nil, "", fmt.Errorf("%d clusters: FAT32", count)
	}
	if want := fmt.Sprintf("FAT%d   ", f.bits); string(bs[54:62]) != want || bs[38] != 0x29 {
		return nil, "", fmt.Errorf("type string %q, want %q", bs[54:62], want)
	}
	if (count+2)*f.bits > fatSz*512*8 {
		return nil, "", errors.New("FAT too small for the clusters")
	}
	fat1 := part[512 : 512+fatSz*512]
	fat2 := part[512+fatSz*512 : 512+2*fatSz*512]
	if string(fat1) != string(fat2) {
		return nil, "", errors.New("the two FATs differ")
	}
	f.fat = fat1
	if f.next(0)&0xff != 0xf8 {
		return nil, "", errors.New("FAT[0] does not hold the media byte")
	}
	f.rootDir = part[(1+2*fatSz)*512 : dataStart*512]
	f.data = part[dataStart*512:]
	f.label = string(bs[43:54])
	tree := Tree{}
	if err := f.readDir(tree, f.rootDir, "", 0, 0); err != nil {
		return nil, "", err
	}
	return tree, f.label, nil
}

func (f *fatImage) next(c int) int {
	if f.bits == 16 {
		return int(binary.LittleEndian.Uint16(f.fat[2*c:]))
	}
	v := int(binary.LittleEndian.Uint16(f.fat[c*3/2:]))
	if c&1 == 1 {
		return v >> 4
	}
	return v & 0xfff
}

func (f *fatImage) eoc(v int) bool {
	if f.bits == 16 {
		return v >= 0xfff8
	}
	return v >= 0xff8
}

// chain returns the clusters' bytes from cluster c, marking them used by p.
func (f *fatImage) chain(c int, p string) ([]byte, int, error) {
	cb := f.spc * 512
	var out []byte
	n := 0
	for {
		if c < 2 || c >= f.count+2 {
			return nil, 0, fmt.Errorf("%s: cluster %d out of range", p, c)
		}
		if o, ok := f.used[c]; ok {
			return nil, 0, fmt.Errorf("%s: cluster %d already used by %s", p, c, o)
		}
		f.used[c] = p
		out = append(out, f.data[(c-2)*cb:(c-1)*cb]...)
		n++
		nx := f.next(c)
		if f.eoc(nx) {
			return out, n, nil
		}
		c = nx
	}
}

func (f *fatImage) readDir(tree Tree, b []byte, path string, self, parent int) error {
	var lfn []uint16
	var sum byte
	want := 0 // next expected sequence number, 0 = none pending
	seen := map[string]bool{}
	names := map[string]bool{}
	children := 0
	for i := 0; i+32 <= len(b); i += 32 {
		e := b[i : i+32]
		if e[0] == 0 {
			break
		}
		if e[0] == 0xe5 {
			return fmt.Errorf("%s: deleted entry", path)
		}
		attr := e[11]
		if attr == 0x0f {
			seq := int(e[0] & 0x3f)
			if e[0]&0x40 != 0 {
				if want != 0 {
					return fmt.Errorf("%s: long name restarted", path)
				}
				lfn = make([]uint16, seq*13)
				sum = e[13]
			} else if seq != want || e[13] != sum {
				return fmt.Errorf("%s: long name entry %d out of order or checksum", path, seq)
			}
			for j := 0; j < 13; j++ {
				off := 1 + 2*j
				if j >= 5 {
					off = 14 + 2*(j-5)
				}
				if j >= 11 {
					off = 28 + 2*(j-11)
				}
				lfn[(seq-1)*13+j] = binary.LittleEndian.Uint16(e[off:])
			}
			want = seq - 1
			continue
		}
		var short [11]byte
		copy(short[:], e[:11])
		cl := int(binary.LittleEndian.Uint16(e[26:]))
		size := int(binary.LittleEndian.Uint32(e[28:]))
		if attr&0x08 != 0 {
			if path != "" || i != 0 || lfn != nil {
				return fmt.Errorf("%s: misplaced volume label", path)
			}
			continue
		}
		if short == pack83(".", "") || short == pack83("..", "") {
			wantCl := self
			if short[1] == '.' {
				wantCl = parent
			}
			if path == "" || cl != wantCl || attr != 0x10 || i > 32 {
				return fmt.Errorf("%s: bad dot entry %q cluster %d", path, short, cl)
			}
			continue
		}
		if lfn == nil || want != 0 || lfnChecksum(short) != sum {
			return fmt.Errorf("%s: short entry %q without a matching long name", path, short)
		}
		if seen[string(short[:])] {
			return fmt.Errorf("%s: short name %q twice", path, short)
		}
		seen[string(short[:])] = true
		end := len(lfn)
		for k, u := range lfn {
			if u == 0 {
				end = k
				for _, pad := range lfn[k+1:] {
					if pad != 0xffff {
						return fmt.Errorf("%s: long name padding %x", path, pad)
					}
				}
				break
			}
		}
		name := string(utf16.Decode(lfn[:end]))
		lfn = nil
		if names[name] {
			return fmt.Errorf("%s: name %q twice", path, name)
		}
		names[name] = true
		children++
		p := name
		if path != "" {
			p = path + "/" + name
		}
		switch attr {
		case 0x10:
			if size != 0 || cl == 0 {
				return fmt.Errorf("%s: directory with size %d cluster %d", p, size, cl)
			}
			b, _, err := f.chain(cl, p)
			if err != nil {
				return err
			}
			before := len(tree)
			if err := f.readDir(tree, b, p, cl, self); err != nil {
				return err
			}
			if len(tree) == before {
				tree[p+"/"] = nil
			}
		case 0x20:
			if size == 0 {
				if cl != 0 {
					return fmt.Errorf("%s: empty file with cluster %d", p, cl)
				}
				tree[p] = []byte{}
				continue
			}
			b, n, err := f.chain(cl, p)
			if err != nil {
				return err
			}
			if cb := f.spc * 512; n != (size+cb-1)/cb {
				return fmt.Errorf("%s: %d bytes in %d clusters", p, size, n)
			}
			tree[p] = b[:size]
		default:
			return fmt.Errorf("%s: attribute %#x", p, attr)
		}
	}
	if want != 0 || lfn != nil {
		return fmt.Errorf("%s: dangling long name", path)
	}
	return nil
}
