package esxi

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DatastorePath names a file or folder on a datastore, as ESXi writes it:
// "[datastore1] i-abc123/i-abc123.vmdk". Path is slash-separated and
// relative to the datastore's root; an empty Path is the root itself.
type DatastorePath struct {
	Datastore string
	Path      string
}

// String returns the "[datastore] path" form ESXi uses.
func (p DatastorePath) String() string {
	if p.Path == "" {
		return "[" + p.Datastore + "]"
	}
	return "[" + p.Datastore + "] " + p.Path
}

// Join returns p with the given names appended, each validated with
// ValidateName. Use it to build paths from untrusted names such as
// instance ids.
func (p DatastorePath) Join(names ...string) (DatastorePath, error) {
	elems := make([]string, 0, len(names)+1)
	if p.Path != "" {
		elems = append(elems, p.Path)
	}
	for _, n := range names {
		if err := ValidateName(n); err != nil {
			return DatastorePath{}, err
		}
		elems = append(elems, n)
	}
	return DatastorePath{Datastore: p.Datastore, Path: strings.Join(elems, "/")}, nil
}

// Base returns the last element of the path.
func (p DatastorePath) Base() string { return path.Base(p.Path) }

// Dir returns the folder that holds p.
func (p DatastorePath) Dir() DatastorePath {
	d := path.Dir(p.Path)
	if d == "." || d == "/" {
		d = ""
	}
	return DatastorePath{Datastore: p.Datastore, Path: d}
}

// IsZero reports whether p names nothing.
func (p DatastorePath) IsZero() bool { return p.Datastore == "" && p.Path == "" }

// ParseDatastorePath parses "[datastore] path/to/file". Every element of
// the path is validated with ValidateName.
func ParseDatastorePath(s string) (DatastorePath, error) {
	if !strings.HasPrefix(s, "[") {
		return DatastorePath{}, fmt.Errorf("%w: datastore path %q must start with [datastore]", ErrBadName, s)
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return DatastorePath{}, fmt.Errorf("%w: datastore path %q has no closing ]", ErrBadName, s)
	}
	ds := s[1:end]
	if err := validateDatastoreName(ds); err != nil {
		return DatastorePath{}, err
	}
	rest := strings.TrimSpace(s[end+1:])
	rest = strings.Trim(rest, "/")
	p := DatastorePath{Datastore: ds}
	if rest == "" {
		return p, nil
	}
	return p.Join(strings.Split(rest, "/")...)
}

// maxNameLen is the longest file name ESXi's VMFS accepts.
const maxNameLen = 255

// ValidateName checks a single path element (an instance id, a file
// name): it must be non-empty, at most 255 bytes of valid UTF-8, not "."
// or "..", without leading or trailing white space, and free of '/', '\',
// '[', ']', and control characters.
func ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrBadName)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %q is not a file name", ErrBadName, name)
	case len(name) > maxNameLen:
		return fmt.Errorf("%w: name of %d bytes is longer than %d", ErrBadName, len(name), maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrBadName, name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: %q starts or ends with white space", ErrBadName, name)
	}
	for _, r := range name {
		if r == '/' || r == '\\' || r == '[' || r == ']' || unicode.IsControl(r) {
			return fmt.Errorf("%w: %q contains %q", ErrBadName, name, r)
		}
	}
	return nil
}

func validateDatastoreName(ds string) error {
	if ds == "" {
		return fmt.Errorf("%w: empty datastore name", ErrBadName)
	}
	for _, r := range ds {
		if r == '[' || r == ']' || r == '/' || unicode.IsControl(r) {
			return fmt.Errorf("%w: datastore name %q contains %q", ErrBadName, ds, r)
		}
	}
	return nil
}
