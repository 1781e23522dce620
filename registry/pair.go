package registry

import (
	"errors"
	"net/url"
	"path"
	"strings"

	"github.com/esxi-hva/esxi-hva/internal/flatname"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// Pair is a VMDK pair named by its flat file's URI: NAME-flat.vmdk holds the
// disk and NAME.vmdk, in the same directory, describes it.
type Pair struct {
	// FlatURI and DescriptorURI are absolute URIs.
	FlatURI       string
	DescriptorURI string
	// BaseURI is the directory both sit in, ending with "/" (a backup
	// storage's base_uri).
	BaseURI string
	// ObjectKey is the flat's file name as it appears in the URI (a
	// backup object's object_key): BaseURI + ObjectKey == FlatURI.
	ObjectKey string
}

// PairFromFlat derives the pair from the flat file's URI by removing the
// LAST "-flat" from the file name, never touching the host or directories:
// http://h/x-flat/a-flat-flat.vmdk gives http://h/x-flat/a-flat.vmdk. The
// scheme must be http, https or file; user info, a query or a fragment is
// refused (they would end up in the database).
func PairFromFlat(flatURI string) (Pair, error) {
	// Errors name the URI redacted: it may carry a password or a token.
	shown := redact.String(flatURI)
	u, err := url.Parse(flatURI)
	if err != nil {
		return Pair{}, invalid("flat uri", shown, "is not a URI: %v", redact.Err(err))
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return Pair{}, invalid("flat uri", shown, "has no host")
		}
	case "file":
	default:
		return Pair{}, invalid("flat uri", shown, "scheme must be http, https or file")
	}
	if u.User != nil {
		return Pair{}, invalid("flat uri", shown, "must not carry user info (it would be stored in the registry)")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || strings.HasSuffix(flatURI, "?") || strings.HasSuffix(flatURI, "#") {
		return Pair{}, invalid("flat uri", shown, "must not have a query or fragment")
	}
	esc := u.EscapedPath()
	i := strings.LastIndex(esc, "/")
	if i < 0 {
		return Pair{}, invalid("flat uri", shown, "has no file name")
	}
	dir, name := esc[:i+1], esc[i+1:]
	desc, err := flatname.Descriptor(name)
	switch {
	case errors.Is(err, flatname.ErrNoFlat):
		return Pair{}, invalid("flat uri", shown, `file name %q has no "-flat": register the NAME-flat.vmdk file of the pair`, name)
	case err != nil:
		return Pair{}, invalid("flat uri", shown, `file name %q has nothing before "-flat"`, name)
	}
	base := u.Scheme + "://" + u.Host + dir
	return Pair{
		FlatURI:       base + name,
		DescriptorURI: base + desc,
		BaseURI:       base,
		ObjectKey:     name,
	}, nil
}

// DescriptorName is the descriptor's file name, unescaped.
func (p Pair) DescriptorName() string {
	u, err := url.Parse(p.DescriptorURI)
	if err != nil {
		return path.Base(p.DescriptorURI)
	}
	return path.Base(u.Path)
}
