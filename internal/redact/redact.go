// Package redact strips credentials from URLs before they reach a log line
// or an error message: user information (a password, or a token in the
// user name), the query (signed URLs carry their signature there) and the
// fragment. A URL that was redacted keeps a bare "?" where a query was, so
// that a reader knows something was dropped.
//
// User information is found by structure, not by trusting net/url: a
// password written unescaped may hold '/', '?', '#' or '@', and then
// net/url either fails or takes part of it for the host, the path or the
// query. Everything between "//" and the last '@' after it is dropped,
// also when that '@' belongs to a path (which then loses its host in the
// redacted text: a safe loss).
package redact

import (
	"errors"
	"net/url"
	"strings"
)

// ErrBadURL replaces the error of a URL that does not parse: net/url's
// errors quote parts of the URL (a "port" made of a password's first
// characters, a bad escape).
var ErrBadURL = errors.New("malformed URL")

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
	// A password with an unescaped '/' or '?' can have been parsed into
	// the host, the path or the query.
	return stripUserinfo(v.String())
}

// String redacts a URL given as text, also one that does not parse: then
// everything from the first "?" or "#" after the user information is
// dropped too.
func String(s string) string {
	s = stripUserinfo(s)
	if u, err := url.Parse(s); err == nil {
		return URL(u)
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// stripUserinfo drops everything between "//" and the last '@' after it.
// A URL whose "//" is followed by '/' (file:///path) has no authority and
// so no user information.
func stripUserinfo(s string) string {
	i := strings.Index(s, "//")
	if i < 0 {
		return s
	}
	rest := s[i+2:]
	if strings.HasPrefix(rest, "/") {
		return s
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return s[:i+2] + rest[at+1:]
	}
	return s
}

// Err removes the URL that net/url and net/http put in their *url.Error
// (the operation and URL, whole): callers name the redacted URL themselves.
// The error of a URL that does not parse becomes ErrBadURL, since its text
// quotes parts of the URL. Other errors are returned as they are.
func Err(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue == err {
		if ue.Op == "parse" {
			return ErrBadURL
		}
		return ue.Err
	}
	return err
}
