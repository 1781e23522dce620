package hvaconf

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

// maxConcurrency bounds the concurrency setting to something a single
// ESXi host can take.
const maxConcurrency = 1024

// edgeNetworkingValues are the values Wakame accepts for edge_networking.
var edgeNetworkingValues = map[string]bool{
	"netfilter": true, "legacy_netfilter": true, "openflow": true, "openvnet": true, "off": true,
}

// Config converts the parsed settings into a Config, applying defaults for
// the keys not set (and for keys set to nil). The warnings are the file's
// parse warnings followed by those about values. Every value of the wrong
// type or out of range is reported, joined into one error whose parts are
// *ValueError (errors.Is ErrInvalidValue), e.g.
// "hva.conf:7: esxi_insecure: want true/false, got \"yes\"".
func (f *File) Config() (Config, []string, error) {
	c := DefaultConfig()
	cv := &converter{f: f, warnings: append([]string(nil), f.Warnings...)}

	for _, st := range c.settings() {
		cv.convert(st.key, st.field)
	}
	cv.metadataSection(&c.MetadataItems)

	switch h := c.ESXiHost; {
	case strings.Contains(h, "@"):
		// Never echo it: the part before '@' would be credentials.
		cv.fail(KeyESXiHost, "must not carry credentials (user@ or user:password@): use esxi_username and esxi_password")
	case strings.ContainsAny(h, " \t\r\n"):
		cv.fail(KeyESXiHost, "want a host name, address or https URL, got %q", h)
	}
	if tp := c.ESXiThumbprint; tp != "" && !validThumbprint(tp) {
		cv.fail(KeyESXiThumbprint, "want a SHA-256 certificate fingerprint (64 hex digits, colons allowed, or openssl's \"sha256 Fingerprint=...\"), got %q", tp)
	}
	for _, k := range []struct {
		key string
		v   string
	}{{KeyESXiDatacenter, c.ESXiDatacenter}, {KeyESXiDatastore, c.ESXiDatastore}, {KeyESXiPortGroup, c.ESXiPortGroup}} {
		if k.v == "" {
			cv.fail(k.key, "must not be empty")
		}
	}
	if _, set := f.Values[KeyEdgeNetworking]; set {
		switch {
		case !edgeNetworkingValues[c.EdgeNetworking]:
			cv.fail(KeyEdgeNetworking, "want one of \"netfilter\", \"legacy_netfilter\", \"openflow\", \"openvnet\", \"off\"; got %q", c.EdgeNetworking)
		case c.EdgeNetworking != "off":
			cv.warn(KeyEdgeNetworking, "%q has no effect: esxi-hva does no edge networking on ESXi (set 'off')", c.EdgeNetworking)
		}
	}
	switch {
	case c.ESXiInsecure && c.ESXiThumbprint != "":
		cv.warn(KeyESXiInsecure, "esxi_thumbprint is set too; esxi-hva pins the thumbprint rather than skipping verification")
	case c.ESXiInsecure:
		cv.warn(KeyESXiInsecure, "TLS verification is off, so the password goes to whoever answers; pin the host with config.esxi_thumbprint = \"<SHA-256 fingerprint>\" instead")
	}
	if err := joinerr.Join(cv.errs...); err != nil {
		return Config{}, cv.warnings, err
	}
	return c, cv.warnings, nil
}

// setting is a key Config reads and the field of Config it sets.
type setting struct {
	key   string
	field any // its type says how the value is read: see convert
}

