package hva

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// fields reads a generic hash, naming each field it reads with its path
// and remembering the first problem. It reads only the keys it is asked
// for: whatever else the hash holds is never looked at.
type fields struct {
	m    map[string]any
	path string
	err  *error
}

func (f fields) name(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

func (f fields) fail(key, format string, args ...any) {
	if *f.err == nil {
		*f.err = fmt.Errorf("%w: %s: %s", ErrBadInstance, f.name(key), fmt.Sprintf(format, args...))
	}
}

func (f fields) has(key string) bool {
	v, ok := f.m[key]
	return ok && v != nil
}

// str returns a String or Symbol column (string, []byte, or any
// string-kinded type such as a transport's Symbol). A required one that
// is missing, nil or empty fails.
func (f fields) str(key string, required bool) string {
	v, ok := f.m[key]
	if !ok || v == nil {
		if required {
			f.fail(key, "missing")
		}
		return ""
	}
	s, ok := stringish(v)
	if !ok {
		f.fail(key, "want a String or Symbol, got %s", rubymarshal.ClassName(v))
		return ""
	}
	if required && s == "" {
		f.fail(key, "empty")
	}
	return s
}

// num returns an Integer column: any Go integer kind, a *big.Int that
// fits, an integral Float, or a decimal String (YAML-serialized columns
// may hold one).
func (f fields) num(key string, required bool) int64 {
	v, ok := f.m[key]
	if !ok || v == nil {
		if required {
			f.fail(key, "missing")
		}
		return 0
	}
	n, ok := intish(v)
	if !ok {
		f.fail(key, "want an Integer, got %s", describe(v))
	}
	return n
}

// boolean returns a flag column: tinyint(1) arrives as true/false, an
// int(11) flag as 0/1; nil is false.
func (f fields) boolean(key string) bool {
	switch v := f.m[key].(type) {
	case nil:
		return false
	case bool:
		return v
	default:
		if n, ok := intish(v); ok {
			return n != 0
		}
		if s, ok := stringish(v); ok {
			return s == "true" || s == "1" || s == "t"
		}
		f.fail(key, "want true/false or 0/1, got %s", rubymarshal.ClassName(v))
		return false
	}
}

// sub returns the nested hash under key; ok is false when it is absent.
func (f fields) sub(key string, required bool) (fields, bool) {
	v, ok := f.m[key]
	if !ok || v == nil {
		if required {
			f.fail(key, "missing")
		}
		return fields{}, false
	}
	m, ok := asMap(v)
	if !ok {
		f.fail(key, "want a Hash, got %s", rubymarshal.ClassName(v))
		return fields{}, false
	}
	return fields{m: m, path: f.name(key), err: f.err}, true
}

// serialized returns a YAML-serialized Hash column (request_params,
// runtime_config): a Hash, or "" / nil when the column is empty.
func (f fields) serialized(key string) (fields, bool) {
	if s, ok := stringish(f.m[key]); ok && strings.TrimSpace(s) == "" {
		return fields{}, false
	}
	return f.sub(key, false)
}

func (f fields) list(key string) []any {
	v, ok := f.m[key]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice || rv.Type().Elem().Kind() == reflect.Uint8 {
			f.fail(key, "want an Array, got %s", rubymarshal.ClassName(v))
			return nil
		}
		l = make([]any, rv.Len())
		for i := range l {
			l[i] = rv.Index(i).Interface()
		}
	}
	return l
}

func (f fields) strings(key string) []string {
	var out []string
	for i, v := range f.list(key) {
		s, ok := stringish(v)
		if !ok {
			f.fail(fmt.Sprintf("%s[%d]", key, i), "want a String, got %s", rubymarshal.ClassName(v))
			continue
		}
		out = append(out, s)
	}
	return out
}

// asMap accepts map[string]any and any map with string-kinded keys.
func asMap(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String && rv.Type().Key().Kind() != reflect.Interface {
		return nil, false
	}
	out := make(map[string]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		k, ok := stringish(it.Key().Interface())
		if !ok {
			return nil, false
		}
		out[k] = it.Value().Interface()
	}
	return out, true
}

// stringish returns v as a string when it is string-kinded (string,
// []byte, or a named string type such as a Symbol).
func stringish(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	case Symbol:
		return string(s), true
	case nil:
		return "", false
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return rv.String(), true
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return string(rv.Bytes()), true
	}
	return "", false
}

func intish(v any) (int64, bool) {
	if b, ok := v.(*big.Int); ok {
		if b == nil || !b.IsInt64() {
			return 0, false
		}
		return b.Int64(), true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return 0, false
		}
		return int64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	case reflect.String:
		n, err := strconv.ParseInt(strings.TrimSpace(rv.String()), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// describe is rubymarshal.ClassName with short scalar values, for numeric errors.
func describe(v any) string {
	switch rubymarshal.ClassName(v) {
	case "String", "Float", "Integer":
		s := fmt.Sprint(v)
		if len(s) > 32 {
			s = s[:32] + "..."
		}
		return fmt.Sprintf("%s %q", rubymarshal.ClassName(v), s)
	}
	return rubymarshal.ClassName(v)
}
