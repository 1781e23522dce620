package metadrive

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShortNames(t *testing.T) {
	for _, tc := range []struct {
		names []string // children of one directory
		want  []string // their 8.3 names, "BASE.EXT"
	}{
		{[]string{"user-data"}, []string{"USER-D~1"}},
		{[]string{"macs", "EMPTY", "README.TXT", "abcdefgh.txt"}, []string{"MACS", "EMPTY", "README.TXT", "ABCDEFGH.TXT"}},
		{[]string{"0=ssh-abcd1234"}, []string{"0_SSH-~1"}},
		{[]string{"52-54-00-12-34-56"}, []string{"52-54-~1"}},
		{[]string{".bashrc", "a.b.c", "file.tar.gz", "x y", "é", "a+b"}, []string{"BASHRC~1", "AB~1.C", "FILETA~1.GZ", "XY~1", "_~1", "A_B~1"}},
		{[]string{"ext.long", "ext.lon"}, []string{"EXT~1.LON", "EXT.LON"}},
		{[]string{"aaaaaa~1", "aaaaaaaaa"}, []string{"AAAAAA~1", "AAAAAA~2"}},
	} {
		t.Run(strings.Join(tc.names, ","), func(t *testing.T) {
			dir := &node{dir: true}
			for _, n := range tc.names {
				dir.children = append(dir.children, &node{name: n})
			}
			assignShortNames(dir)
			for i, c := range dir.children {
				got := strings.TrimRight(string(c.short[:8]), " ")
				if ext := strings.TrimRight(string(c.short[8:]), " "); ext != "" {
					got += "." + ext
				}
				assert.Equal(t, tc.want[i], got, "short name of %q", c.name)
			}
		})
	}
}

func TestShortNamesUniqueInBigDirectory(t *testing.T) {
	dir := &node{dir: true}
	for i := range 2000 {
		dir.children = append(dir.children, &node{name: "network-interface-" + itoa(i)})
	}
	assignShortNames(dir)
	seen := map[[11]byte]string{}
	for _, c := range dir.children {
		other, dup := seen[c.short]
		require.False(t, dup, "%q and %q share %q", c.name, other, c.short)
		seen[c.short] = c.name
		assert.Equal(t, "NE", string(c.short[:2]))
		assert.NotContains(t, string(c.short[:]), "=")
	}
	assert.Equal(t, "NETWO~10", string(dir.children[9].short[:8]))
	assert.Equal(t, "NET~1000", string(dir.children[999].short[:8]))
}

func TestLFNChecksum(t *testing.T) {
	spec := func(n [11]byte) byte { // the specification's ChkSum, written out
		var sum byte
		for _, c := range n {
			var hi byte
			if sum&1 != 0 {
				hi = 0x80
			}
			sum = hi + (sum >> 1) + c
		}
		return sum
	}
	for _, s := range []string{"USER-D~1   ", "META-D~1   ", "A          ", "\xff\x00\x01abcdefgh"} {
		n := [11]byte([]byte(s))
		assert.Equal(t, spec(n), lfnChecksum(n), s)
	}
}

func TestLFNEntries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries int
	}{{"a", 1}, {"abcdefghijklm", 1}, {"abcdefghijklmn", 2}, {strings.Repeat("z", 255), 20}} {
		n := &node{name: tc.name, units: []uint16(nil)}
		for _, r := range tc.name {
			n.units = append(n.units, uint16(r))
		}
		n.short = pack83("Z~1", "")
		b := make([]byte, 32*tc.entries)
		require.Equal(t, tc.entries, lfnCount(len(n.units)))
		putLFN(b, n)
		assert.Equal(t, byte(0x40|tc.entries), b[0], "first stored entry is the last part")
		for k := 0; k < tc.entries; k++ {
			assert.Equal(t, byte(0x0f), b[k*32+11])
			assert.Equal(t, lfnChecksum(n.short), b[k*32+13])
		}
		if len(n.units)%13 != 0 {
			last := len(n.units) % 13 // the terminator follows in the first stored entry
			off := map[bool]int{true: 1 + 2*last, false: 14 + 2*(last-5)}[last < 5]
			if last < 11 {
				assert.Equal(t, []byte{0, 0}, b[off:off+2], "terminator of %q", tc.name)
			}
			assert.Equal(t, []byte{0xff, 0xff}, b[30:32], "padding of %q", tc.name)
		}
	}
}