// settings lists every key Config reads, in the order it reads them, with
// the field of c each sets. It is the one list of the keys esxi-hva uses
// (usedKeys, KnownKeys).
func (c *Config) settings() []setting {
	return []setting{
		{KeyESXiHost, &c.ESXiHost},
		{KeyESXiDatacenter, &c.ESXiDatacenter},
		{KeyESXiDatastore, &c.ESXiDatastore},
		{KeyESXiUsername, &c.ESXiUsername},
		{KeyESXiPassword, &c.ESXiPassword},
		{KeyESXiInsecure, &c.ESXiInsecure},
		{KeyESXiThumbprint, &c.ESXiThumbprint},
		{KeyESXiPortGroup, &c.ESXiPortGroup},
		{KeyESXiHostSystem, &c.ESXiHostSystem},
		{KeyESXiResourcePool, &c.ESXiResourcePool},
		{KeyESXiVMFolder, &c.ESXiVMFolder},
		{KeyVMDataDir, &c.VMDataDir},
		{KeyEdgeNetworking, &c.EdgeNetworking},
		{KeyImageCacheBudget, &c.ImageCacheBudget},
		{KeyUseLinkedClone, &c.UseLinkedClone},
		{KeyConcurrency, &c.Concurrency},
		{KeySoftPowerOffTimeout, &c.SoftPowerOffTimeout},
		{KeyJobDeadlineLaunch, &c.JobDeadlineLaunch},
		{KeyJobDeadlineBackup, &c.JobDeadlineBackup},
		{KeyJobDeadlineOther, &c.JobDeadlineOther},
		{KeyJobDeadlineCleanup, &c.JobDeadlineCleanup},
		{KeyTransferStall, &c.TransferStallTimeout},
		{KeyMetadataItems, &c.MetadataItems},
	}
}

// convert reads key's value into field by the field's type: a string, the
// Password, a bool, an int (concurrency, 1 to maxConcurrency), an int64
// (a size), a time.Duration or the metadata items.
func (cv *converter) convert(key string, field any) {
	switch f := field.(type) {
	case *string:
		cv.str(key, f)
	case *Password:
		s := string(*f)
		cv.str(key, &s)
		*f = Password(s)
	case *bool:
		cv.boolean(key, f)
	case *int:
		cv.integer(key, f, 1, maxConcurrency)
	case *int64:
		cv.size(key, f)
	case *time.Duration:
		cv.duration(key, f)
	case *map[string]string:
		cv.items(key, f)
	default:
		panic(fmt.Sprintf("hvaconf: setting %s has a field of type %T", key, field))
	}
}

// converter turns File values into Config fields, collecting errors.
type converter struct {
	f        *File
	errs     []error
	warnings []string
}

// get returns the value of key, or ok=false when unset or nil.
func (cv *converter) get(key string) (any, bool) {
	v, ok := cv.f.Values[key]
	if !ok || v == nil {
		return nil, false
	}
	if e, isExpr := v.(Expr); isExpr {
		text := clip(string(e))
		if key == KeyESXiPassword {
			text = "(not shown)"
		}
		cv.fail(key, "value %s is Ruby code, which esxi-hva does not evaluate; write a literal", text)
		return nil, false
	}
	return v, true
}

