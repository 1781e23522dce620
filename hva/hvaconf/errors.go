package hvaconf

import (
	"errors"
	"fmt"
)

// ErrSyntax is matched (errors.Is) by every *SyntaxError: a file that is
// not valid hva.conf or /etc/default/wakame-vdc syntax.
var ErrSyntax = errors.New("syntax error")

// ErrInvalidValue is matched (errors.Is) by every *ValueError: a setting
// whose value has the wrong type or is out of range.
var ErrInvalidValue = errors.New("invalid value")

// SyntaxError reports where a file stops being readable and what the
// parser expected there.
type SyntaxError struct {
	File string // the name given to Parse (or to vdcdefaults.Parse)
	Line int    // 1-based line of the offending token
	Msg  string // what was expected or what is wrong, e.g. "expected value after '='"
}

// Error returns "file:line: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Is reports whether target is ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// ValueError reports a setting whose value esxi-hva cannot use.
type ValueError struct {
	File string // file name
	Line int    // line of the assignment (0 when unknown)
	Key  string // setting name, e.g. "esxi_insecure"
	Msg  string // what was wanted and what was found
}

// Error returns "file:line: key: msg".
func (e *ValueError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}

// Is reports whether target is ErrInvalidValue.
func (e *ValueError) Is(target error) bool { return target == ErrInvalidValue }
