// Package joinerr aggregates errors the project's one way, with
// go-multierror: the nil errors are dropped, a single error is returned as
// it is (its message unchanged), and two or more become a
// *multierror.Error that errors.Is and errors.As see through.
package joinerr

import "github.com/hashicorp/go-multierror"

// Join returns nil when every err is nil, the error itself when only one
// is not, and otherwise a *multierror.Error holding them in order (the
// errors of a *multierror.Error among them flattened in).
func Join(errs ...error) error {
	merr := multierror.Append(nil, errs...)
	switch len(merr.Errors) {
	case 0:
		return nil
	case 1:
		return merr.Errors[0]
	}
	return merr
}