func (cv *converter) fail(key, format string, args ...any) {
	cv.errs = append(cv.errs, &ValueError{File: cv.f.Path, Line: cv.f.Lines[key], Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (cv *converter) warn(key, format string, args ...any) {
	cv.warnings = append(cv.warnings, fmt.Sprintf("%s:%d: %s: ", cv.f.Path, cv.f.Lines[key], key)+fmt.Sprintf(format, args...))
}

// got describes a wrong value for "want X, got Y"; never the password.
func (cv *converter) got(key string, v any) string {
	if key == KeyESXiPassword {
		k := kindOf(v)
		if strings.ContainsRune("aeiouAEIOU", rune(k[0])) {
			return "an " + k + " (not shown)"
		}
		return "a " + k + " (not shown)"
	}
	return clip(formatValue(v))
}

// as returns key's value as a T; a value of another type is reported as
// "want <want>, got ...". ok is false for both and for an unset key.
func as[T any](cv *converter, key, want string) (t T, ok bool) {
	v, set := cv.get(key)
	if !set {
		return t, false
	}
	if t, ok = v.(T); !ok {
		cv.fail(key, "want %s, got %s", want, cv.got(key, v))
	}
	return t, ok
}

func (cv *converter) str(key string, dst *string) {
	if p, isPassword := cv.f.Values[key].(Password); isPassword {
		*dst = string(p)
	} else if s, ok := as[string](cv, key, "a string"); ok {
		*dst = s
	}
}

func (cv *converter) boolean(key string, dst *bool) {
	if b, ok := as[bool](cv, key, "true/false"); ok {
		*dst = b
	}
}

func (cv *converter) integer(key string, dst *int, lo, hi int) {
	n, ok := as[int64](cv, key, "an integer")
	switch {
	case !ok:
	case n < int64(lo) || n > int64(hi):
		cv.fail(key, "want an integer from %d to %d, got %d", lo, hi, n)
	default:
		*dst = int(n)
	}
}

func (cv *converter) size(key string, dst *int64) {
	v, ok := cv.get(key)
	if !ok {
		return
	}
	switch x := v.(type) {
	case int64:
		if x < 0 {
			cv.fail(key, "want a size in bytes >= 0, got %d", x)
			return
		}
		*dst = x
	case string:
		n, err := ParseSize(x)
		if err != nil {
			cv.fail(key, "%v", err)
			return
		}
		*dst = n
	default:
		cv.fail(key, "want a size (bytes, or a string like \"10G\"), got %s", cv.got(key, v))
	}
}

func (cv *converter) duration(key string, dst *time.Duration) {
	v, ok := cv.get(key)
	if !ok {
		return
	}
	const maxSeconds = float64(math.MaxInt64 / int64(time.Second))
	var d time.Duration
	switch x := v.(type) {
	case int64:
		if x < 0 || float64(x) > maxSeconds {
			cv.fail(key, "want seconds from 0 to %d, got %d", int64(maxSeconds), x)
			return
		}
		d = time.Duration(x) * time.Second
	case float64:
		if !(x >= 0) || x > maxSeconds {
			cv.fail(key, "want seconds from 0 to %d, got %v", int64(maxSeconds), x)
			return
		}
		d = time.Duration(x * float64(time.Second))
	case string:
		pd, err := time.ParseDuration(x)
		if err != nil || pd < 0 {
			cv.fail(key, "want seconds or a duration such as \"2m\", got %q", x)
			return
		}
		d = pd
	default:
		cv.fail(key, "want seconds, got %s", cv.got(key, v))
		return
	}
	*dst = d
}

func (cv *converter) items(key string, dst *map[string]string) {
	h, ok := as[map[string]any](cv, key, `a hash such as { "path" => "content" }`)
	if !ok {
		return
	}
	out := make(map[string]string, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if err := checkItemPath(k); err != nil {
			cv.fail(key, "item %q: %v", k, err)
			continue
		}
		switch s := h[k].(type) {
		case string:
			out[k] = s
		case Symbol:
			out[k] = string(s)
		case int64:
			out[k] = strconv.FormatInt(s, 10)
		default:
			cv.fail(key, "item %q: want a string, got %s", k, cv.got(key, s))
		}
	}
	*dst = out
}

// checkItemPath accepts relative, clean, '/'-separated metadata paths.
func checkItemPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.HasPrefix(p, "/"):
		return errors.New("path must be relative")
	case strings.ContainsAny(p, "\x00\\"):
		return errors.New("path must not contain NUL or '\\'")
	case path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../"):
		return errors.New("path must be clean, without '.', '..' or '//' parts")
	}
	return nil
}

// metadataSection merges the paths of Wakame's metadata { path ... }
// section into items; metadata_items wins where both set a path.
func (cv *converter) metadataSection(items *map[string]string) {
	if len(cv.f.Metadata) == 0 {
		return
	}
	if *items == nil {
		*items = make(map[string]string, len(cv.f.Metadata))
	}
	for _, k := range slices.Sorted(maps.Keys(cv.f.Metadata)) {
		v := cv.f.Metadata[k]
		line := cv.f.MetadataLines[k]
		if err := checkItemPath(k); err != nil {
			cv.errs = append(cv.errs, &ValueError{File: cv.f.Path, Line: line, Key: "metadata", Msg: fmt.Sprintf("path %q: %v", k, err)})
			continue
		}
		if old, set := (*items)[k]; set {
			if old != v {
				cv.warnings = append(cv.warnings, fmt.Sprintf("%s:%d: metadata: path %q is also in metadata_items (line %d), which wins", cv.f.Path, line, k, cv.f.Lines[KeyMetadataItems]))
			}
			continue
		}
		(*items)[k] = v
	}
}
