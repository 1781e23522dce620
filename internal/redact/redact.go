// Package redact strips credentials from URLs before they reach a log line
// or an error message: user information (a password, or a token in the
// user name), the query (signed URLs carry their signature there) and the
// fragment. A URL that was redacted keeps a bare "?" where a query was, so
// that a reader knows something was dropped.
package redact

import (
	"errors"
	"net/url"
	"strings"
)

// URL returns u without user information, query or fragment.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	v.User = nil
	if v.RawQuery != "" || v.ForceQuery {
		v.RawQuery = ""
		v.ForceQuery = true
	}
	v.Fragment, v.RawFragment = "", ""
	return v.String()
}

// String redacts a URL given as text, also one that does not parse: then
// everything between "//" and the last "@" of the authority is dropped, and
// so is everything from the first "?" or "#".
func String(s string) string {
	if u, err := url.Parse(s); err == nil {
		return URL(u)
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

// Err removes the URL that net/url and net/http put in their *url.Error
// (the operation and URL, whole): callers name the redacted URL themselves.
// Other errors are returned as they are.
func Err(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue == err {
		return ue.Err
	}
	return err
}
