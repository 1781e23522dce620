package image_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

const vmfsDesc = `# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="vmfs"

# Extent description
RW 4192256 VMFS "ubuntu-flat.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.geometry.cylinders = "261"
ddb.uuid = "60 00 C2 9b 3e 1c 8a 2d-9f 7d 13 6d 40 c6 fa 0e"
ddb.virtualHWVersion = "8"
`

const flatDesc = "# Disk DescriptorFile\r\nversion=1\r\nCID=0a1b2c3d\r\nparentCID=ffffffff\r\ncreateType=\"monolithicFlat\"\r\nRW 2048 FLAT \"disk-flat.vmdk\" 0\r\n"

func TestParseDescriptor(t *testing.T) {
	d, err := image.ParseDescriptor([]byte(vmfsDesc))
	require.NoError(t, err)
	assert.Equal(t, 1, d.Version)
	assert.Equal(t, "UTF-8", d.Encoding)
	assert.Equal(t, "fffffffe", d.CID)
	assert.Equal(t, image.NoParentCID, d.ParentCID)
	assert.Equal(t, "vmfs", d.CreateType)
	assert.Equal(t, image.Extent{Access: "RW", Sectors: 4192256, Type: "VMFS", File: "ubuntu-flat.vmdk"}, d.Extent)
	assert.Equal(t, int64(4192256*512), d.Size())
	assert.Equal(t, map[string]string{
		"ddb.adapterType":        "lsilogic",
		"ddb.geometry.cylinders": "261",
		"ddb.uuid":               "60 00 C2 9b 3e 1c 8a 2d-9f 7d 13 6d 40 c6 fa 0e",
		"ddb.virtualHWVersion":   "8",
	}, d.DDB)

	d, err = image.ParseDescriptor([]byte(flatDesc))
	require.NoError(t, err)
	assert.Equal(t, "monolithicFlat", d.CreateType)
	assert.Equal(t, image.Extent{Access: "RW", Sectors: 2048, Type: "FLAT", File: "disk-flat.vmdk"}, d.Extent)

	d, err = image.ParseDescriptor(imagetest.Descriptor("x-flat.vmdk", 1<<20))
	require.NoError(t, err)
	assert.Equal(t, int64(1<<20), d.Size())
}

func TestParseDescriptorRefusals(t *testing.T) {
	rep := func(old, new string) string { return strings.Replace(vmfsDesc, old, new, 1) }
	tests := []struct {
		name, text  string
		unsupported bool // else invalid
		msg         string
	}{
		{"delta disk", rep("parentCID=ffffffff", "parentCID=12345678"), true, "parentCID 12345678: a delta disk with a parent is not supported"},
		{"parent hint", rep("createType", "parentFileNameHint=\"base.vmdk\"\ncreateType"), true, `parentFileNameHint "base.vmdk"`},
		{"sparse", rep(`"vmfs"`, `"monolithicSparse"`), true, `createType "monolithicSparse" is not supported`},
		{"stream optimized", rep(`"vmfs"`, `"streamOptimized"`), true, `createType "streamOptimized"`},
		{"two extents", rep("RW 4192256 VMFS \"ubuntu-flat.vmdk\"", "RW 4 VMFS \"a-flat.vmdk\"\nRW 4 VMFS \"b-flat.vmdk\""), true, "line 10: a second extent (the first is on line 9)"},
		{"sparse extent", rep("VMFS \"ubuntu", "VMFSSPARSE \"ubuntu"), true, `extent type "VMFSSPARSE"`},
		{"type mismatch", rep(`"vmfs"`, `"monolithicFlat"`), true, "extent type VMFS does not go with createType \"monolithicFlat\""},
		{"read only", rep("RW 4192256", "RDONLY 4192256"), true, "extent access RDONLY"},
		{"offset", rep(`"ubuntu-flat.vmdk"`, `"ubuntu-flat.vmdk" 512`), true, "extent offset 512"},
		{"no extent", rep("RW 4192256 VMFS \"ubuntu-flat.vmdk\"", ""), false, "no extent line"},
		{"no createType", rep("createType=\"vmfs\"", ""), false, "createType is missing"},
		{"no CID", rep("CID=fffffffe", ""), false, "CID is missing"},
		{"bad CID", rep("CID=fffffffe", "CID=xyz"), false, `line 4: CID "xyz" is not 8 hex digits`},
		{"bad version", rep("version=1", "version=99"), false, `version "99"`},
		{"zero sectors", rep("RW 4192256", "RW 0"), false, "sector count \"0\" is not a positive number"},
		{"huge", rep("RW 4192256", "RW 99999999999999999"), false, "more than 64 TiB"},
		{"path in extent", rep(`"ubuntu-flat.vmdk"`, `"../etc/passwd"`), false, "must be a plain name"},
		{"unquoted file", rep(`"ubuntu-flat.vmdk"`, `ubuntu-flat.vmdk`), false, "has no quoted file name"},
		{"garbage line", rep("# The Disk Data Base", "<html>"), false, `line 11: "<html>" is neither key=value nor an extent`},
		{"duplicate key", rep("version=1", "version=1\nversion=1"), false, "version repeats line 2"},
		{"stray quote", rep(`"lsilogic"`, `"lsi"logic"`), false, "unterminated quote"},
		{"binary", "version=1\x00\n", false, "control character"},
		{"not utf-8", "version=1\xff\n", false, "not UTF-8 text"},
		{"too big", vmfsDesc + strings.Repeat("#", image.MaxDescriptorSize), false, "more than a text descriptor's limit"},
		{"empty", "", false, "version is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := image.ParseDescriptor([]byte(tt.text))
			require.Error(t, err)
			if tt.unsupported {
				assert.ErrorIs(t, err, image.ErrUnsupportedDisk)
			} else {
				assert.ErrorIs(t, err, image.ErrInvalidDescriptor)
			}
			assert.Contains(t, err.Error(), tt.msg)
			var de *image.DescriptorError
			assert.ErrorAs(t, err, &de)
		})
	}
}

