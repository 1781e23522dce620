package metadrive

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildTypicalWithTools(t *testing.T) {
	tree := typicalTree()
	img, err := BuildImage(tree, Options{})
	require.NoError(t, err)
	require.Len(t, img, DefaultImageSize)
	cd, err := BuildCD(tree, Options{})
	require.NoError(t, err)
	checkWithTools(t, tree, img, cd, Options{})

	// Without Rock Ridge the file is METADATA.IMG;1, holding the same bytes.
	testenv.RequireCommand(t, "isoinfo")
	iso := filepath.Join(t.TempDir(), "cd.iso")
	f, err := os.Create(iso)
	require.NoError(t, err)
	_, err = io.Copy(f, cd.Reader())
	require.NoError(t, err)
	require.NoError(t, f.Close())
	assert.Contains(t, run(t, "isoinfo", "-l", "-i", iso), " METADATA.IMG;1 \n")
	plain := run(t, "isoinfo", "-i", iso, "-x", "/METADATA.IMG;1")
	assert.True(t, plain == string(img), "isoinfo -x /METADATA.IMG;1 differs")
}

func TestBuildReadBack(t *testing.T) {
	tree := typicalTree()
	tree["meta-data/public-keys/"] = nil // implied already: must not show as empty
	tree["meta-data/empty/"] = nil
	tree["meta-data/zero"] = nil
	img, err := BuildImage(tree, Options{})
	require.NoError(t, err)
	got, label, err := readImage(img)
	require.NoError(t, err)
	assert.Equal(t, "METADATA   ", label)
	assert.Equal(t, expected(tree), asMap(got))
	assert.Contains(t, got, "meta-data/network/interfaces/macs/52-54-00-12-34-56/x-broadcast")
	assert.Contains(t, got, "meta-data/public-keys/0=ssh-abcd1234")
}

func TestFATTypeAndPartition(t *testing.T) {
	tiny := Tree{"user-data": []byte("x")}
	for _, tc := range []struct {
		size  int64
		tree  Tree
		bits  int
		ptype byte
		spc   byte
		tools bool
	}{
		{DefaultImageSize, typicalTree(), 16, partTypeFAT16, 2, false}, // tools: TestBuildTypicalWithTools
		{PartitionOffset + 64<<10, tiny, 12, partTypeFAT12, 1, true},
		{PartitionOffset + 128<<10, typicalTree(), 12, partTypeFAT12, 1, true},
		{2 << 20, typicalTree(), 12, partTypeFAT12, 1, true},
		{5 << 20, typicalTree(), 12, partTypeFAT12, 2, true}, // 8192 sectors: FAT12 by the table
		{6 << 20, typicalTree(), 16, partTypeFAT16, 2, true},
		{20 << 20, typicalTree(), 16, partTypeFAT16, 4, true},
		{100 << 20, tiny, 16, partTypeFAT16, 4, false},
	} {
		t.Run(itoa(int(tc.size)), func(t *testing.T) {
			img, err := BuildImage(tc.tree, Options{ImageSize: tc.size})
			require.NoError(t, err)
			require.Len(t, img, int(tc.size))
			assert.Equal(t, tc.ptype, img[446+4], "partition type")
			assert.Equal(t, tc.spc, img[PartitionOffset+13], "sectors per cluster")
			fsType := string(img[PartitionOffset+54 : PartitionOffset+62])
			assert.Equal(t, map[int]string{12: "FAT12   ", 16: "FAT16   "}[tc.bits], fsType)
			got, _, err := readImage(img)
			require.NoError(t, err)
			assert.Equal(t, expected(tc.tree), asMap(got))
			if tc.tools {
				cd, err := BuildCD(tc.tree, Options{ImageSize: tc.size})
				require.NoError(t, err)
				checkWithTools(t, tc.tree, img, cd, Options{})
			}
		})
	}
}

func TestImageSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int64
		tree Tree
		want error
	}{
		{"exact small", PartitionOffset + 32<<10, Tree{"a": []byte("b")}, nil},
		{"exact odd sectors", 3<<20 + 512*7, Tree{"a": []byte("b")}, nil},
		{"not a sector multiple", 3<<20 + 1, Tree{"a": nil}, ErrBadOption},
		{"no room for a partition", PartitionOffset, Tree{"a": nil}, ErrBadOption},
		{"negative", -512, Tree{"a": nil}, ErrBadOption},
		{"beyond FAT16", MaxImageSize + 512, Tree{"a": nil}, ErrBadOption},
		{"partition too small for FAT", PartitionOffset + 512*8, Tree{"a": nil}, ErrTooLarge},
		{"content too large", 2 << 20, Tree{"user-data": make([]byte, 1<<20)}, ErrTooLarge},
		{"content fits", 3 << 20, Tree{"user-data": make([]byte, 1<<20)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := BuildImage(tc.tree, Options{ImageSize: tc.size})
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			assert.Len(t, img, int(tc.size))
			got, _, err := readImage(img)
			require.NoError(t, err)
			assert.Equal(t, expected(tc.tree), asMap(got))
			cd, err := BuildCD(tc.tree, Options{ImageSize: tc.size})
			require.NoError(t, err)
			checkWithTools(t, tc.tree, img, cd, Options{})
		})
	}
}

