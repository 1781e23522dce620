// Package flatname holds the one rule that pairs a VMDK's files by name:
// the descriptor of NAME-flat.vmdk is NAME.vmdk, in the same folder. The
// image package (which fetches pairs) and the registry package (which
// records them) must agree on it, so both call Descriptor.
package flatname

import (
	"errors"
	"strings"
)

// Errors of Descriptor, tested with errors.Is.
var (
	// ErrNoFlat: the file name has no "-flat", so it names no flat file.
	ErrNoFlat = errors.New(`the file name has no "-flat"`)
	// ErrNothingBefore: the name starts with its last "-flat", which
	// would leave a descriptor named by its extension alone.
	ErrNothingBefore = errors.New(`the file name has nothing before "-flat"`)
)

// Descriptor returns the descriptor's file name for a flat's file name
// (one path element: never a host or folder): the name without its LAST
// "-flat". "a-flat-flat.vmdk" gives "a-flat.vmdk".
func Descriptor(flat string) (string, error) {
	i := strings.LastIndex(flat, "-flat")
	switch {
	case i < 0:
		return "", ErrNoFlat
	case i == 0:
		return "", ErrNothingBefore
	}
	return flat[:i] + flat[i+len("-flat"):], nil
}