func TestDescriptorRename(t *testing.T) {
	for _, text := range []string{vmfsDesc, flatDesc} {
		d, err := image.ParseDescriptor([]byte(text))
		require.NoError(t, err)
		out := d.Rename("i-abc-flat.vmdk")
		d2, err := image.ParseDescriptor(out)
		require.NoError(t, err)
		assert.Equal(t, "i-abc-flat.vmdk", d2.Extent.File)
		assert.Equal(t, d.Extent.Sectors, d2.Extent.Sectors)
		assert.Equal(t, d.DDB, d2.DDB)
		// Only the extent line changed.
		a, b := strings.Split(text, "\n"), strings.Split(string(out), "\n")
		require.Len(t, b, len(a))
		changed := 0
		for i := range a {
			if a[i] != b[i] {
				changed++
				assert.Contains(t, b[i], `"i-abc-flat.vmdk"`)
			}
		}
		assert.Equal(t, 1, changed)
	}
}

func FuzzParseDescriptor(f *testing.F) {
	f.Add([]byte(vmfsDesc))
	f.Add([]byte(flatDesc))
	f.Add(imagetest.Descriptor("d-flat.vmdk", 512))
	f.Add([]byte("RW 1 VMFS \"a\"\nversion=1\nCID=00000000\nparentCID=ffffffff\ncreateType=vmfs"))
	f.Add([]byte("version=\"1\nRW 1 FLAT \"\" \"x\" 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := image.ParseDescriptor(b)
		if err != nil {
			require.Nil(t, d)
			return
		}
		// A parsed descriptor is consistent and survives a rename.
		require.Positive(t, d.Extent.Sectors)
		require.Contains(t, []string{"vmfs", "monolithicFlat"}, d.CreateType)
		require.Equal(t, image.NoParentCID, d.ParentCID)
		out := d.Rename("renamed-flat.vmdk")
		d2, err := image.ParseDescriptor(out)
		if len(out) > image.MaxDescriptorSize {
			return // a rename may lengthen a descriptor right at the limit
		}
		require.NoError(t, err, "renamed:\n%s", out)
		require.Equal(t, "renamed-flat.vmdk", d2.Extent.File)
		require.Equal(t, d.Extent.Sectors, d2.Extent.Sectors)
		require.Equal(t, d.DDB, d2.DDB)
		d3, err := image.ParseDescriptor(d.AsVMFS().Rename("v-flat.vmdk"))
		if err == nil {
			require.Equal(t, "vmfs", d3.CreateType)
			require.Equal(t, "VMFS", d3.Extent.Type)
		}
	})
}

func TestDescriptorAsVMFS(t *testing.T) {
	d, err := image.ParseDescriptor([]byte(flatDesc))
	require.NoError(t, err)
	v := d.AsVMFS()
	assert.Equal(t, "monolithicFlat", d.CreateType, "the original is unchanged")
	out := v.Rename("i-abc-flat.vmdk")
	assert.Contains(t, string(out), "createType=\"vmfs\"\r\n")
	assert.Contains(t, string(out), "RW 2048 VMFS \"i-abc-flat.vmdk\"\r\n")
	d2, err := image.ParseDescriptor(out)
	require.NoError(t, err)
	assert.Equal(t, "vmfs", d2.CreateType)
	assert.Equal(t, image.Extent{Access: "RW", Sectors: 2048, Type: "VMFS", File: "i-abc-flat.vmdk"}, d2.Extent)

	d, err = image.ParseDescriptor([]byte(vmfsDesc))
	require.NoError(t, err)
	assert.Same(t, d, d.AsVMFS())
}
