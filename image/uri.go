package image

import (
	"fmt"
	"net/url"
	"path"
	"strings"
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
	i := strings.LastIndex(file, "-flat")
	if i < 0 {
		return "", fmt.Errorf("%w: %s: the file name %q has no \"-flat\"", ErrInvalidSource, redact(u), file)
	}
	name := file[:i] + file[i+len("-flat"):]
	if name == "" || name == "." {
		return "", fmt.Errorf("%w: %s: the file name %q leaves no descriptor name without \"-flat\"", ErrInvalidSource, redact(u), file)
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
		return nil, fmt.Errorf("%w: %q is not a URI: %v", ErrInvalidSource, redactString(s), redactErr(err))
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("%w: %s has no host", ErrInvalidSource, redact(u))
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%w: %s names a remote host; file URIs must be local", ErrInvalidSource, redact(u))
		}
	default:
		return nil, fmt.Errorf("%w: %s: scheme %q is not http, https or file", ErrInvalidSource, redact(u), u.Scheme)
	}
	if u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return nil, fmt.Errorf("%w: %s names no file", ErrInvalidSource, redact(u))
	}
	return u, nil
}

// redact returns u without user information, query or fragment, for logs
// and error messages.
func redact(u *url.URL) string {
	v := *u
	v.User = nil
	if v.RawQuery != "" || v.ForceQuery {
		v.RawQuery = ""
		v.ForceQuery = true // keep a visible "?" so the reader knows one was dropped
	}
	v.Fragment, v.RawFragment = "", ""
	return v.String()
}

// redactString redacts a URI that may not parse: everything between "//"
// and the last "@" before the next "/" is dropped.
func redactString(s string) string {
	if u, err := url.Parse(s); err == nil {
		return redact(u)
	}
	if i := strings.Index(s, "//"); i >= 0 {
		rest := s[i+2:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			s = s[:i+2] + rest[at+1:]
		}
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// redactErr drops the URL that url.Parse puts in its errors.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
