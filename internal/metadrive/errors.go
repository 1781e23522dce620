package metadrive

import "errors"

// ErrBadName is wrapped by the errors that refuse a path of a [Tree]: an
// empty, "." or ".." component, a control or VFAT-illegal character
// (\ : * ? " < > |), a name longer than 255 UTF-16 units, a name ending in a
// dot or a space, a file and a directory at the same path, or two names that
// differ only in case (FAT names are case-insensitive). The error message
// names the offending path.
var ErrBadName = errors.New("metadrive: bad name")

// ErrTooLarge is wrapped by the errors returned when the content does not
// fit in the FAT partition of Options.ImageSize bytes. The message names the
// path that did not fit and what would be needed.
var ErrTooLarge = errors.New("metadrive: content too large for the image")

// ErrBadOption is wrapped by the errors returned for an unusable [Options]
// field (ImageSize not a multiple of 512 or beyond what FAT16 can hold, a
// label or volume id with characters the format does not allow).
var ErrBadOption = errors.New("metadrive: bad option")
