package hvatest

import (
	"fmt"
	"slices"
	"sort"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// ShapeDiff reports, field by field, where fake differs from real in its
// keys or in the Ruby class of a value (Integer, String, Symbol, Time,
// true/false, Float, Hash, Array, nil), each line starting with the
// field's path under path. Hashes at the paths byUUID names are keyed by
// uuid (get_instance's volume): their first entries are compared; Arrays
// compare their first elements. Tests use it to keep a fake's hashes on
// what Wakame sends (hva/testdata/wakame).
func ShapeDiff(path string, real, fake any, byUUID ...string) []string {
	return shapeDiff(path, real, fake, byUUID)
}

func shapeDiff(path string, real, fake any, byUUID []string) []string {
	if rc, fc := rubymarshal.ClassName(real), rubymarshal.ClassName(fake); rc != fc {
		return []string{fmt.Sprintf("%s: Wakame gives %s, the fake %s", path, rc, fc)}
	}
	var diffs []string
	switch r := real.(type) {
	case map[string]any:
		f := fake.(map[string]any)
		if slices.Contains(byUUID, path) {
			return shapeDiff(path+".*", firstEntry(r), firstEntry(f), byUUID)
		}
		keys := map[string]bool{}
		for k := range r {
			keys[k] = true
		}
		for k := range f {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			rv, rok := r[k]
			fv, fok := f[k]
			switch {
			case !fok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing from the fake", path, k))
			case !rok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: Wakame has no such field", path, k))
			default:
				diffs = append(diffs, shapeDiff(path+"."+k, rv, fv, byUUID)...)
			}
		}
	case []any:
		f := fake.([]any)
		if len(r) > 0 && len(f) > 0 {
			diffs = append(diffs, shapeDiff(path+"[0]", r[0], f[0], byUUID)...)
		} else if len(r) != len(f) {
			diffs = append(diffs, fmt.Sprintf("%s: Wakame gives %d elements, the fake %d: nothing to compare", path, len(r), len(f)))
		}
	}
	return diffs
}

func firstEntry(m map[string]any) any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return nil
	}
	return m[keys[0]]
}
