package registry

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrInvalid marks input refused before anything was written; the
	// concrete error is a *ValidationError naming the field.
	ErrInvalid = errors.New("invalid registration input")
	// ErrNotFound marks a resource the registry does not have (an
	// *APIError with HTTP status 404 matches it too).
	ErrNotFound = errors.New("not found in the registry")
	// ErrConflict marks a registration that clashes with what is already
	// registered; the concrete error is a *ConflictError.
	ErrConflict = errors.New("conflicts with an existing registration")
	// ErrNodeNotSeen marks a host whose agent has never reported to Isono;
	// start the HVA and wait for it, or set Force.
	ErrNodeNotSeen = errors.New("node is not registered yet (its HVA has never been seen); start it or use Force")
	// ErrUnsupported marks an operation the chosen backend cannot do.
	ErrUnsupported = errors.New("not supported by this backend")
	// ErrUnreachable marks an image file that did not answer a HEAD (or
	// GET) request successfully.
	ErrUnreachable = errors.New("image file is not reachable")
	// ErrChecksumMismatch marks a flat file whose md5 is not the one given.
	ErrChecksumMismatch = errors.New("image checksum mismatch")
)

// ValidationError is a refused input: which field, the value, and why.
type ValidationError struct {
	Field  string
	Value  string
	Reason string
}

// Error says which field was refused and why.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, value, format string, args ...any) error {
	return &ValidationError{Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// FieldDiff is one field whose registered value differs from the requested.
type FieldDiff struct {
	Field     string
	Existing  string
	Requested string
}

// fieldDiffs collects the fields where a registered record differs from
// the request.
type fieldDiffs []FieldDiff

// add records the field when have and want differ.
func (d *fieldDiffs) add(field, have, want string) {
	if have != want {
		*d = append(*d, FieldDiff{Field: field, Existing: have, Requested: want})
	}
}

// ConflictError says which existing record clashes and on which fields.
type ConflictError struct {
	// Kind is "host node", "backup object", "image", ...
	Kind string
	// ID is the existing record's canonical UUID.
	ID string
	// Fields lists the differing fields; empty when the clash is on
	// identity (e.g. a UUID already taken by another node).
	Fields []FieldDiff
	// Reason describes an identity clash.
	Reason string
}

// Error names the existing record and every differing field.
func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s is already registered", e.Kind, e.ID)
	if e.Reason != "" {
		b.WriteString(" ")
		b.WriteString(e.Reason)
	}
	if len(e.Fields) > 0 {
		b.WriteString(" with different ")
		for i, f := range e.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (registered %q, requested %q)", f.Field, f.Existing, f.Requested)
		}
	}
	return b.String()
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// APIError is an error answer of dcmgr's Web API. dcmgr's own errors carry a
// body {"error":"Dcmgr::Endpoints::UnknownHostNode","message":"...","code":"114"};
// Sinatra's generic 500 (model validation, duplicate UUID) carries no JSON,
// and then Class and Code are empty and Message holds the start of the body.
type APIError struct {
	// Method and Path of the request (the path never holds credentials).
	Method string
	Path   string
	// StatusCode is the HTTP status.
	StatusCode int
	// Class is Wakame's error class, e.g. "Dcmgr::Endpoints::UnknownUUIDResource".
	Class string
	// Code is Wakame's error code, e.g. "100".
	Code string
	// Message is Wakame's message.
	Message string
}

// Error gives the request, the HTTP status and Wakame's class, code and message.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wakame api %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Class != "" {
		fmt.Fprintf(&b, ": %s (code %s)", e.Class, e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	return b.String()
}

// Is lets errors.Is(err, ErrNotFound) match a 404 answer.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound
}

// Wakame error classes and codes the client and the fake use
// (dcmgr/lib/dcmgr/endpoints/errors.rb).
const (
	ClassUnknownUUIDResource      = "Dcmgr::Endpoints::UnknownUUIDResource"
	ClassInvalidParameter         = "Dcmgr::Endpoints::InvalidParameter"
	ClassUnknownHostNode          = "Dcmgr::Endpoints::UnknownHostNode"
	ClassUnknownImage             = "Dcmgr::Endpoints::UnknownImage"
	ClassUnknownBackupStorage     = "Dcmgr::Endpoints::UnknownBackupStorage"
	ClassUnknownBackupObject      = "Dcmgr::Endpoints::UnknownBackupObject"
	ClassInvalidBackupObjectState = "Dcmgr::Endpoints::InvalidBackupObjectState"
	ClassDatabaseError            = "Dcmgr::Endpoints::DatabaseError"
)