func TestEmptyTree(t *testing.T) {
	for _, tree := range []Tree{nil, {}} {
		img, err := BuildImage(tree, Options{})
		require.NoError(t, err)
		got, label, err := readImage(img)
		require.NoError(t, err)
		assert.Empty(t, got)
		assert.Equal(t, "METADATA   ", label)
	}
}

func TestDeepPath(t *testing.T) {
	deep := strings.Repeat("d/", 3000) + "leaf"
	img, err := BuildImage(Tree{deep: []byte("bottom")}, Options{})
	require.NoError(t, err)
	got, _, err := readImage(img)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{deep: "bottom"}, asMap(got))
}

func TestTooLargeNamesThePath(t *testing.T) {
	tree := Tree{"a": make([]byte, 100<<10), "b/big": make([]byte, 2<<20), "c": []byte("x")}
	_, err := BuildImage(tree, Options{ImageSize: 2 << 20})
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), `"b/big"`)
}

func TestBadNames(t *testing.T) {
	long := strings.Repeat("x", 256)
	for _, tc := range []struct {
		key     string
		mention string
	}{
		{"", `""`},
		{"/", `"/"`},
		{"/abs", `"/abs"`},
		{"a//b", `"a//b"`},
		{"a/../b", `".."`},
		{"./a", `"."`},
		{"meta-data/..", `".."`},
		{"nul\x00byte", "control"},
		{"tab\there", "control"},
		{"del\x7f", "control"},
		{"a\\b", `'\\'`},
		{"a:b", `':'`},
		{"a*b", `'*'`},
		{"a?b", `'?'`},
		{"a\"b", `'"'`},
		{"a<b", `'<'`},
		{"a>b", `'>'`},
		{"a|b", `'|'`},
		{"dot.", "dot"},
		{"space ", "space"},
		{"bad\xffutf8", "UTF-8"},
		{"dir/" + long, "256 UTF-16 units"},
		{"meta-data/" + strings.Repeat("é", 200) + strings.Repeat("😀", 28), "256 UTF-16 units"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			_, err := BuildImage(Tree{tc.key: []byte("x"), "ok": []byte("y")}, Options{})
			require.ErrorIs(t, err, ErrBadName)
			assert.Contains(t, err.Error(), tc.mention)
			assert.Contains(t, err.Error(), strconv.Quote(tc.key), "the error names the path")
			_, err = BuildCD(Tree{tc.key: nil}, Options{})
			require.ErrorIs(t, err, ErrBadName)
		})
	}
}

func TestNameConflicts(t *testing.T) {
	for _, tc := range []struct {
		name string
		tree Tree
	}{
		{"file then dir", Tree{"a": nil, "a/b": nil}},
		{"file and empty dir", Tree{"a": nil, "a/": nil}},
		{"dir under file deep", Tree{"x/a": nil, "x/a/b/c": nil}},
		{"case only", Tree{"Meta": nil, "meta": nil}},
		{"case only dirs", Tree{"m/A/x": nil, "m/a/y": nil}},
		{"dir key with content", Tree{"d/": []byte("x")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildImage(tc.tree, Options{})
			require.ErrorIs(t, err, ErrBadName)
		})
	}
	// Longest allowed: 255 units, also as surrogate pairs.
	ok := Tree{strings.Repeat("n", 255): []byte("1"), strings.Repeat("😀", 127) + "e": []byte("2")}
	img, err := BuildImage(ok, Options{})
	require.NoError(t, err)
	got, _, err := readImage(img)
	require.NoError(t, err)
	assert.Equal(t, expected(ok), asMap(got))
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{VolumeID: "meta_cd"},
		{VolumeID: strings.Repeat("A", 33)},
		{VolumeID: "META CD"},
		{Label: "metadata"},
		{Label: "TWELVE_CHARS"},
		{Label: " LEADING"},
		{Label: "A:B"},
	} {
		_, err := BuildCD(Tree{"a": nil}, o)
		require.ErrorIs(t, err, ErrBadOption, "%+v", o)
	}
}

func TestCustomLabelAndVolumeID(t *testing.T) {
	tree := Tree{"user-data": []byte("hi\n")}
	o := Options{Label: "CIDATA", VolumeID: "CONFIG_2"}
	img, err := BuildImage(tree, o)
	require.NoError(t, err)
	_, label, err := readImage(img)
	require.NoError(t, err)
	assert.Equal(t, "CIDATA     ", label)
	cd, err := BuildCD(tree, o)
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = cd.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, "CONFIG_2"+strings.Repeat(" ", 24), string(buf.Bytes()[16*2048+40:16*2048+72]))
	checkWithTools(t, tree, img, cd, o)
}

