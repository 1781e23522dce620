package rubymarshal

import (
	"errors"
	"fmt"
)

var (
	// ErrUnsupported is matched by errors for Ruby types this package does
	// not map (Struct, Object, Regexp, ...) and Go types it cannot encode.
	ErrUnsupported = errors.New("unsupported type")
	// ErrMalformed is matched by errors for input that is not a valid
	// Marshal stream: truncated, bad lengths, dangling links, too deep.
	ErrMalformed = errors.New("malformed marshal data")
	// ErrTooLarge is matched by the error for a value larger than the
	// decoder's Limits once its object links are followed (each link
	// counting as a copy of what it points to). It also matches
	// ErrMalformed.
	ErrTooLarge = fmt.Errorf("%w: value too large once expanded", ErrMalformed)
	// ErrVersion is matched by the error for a stream whose header is not
	// Marshal format 4.x (x <= 8).
	ErrVersion = errors.New("unsupported marshal version")
)

// DecodeError is the error Decode returns: where in the input the problem
// is and what it is. Err is ErrUnsupported, ErrMalformed, ErrTooLarge or
// ErrVersion, so errors.Is works.
type DecodeError struct {
	// Offset is the byte offset, from the start of the stream's version
	// header, of the value (or length) at fault.
	Offset int
	// Msg says what was found, e.g. `unsupported type Struct "Foo"`.
	Msg string
	// Err is the sentinel the error matches.
	Err error
}

// Error formats the error as "rubymarshal: offset N: message".
func (e *DecodeError) Error() string {
	return fmt.Sprintf("rubymarshal: offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the sentinel the error belongs to.
func (e *DecodeError) Unwrap() error { return e.Err }
