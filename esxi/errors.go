package esxi

import (
	"errors"
	"fmt"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/internal/stall"
)

// Sentinel errors callers test with errors.Is. Errors returned by this
// package wrap one of these when the condition applies, together with the
// underlying govmomi fault.
var (
	// ErrNotFound: the VM, device or datastore file does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: the VM or datastore file already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalidPowerState: the VM is not in a power state that allows the
	// operation (for example powering on a VM that is already on).
	ErrInvalidPowerState = errors.New("invalid power state")
	// ErrBadName: a name that would become part of a datastore path (an
	// instance id, a file name) contains a character that is not allowed.
	ErrBadName = errors.New("bad name")
	// ErrInvalidConfig: the Config is incomplete or names something the host
	// does not have (datastore, network, datacenter).
	ErrInvalidConfig = errors.New("invalid esxi configuration")
	// ErrToolsUnavailable: the operation needs VMware Tools running in the
	// guest and they are not.
	ErrToolsUnavailable = errors.New("vmware tools not running")
	// ErrTLS: the host's certificate could not be verified or does not
	// match the pinned thumbprint.
	ErrTLS = errors.New("tls verification failed")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("esxi client closed")
	// ErrStalled: a datastore transfer made no progress for
	// Config.StallTimeout and was stopped.
	ErrStalled = stall.ErrStalled
	// ErrAuth: the host refused the credentials (a wrong user name or
	// password, a locked account). Retrying with the same Config cannot
	// help, unlike with a network error or a lost session.
	ErrAuth = errors.New("esxi login refused")
	// ErrSessionLost: the host refused a datastore transfer because the
	// session was lost, and the body could not be sent again. The client
	// has logged in again: retrying the transfer works.
	ErrSessionLost = errors.New("esxi session lost during a transfer")
)

// OpError records the operation that failed, the object it was acting on,
// and the cause. Its message reads like "power on i-abc123: ...".
type OpError struct {
	Op     string // what was being done, e.g. "power on"
	Object string // the VM name or datastore path, when there is one
	Err    error  // the cause: a sentinel-wrapping error or a govmomi fault
}

// Error implements error.
func (e *OpError) Error() string {
	if e.Object == "" {
		return e.Op + ": " + e.Err.Error()
	}
	return e.Op + " " + e.Object + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// classified pairs a sentinel with the original fault so both errors.Is
// (sentinel) and errors.As (govmomi fault types) keep working.
type classified struct {
	sentinel error
	cause    error
}

func (c *classified) Error() string   { return c.cause.Error() }
func (c *classified) Unwrap() []error { return []error{c.sentinel, c.cause} }

// wrapErr turns err into an *OpError for op on object, classifying the
// govmomi faults callers care about into this package's sentinels.
func wrapErr(op, object string, err error) error {
	if err == nil {
		return nil
	}
	var oe *OpError
	if errors.As(err, &oe) && oe.Op == op && oe.Object == object {
		return err
	}
	if s := classify(err); s != nil && !errors.Is(err, s) {
		err = &classified{sentinel: s, cause: err}
	}
	return &OpError{Op: op, Object: object, Err: err}
}

// classify maps a govmomi fault to a sentinel, or nil.
func classify(err error) error {
	switch {
	case fault.Is(err, &types.FileNotFound{}), fault.Is(err, &types.ManagedObjectNotFound{}),
		fault.Is(err, &types.NotFound{}):
		return ErrNotFound
	case fault.Is(err, &types.FileAlreadyExists{}), fault.Is(err, &types.DuplicateName{}),
		fault.Is(err, &types.AlreadyExists{}):
		return ErrExists
	case fault.Is(err, &types.InvalidPowerState{}):
		return ErrInvalidPowerState
	case fault.Is(err, &types.ToolsUnavailable{}):
		return ErrToolsUnavailable
	}
	return nil
}

// errorf builds an *OpError around a new sentinel-wrapping message.
func errorf(op, object string, sentinel error, format string, args ...any) error {
	return &OpError{Op: op, Object: object, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}
