package metadrive

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// bmpRunes are what random names are made of: letters, digits, the
// punctuation VFAT allows (some only in long names) and a few non-ASCII
// characters. allRunes adds one outside the BMP, a surrogate pair in
// UTF-16, which mtools (UCS-2 only) shows as "__": only our reader checks
// names with it.
var (
	bmpRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.+,;[]{}()!#$%&'@^`~ éüß日本")
	allRunes = append([]rune("😀"), bmpRunes...)
)

// genOpts says what random names may be: the tools' cases need names that
// mtools can show (BMP only) and Linux can store (255 bytes of UTF-8).
type genOpts struct {
	runes    []rune
	maxBytes int
}

var (
	forTools  = genOpts{bmpRunes, 255}
	forReader = genOpts{allRunes, 1024}
)

// randomPool is where random contents are cut from.
var randomPool = func() []byte {
	b := make([]byte, 1<<20+1)
	rand.New(rand.NewSource(1)).Read(b)
	return b
}()

// randomName returns a valid name (VFAT names hold 255 UTF-16 units).
func randomName(r *rand.Rand, g genOpts) string {
	nameRunes, maxBytes := g.runes, g.maxBytes
	var n int
	switch p := r.Intn(10); {
	case p < 7:
		n = 1 + r.Intn(16)
	case p < 9:
		n = 17 + r.Intn(48)
	default:
		n = 200 + r.Intn(56)
	}
	for {
		var b strings.Builder
		for i := 0; i < n; i++ {
			ru := nameRunes[r.Intn(len(nameRunes))]
			if b.Len()+utf8.RuneLen(ru) > maxBytes {
				break
			}
			b.WriteRune(ru)
		}
		s := b.String()
		if checkName(s) == nil {
			return s
		}
		n = 1 + r.Intn(16)
	}
}

// randomTree builds a valid tree: random directories (some deep, some
// empty), files of random sizes (many empty), sometimes a directory of
// hundreds of files and 1 MiB of user-data; and an image size that may or
// may not hold it.
func randomTree(r *rand.Rand, g genOpts) (Tree, int64) {
	t := Tree{}
	dirs := []string{""}
	folded := map[string]bool{}
	child := func(parent string) (string, bool) {
		name := randomName(r, g)
		p := name
		if parent != "" {
			p = parent + "/" + name
		}
		k := strings.ToUpper(p)
		if folded[k] || (g.maxBytes <= 255 && len(p) > 3000) {
			return "", false
		}
		folded[k] = true
		return p, true
	}
	content := func() []byte {
		var n int
		switch p := r.Intn(10); {
		case p < 4:
			return nil
		case p < 9:
			n = r.Intn(2000)
		default:
			n = r.Intn(100 << 10)
		}
		off := r.Intn(len(randomPool) - n)
		return randomPool[off : off+n]
	}
	ops := r.Intn(40)
	for i := 0; i < ops; i++ {
		parent := dirs[r.Intn(len(dirs))]
		switch p := r.Intn(20); {
		case p < 6:
			if d, ok := child(parent); ok {
				dirs = append(dirs, d)
				t[d+"/"] = nil
			}
		case p == 6: // a deep chain
			d := parent
			for range 4 + r.Intn(8) {
				if c, ok := child(d); ok {
					d = c
				}
			}
			if d != parent {
				dirs = append(dirs, d)
				t[d+"/"] = nil
			}
		case p == 7: // a directory of many files
			for range 50 + r.Intn(300) {
				if f, ok := child(parent); ok {
					t[f] = []byte(f)
				}
			}
		default:
			if f, ok := child(parent); ok {
				t[f] = content()
			}
		}
	}
	if r.Intn(4) == 0 && !folded["USER-DATA"] {
		t["user-data"] = randomPool[:1<<20]
	}
	sizes := []int64{0, 3 << 20, 2 << 20, 5 << 20, 6 << 20, PartitionOffset + 512*(64+int64(r.Intn(20000)))}
	return t, sizes[r.Intn(len(sizes))]
}

// TestRandomTrees builds images from random trees; each must read back
// exactly (our reader checks the structures strictly) or fail with
// ErrTooLarge; the first ones are also checked with the real tools.
func TestRandomTrees(t *testing.T) {
	const cases, withTools = 100, 20
	r := rand.New(rand.NewSource(20261126))
	built, tooLarge, tooled := 0, 0, 0
	for i := 0; i < cases; i++ {
		g := forReader
		if i < withTools {
			g = forTools
		}
		tree, size := randomTree(r, g)
		o := Options{ImageSize: size}
		img, err := BuildImage(tree, o)
		if errors.Is(err, ErrTooLarge) {
			tooLarge++
			continue
		}
		require.NoError(t, err, "case %d", i)
		built++
		got, label, err := readImage(img)
		require.NoError(t, err, "case %d", i)
		require.Equal(t, "METADATA   ", label)
		require.Equal(t, expected(tree), asMap(got), "case %d", i)
		if i < withTools {
			tooled++
			cd, err := BuildCD(tree, o)
			require.NoError(t, err)
			t.Run("tools-"+itoa(i), func(t *testing.T) { checkWithTools(t, tree, img, cd, Options{}) })
		}
	}
	t.Logf("%d built, %d too large, %d checked with the tools", built, tooLarge, tooled)
	require.Greater(t, built, cases/2)
	require.Greater(t, tooLarge, 0)
}

// TestLongUnicodeNames uses names that are 255 UTF-16 units but more than
// 255 bytes of UTF-8 (too long for a Linux file system, so only our reader
// checks them).
func TestLongUnicodeNames(t *testing.T) {
	tree := Tree{
		"d/" + strings.Repeat("日", 255):       []byte("cjk"),
		"d/" + strings.Repeat("😀", 127) + "x": []byte("emoji"),
		"d/" + strings.Repeat("é", 255) + "/": nil,
	}
	img, err := BuildImage(tree, Options{})
	require.NoError(t, err)
	got, _, err := readImage(img)
	require.NoError(t, err)
	require.Equal(t, expected(tree), asMap(got))
}
