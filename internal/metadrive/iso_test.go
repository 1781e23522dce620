package metadrive

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// suspEntries splits a system use area into its entries by signature.
func suspEntries(t *testing.T, su []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for len(su) >= 4 {
		n := int(su[2])
		require.GreaterOrEqual(t, n, 4)
		require.LessOrEqual(t, n, len(su))
		require.Equal(t, byte(1), su[3], "version of %s", su[:2])
		out[string(su[:2])] = su[4:n]
		su = su[n:]
	}
	require.Empty(t, bytes.Trim(su, "\x00"))
	return out
}

// both32ok reads a both-endian 32-bit field, checking its halves agree.
func both32ok(t *testing.T, b []byte) uint32 {
	t.Helper()
	le, be := binary.LittleEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	require.Equal(t, le, be, "both-endian halves")
	return le
}

// TestISOStructure checks the CD's ISO 9660 and Rock Ridge structures
// field by field, without isoinfo.
func TestISOStructure(t *testing.T) {
	mod := time.Date(2026, 11, 26, 10, 20, 30, 0, time.UTC)
	const imgSize = 2<<20 + 512 // not a whole number of CD sectors
	cd, err := BuildCD(Tree{"user-data": []byte("x")}, Options{ImageSize: imgSize, ModTime: mod, VolumeID: "META_CD"})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = cd.WriteTo(&buf)
	require.NoError(t, err)
	iso := buf.Bytes()
	sec := func(n int) []byte { return iso[n*isoSector : (n+1)*isoSector] }
	assert.Empty(t, bytes.Trim(iso[:16*isoSector], "\x00"), "system area")

	pvd := sec(16)
	assert.Equal(t, "\x01CD001\x01", string(pvd[:7]))
	assert.Equal(t, "META_CD                         ", string(pvd[40:72]))
	assert.Equal(t, uint32(cd.Size()/isoSector), both32ok(t, pvd[80:]))
	assert.Equal(t, uint32(10), both32ok(t, pvd[132:]))
	assert.Equal(t, uint32(18), binary.LittleEndian.Uint32(pvd[140:]))
	assert.Equal(t, uint32(19), binary.BigEndian.Uint32(pvd[148:]))
	assert.Equal(t, "2026112610203000\x00", string(pvd[813:830]))
	assert.Equal(t, byte(1), pvd[881])
	assert.Equal(t, "\xffCD001\x01", string(sec(17)[:7]))
	assert.Equal(t, []byte{1, 0, 20, 0, 0, 0, 1, 0, 0, 0}, sec(18)[:10], "L path table")
	assert.Equal(t, []byte{1, 0, 0, 0, 0, 20, 0, 1, 0, 0}, sec(19)[:10], "M path table")
	rootRec := pvd[156:190]
	assert.Equal(t, byte(34), rootRec[0])
	assert.Equal(t, uint32(20), both32ok(t, rootRec[2:]))

	root := sec(20)
	var recs [][]byte
	for i := 0; i < len(root) && root[i] != 0; i += int(root[i]) {
		require.Zero(t, root[i]%2, "record length is even")
		recs = append(recs, root[i:i+int(root[i])])
	}
	require.Len(t, recs, 3)
	su := func(r []byte) map[string][]byte {
		n := 33 + int(r[32])
		n += n % 2
		return suspEntries(t, r[n:])
	}
	dot, dotdot, file := su(recs[0]), su(recs[1]), su(recs[2])
	assert.Equal(t, []byte{0xbe, 0xef, 0}, dot["SP"], "SP first in the root's . record")
	assert.Equal(t, "SP", string(recs[0][34:36]))
	for _, e := range []map[string][]byte{dot, dotdot, file} {
		assert.Contains(t, e, "PX")
		assert.Len(t, e["PX"], 32)
		assert.Len(t, e["TF"], 22)
		assert.Equal(t, []byte{126, 11, 26, 10, 20, 30, 0}, e["TF"][1:8])
	}
	assert.Equal(t, []byte{0x89}, file["RR"])
	assert.Equal(t, "\x00metadata.img", string(file["NM"]))
	assert.Equal(t, "METADATA.IMG;1", string(recs[2][33:33+recs[2][32]]))
	assert.Equal(t, uint32(22), both32ok(t, recs[2][2:]))
	assert.Equal(t, uint32(imgSize), both32ok(t, recs[2][10:]))
	assert.Equal(t, []byte{126, 11, 26, 10, 20, 30, 0}, recs[2][18:25])

	ce := dot["CE"]
	require.Len(t, ce, 24)
	ceSec, ceOff, ceLen := both32ok(t, ce), both32ok(t, ce[8:]), both32ok(t, ce[16:])
	er := suspEntries(t, sec(int(ceSec))[ceOff:ceOff+ceLen])["ER"]
	require.NotNil(t, er)
	assert.Equal(t, "RRIP_1991A", string(er[4:4+er[0]]))
	assert.Equal(t, byte(1), er[3], "extension version")

	// The image follows, then zeros up to the end of the last sector.
	img, err := BuildImage(Tree{"user-data": []byte("x")}, Options{ImageSize: imgSize, ModTime: mod})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(img, iso[22*isoSector:22*isoSector+imgSize]))
	assert.Empty(t, bytes.Trim(iso[22*isoSector+imgSize:], "\x00"))
	assert.Equal(t, int64(0), cd.Size()%isoSector)
}
