package image

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/esxi-hva/esxi-hva/internal/flatname"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// DescriptorURI derives the descriptor's URI from the flat's: the LAST
// "-flat" of the file name is dropped ("disk-flat.vmdk" -> "disk.vmdk"),
// never one in the host or a directory. A file name without "-flat" is an
// ErrInvalidSource error.
func DescriptorURI(flatURI string) (string, error) {
	u, err := parseURI(flatURI)
	if err != nil {
		return "", err
	}
	dir, file := path.Split(u.Path)
	name, err := flatname.Descriptor(file)
	if errors.Is(err, flatname.ErrNothingBefore) {
		return "", fmt.Errorf("%w: %s: the file name %q leaves no descriptor name without \"-flat\"", ErrInvalidSource, redact.URL(u), file)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s: the file name %q has no \"-flat\"", ErrInvalidSource, redact.URL(u), file)
	}
	v := *u
	v.Path = dir + name
	v.RawPath = ""
	return v.String(), nil
}

// isFlatURI reports whether the URI's file name names a flat (it holds
// "-flat").
func isFlatURI(u *url.URL) bool {
	return strings.Contains(path.Base(u.Path), "-flat")
}

// siblingURI returns the URI of name in the folder of u.
func siblingURI(u *url.URL, name string) string {
	v := *u
	v.Path = path.Dir(u.Path) + "/" + name
	if path.Dir(u.Path) == "/" {
		v.Path = "/" + name
	}
	v.RawPath = ""
	return v.String()
}

// parseURI parses an http, https or file URI.
func parseURI(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a URI: %v", ErrInvalidSource, redact.String(s), redact.Err(err))
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("%w: %s has no host", ErrInvalidSource, redact.URL(u))
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%w: %s names a remote host; file URIs must be local", ErrInvalidSource, redact.URL(u))
		}
	default:
		return nil, fmt.Errorf("%w: %s: scheme %q is not http, https or file", ErrInvalidSource, redact.URL(u), u.Scheme)
	}
	if u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return nil, fmt.Errorf("%w: %s names no file", ErrInvalidSource, redact.URL(u))
	}
	return u, nil
}
