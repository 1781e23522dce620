package image

import (
	"errors"
	"fmt"

	"github.com/esxi-hva/esxi-hva/internal/fetch"
	"github.com/esxi-hva/esxi-hva/internal/stall"
)

// Sentinel errors callers test with errors.Is.
var (
	// ErrChecksumMismatch: the flat's md5 is not the expected one. The
	// error is a *ChecksumError with both sums.
	ErrChecksumMismatch = errors.New("md5 checksum mismatch")
	// ErrInvalidDescriptor: the descriptor is not a well-formed VMDK text
	// descriptor (too big, binary, a bad line). See *DescriptorError.
	ErrInvalidDescriptor = errors.New("invalid vmdk descriptor")
	// ErrUnsupportedDisk: the descriptor is well formed but describes a disk
	// this package does not deploy (a delta disk with a parent, a
	// createType other than vmfs or monolithicFlat, several extents...).
	ErrUnsupportedDisk = errors.New("unsupported vmdk disk")
	// ErrInvalidSource: the Source is unusable (bad URI or scheme, md5 not
	// 32 hex digits, a pair whose names or sizes disagree).
	ErrInvalidSource = fetch.ErrInvalidSource
	// ErrSourceStatus: the source answered with a non-2xx HTTP status. See
	// *StatusError.
	ErrSourceStatus = fetch.ErrSourceStatus
	// ErrSizeMismatch: the flat's size is not what the descriptor (or the
	// Source) says it is, or the body was cut short after every retry.
	ErrSizeMismatch = fetch.ErrSizeMismatch
	// ErrLockTimeout: another agent held the datastore lock of an image
	// for longer than CacheOptions.LockTimeout.
	ErrLockTimeout = errors.New("timed out waiting for the image lock")
	// ErrStalled: a transfer (a source's GET, a backup's PUT) made no
	// progress for FetchOptions.StallTimeout; a GET is retried, and the
	// error is returned when the retries ran out.
	ErrStalled = stall.ErrStalled
)

// ChecksumError reports an md5 that did not match. It Is
// ErrChecksumMismatch.
type ChecksumError struct {
	URI      string // the flat's URI, without credentials
	Expected string
	Actual   string
}

// Error implements error.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: md5 is %s, expected %s", e.URI, e.Actual, e.Expected)
}

// Is makes errors.Is(err, ErrChecksumMismatch) true.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksumMismatch }

// StatusError reports a non-2xx answer of a source or target: Method,
// URL (without credentials or query), Status and the status line's Text.
// It Is ErrSourceStatus.
type StatusError = fetch.StatusError

// DescriptorError reports what is wrong with a descriptor, and on which
// line (1-based; 0 when it concerns the whole text).
type DescriptorError struct {
	Line int
	Msg  string
	Err  error // ErrInvalidDescriptor or ErrUnsupportedDisk
}

// Error implements error.
func (e *DescriptorError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%v: line %d: %s", e.Err, e.Line, e.Msg)
	}
	return fmt.Sprintf("%v: %s", e.Err, e.Msg)
}

// Unwrap returns ErrInvalidDescriptor or ErrUnsupportedDisk.
func (e *DescriptorError) Unwrap() error { return e.Err }