func TestDeterminism(t *testing.T) {
	mod := time.Date(2024, 5, 6, 7, 8, 10, 0, time.UTC)
	sum := func(o Options) [32]byte {
		cd, err := BuildCD(typicalTree(), o)
		require.NoError(t, err)
		h := sha256.New()
		_, err = cd.WriteTo(h)
		require.NoError(t, err)
		return [32]byte(h.Sum(nil))
	}
	a, b := sum(Options{ModTime: mod}), sum(Options{ModTime: mod})
	assert.Equal(t, a, b)
	assert.Equal(t, a, sum(Options{ModTime: mod.In(time.FixedZone("X", 3600))}), "same instant in another zone")
	assert.NotEqual(t, a, sum(Options{ModTime: mod.Add(2 * time.Second)}))
	assert.NotEqual(t, a, sum(Options{ModTime: mod.AddDate(0, 0, 1)}))
	assert.Equal(t, sum(Options{}), sum(Options{ModTime: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)}), "before 1980 clamps to 1980")

	i1, err := BuildImage(typicalTree(), Options{ModTime: mod})
	require.NoError(t, err)
	i2, err := BuildImage(typicalTree(), Options{ModTime: mod})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(i1, i2))
}

func TestCDStreams(t *testing.T) {
	tree := typicalTree()
	img, err := BuildImage(tree, Options{})
	require.NoError(t, err)
	cd, err := BuildCD(tree, Options{})
	require.NoError(t, err)
	assert.Equal(t, int64(DefaultImageSize), cd.ImageSize())
	assert.Equal(t, int64(0), cd.Size()%2048)
	assert.Equal(t, int64(22*2048+DefaultImageSize), cd.Size())

	var w bytes.Buffer
	n, err := cd.WriteTo(&w)
	require.NoError(t, err)
	require.Equal(t, cd.Size(), n)
	whole := w.Bytes()
	assert.True(t, bytes.Equal(img, whole[22*2048:22*2048+len(img)]), "the image sits at sector 22")

	// io.Copy takes the WriterTo path; a small-buffer read takes Read.
	for i := 0; i < 2; i++ {
		var c bytes.Buffer
		n, err := io.Copy(&c, cd.Reader())
		require.NoError(t, err)
		require.Equal(t, cd.Size(), n)
		assert.True(t, bytes.Equal(whole, c.Bytes()), "Reader #%d", i)
	}
	r := cd.Reader()
	got := make([]byte, 0, cd.Size())
	buf := make([]byte, 777)
	for {
		k, err := r.Read(buf)
		got = append(got, buf[:k]...)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
	assert.True(t, bytes.Equal(whole, got), "Read with a 777-byte buffer")

	// A reader part-read then copied gives the rest.
	r = cd.Reader()
	head := make([]byte, 5000)
	_, err = io.ReadFull(r, head)
	require.NoError(t, err)
	var rest bytes.Buffer
	_, err = io.Copy(&rest, r)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(whole, append(head, rest.Bytes()...)))
}

type failWriter struct{ left int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n := f.left
		f.left = 0
		return n, io.ErrClosedPipe
	}
	f.left -= len(p)
	return len(p), nil
}

func TestWriteToError(t *testing.T) {
	cd, err := BuildCD(typicalTree(), Options{})
	require.NoError(t, err)
	for _, at := range []int{0, 100, 45056, 45056 + 70000, int(cd.Size()) - 1} {
		n, err := cd.WriteTo(&failWriter{left: at})
		require.ErrorIs(t, err, io.ErrClosedPipe, "fail at %d", at)
		assert.Equal(t, int64(at), n)
	}
}

func TestCDDoesNotAliasTree(t *testing.T) {
	tree := Tree{"user-data": []byte("before")}
	cd, err := BuildCD(tree, Options{ImageSize: 2 << 20})
	require.NoError(t, err)
	var a bytes.Buffer
	_, err = cd.WriteTo(&a)
	require.NoError(t, err)
	copy(tree["user-data"], "AFTER!")
	var b bytes.Buffer
	_, err = cd.WriteTo(&b)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a.Bytes(), b.Bytes()))
}

func TestManyFilesSpanClusters(t *testing.T) {
	tree := Tree{}
	for i := range 600 {
		tree["meta-data/many/item-with-a-longish-name-"+strings.Repeat("z", i%40)+"-"+itoa(i)] = []byte(itoa(i))
	}
	for i := range 600 { // the root directory grows past 512 entries
		tree["r"+itoa(i)] = nil
	}
	img, err := BuildImage(tree, Options{})
	require.NoError(t, err)
	got, _, err := readImage(img)
	require.NoError(t, err)
	assert.Equal(t, expected(tree), asMap(got))
	cd, err := BuildCD(tree, Options{})
	require.NoError(t, err)
	checkWithTools(t, tree, img, cd, Options{})
}

func itoa(i int) string { return strconv.Itoa(i) }
