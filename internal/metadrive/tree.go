package metadrive

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Tree maps slash-separated paths relative to the FAT filesystem root to
// file contents, e.g. "meta-data/instance-id" -> []byte("i-abc\n") or
// "user-data" -> the user data. Parent directories are implied. A key ending
// in "/" denotes an (empty) directory, e.g. "meta-data/public-keys/"; its
// value must be empty.
//
// Names are kept exactly, case included, as VFAT long names. See
// [ErrBadName] for the names that are refused.
type Tree map[string][]byte

// maxNameUnits is the longest VFAT long name, in UTF-16 code units.
const maxNameUnits = 255

// node is one file or directory of the parsed tree, with its FAT layout.
type node struct {
	path     string   // full path, for messages
	name     string   // long name as given
	units    []uint16 // name in UTF-16
	dir      bool
	data     []byte
	children []*node // sorted by name (byte order); directories only

	short   [11]byte // 8.3 name, space padded
	cluster uint32   // first cluster; 0 for empty files and the root
	nclus   uint32   // clusters allocated
	parent  *node
}

// parseTree checks every path of t and builds the directory tree, children
// sorted by name so that the layout is deterministic.
func parseTree(t Tree) (*node, error) {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	root := &node{dir: true}
	// index of every node by path, and of every name by its case fold per
	// directory, to find conflicts.
	byPath := map[string]*node{"": root}
	folded := map[string]string{} // parent path + "/" + upper(name) -> path
	for _, key := range keys {
		data := t[key]
		isDir := strings.HasSuffix(key, "/")
		p := strings.TrimSuffix(key, "/")
		if isDir && len(data) > 0 {
			return nil, fmt.Errorf("%w: %q: a key ending in \"/\" names an empty directory but has %d bytes of content", ErrBadName, key, len(data))
		}
		if p == "" {
			return nil, fmt.Errorf("%w: %q: empty path", ErrBadName, key)
		}
		comps := strings.Split(p, "/")
		parent := root
		cur := ""
		for i, c := range comps {
			if i > 0 {
				cur += "/"
			}
			cur += c
			if err := checkName(c); err != nil {
				return nil, fmt.Errorf("%w: %q: component %q %s", ErrBadName, key, c, err)
			}
			last := i == len(comps)-1
			wantDir := !last || isDir
			if n, ok := byPath[cur]; ok {
				if n.dir != wantDir {
					return nil, fmt.Errorf("%w: %q: %q is both a file and a directory", ErrBadName, key, cur)
				}
				parent = n
				continue
			}
			fk := parent.path + "/" + strings.ToUpper(c)
			if other, ok := folded[fk]; ok {
				return nil, fmt.Errorf("%w: %q: %q and %q differ only in case, and FAT names are case-insensitive", ErrBadName, key, other, cur)
			}
			folded[fk] = cur
			n := &node{path: cur, name: c, units: utf16.Encode([]rune(c)), dir: wantDir, parent: parent}
			if !wantDir {
				n.data = data
			}
			byPath[cur] = n
			parent.children = append(parent.children, n)
			parent = n
		}
	}
	sortChildren(root)
	return root, nil
}

func sortChildren(n *node) {
	sort.Slice(n.children, func(i, j int) bool { return n.children[i].name < n.children[j].name })
	for _, c := range n.children {
		if c.dir {
			sortChildren(c)
		}
	}
}

// checkName says what is wrong with one path component, or returns nil.
func checkName(c string) error {
	switch {
	case c == "":
		return fmt.Errorf("is empty (a leading, trailing or doubled \"/\")")
	case c == "." || c == "..":
		return fmt.Errorf("is not allowed")
	case !utf8.ValidString(c):
		return fmt.Errorf("is not valid UTF-8")
	}
	for i, r := range c {
		switch {
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("holds control character %U at byte %d", r, i)
		case strings.ContainsRune(`\:*?"<>|`, r):
			return fmt.Errorf("holds %q at byte %d, which VFAT does not allow", r, i)
		case r == 0xfffe || r == 0xffff:
			return fmt.Errorf("holds non-character %U at byte %d", r, i)
		}
	}
	if strings.HasSuffix(c, ".") || strings.HasSuffix(c, " ") {
		return fmt.Errorf("ends in a dot or a space, which VFAT drops")
	}
	if n := len(utf16.Encode([]rune(c))); n > maxNameUnits {
		return fmt.Errorf("is %d UTF-16 units long, more than VFAT's %d", n, maxNameUnits)
	}
	return nil
}
