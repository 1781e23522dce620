package hvaconf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Symbol is a Ruby symbol literal such as :public, without its colon.
type Symbol string

// String returns the symbol in Ruby notation, e.g. ":public".
func (s Symbol) String() string { return ":" + string(s) }

// Expr is the source text of a value that is valid Ruby but not a literal
// (for example File.join(...), ENV['X'] or 60*15). esxi-hva never evaluates
// Ruby: an Expr is kept so that settings esxi-hva does not use parse
// cleanly, and File.Config rejects it for settings esxi-hva does use.
type Expr string

// formatValue renders a parsed value in Ruby-like notation for messages.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(x)
	case Symbol:
		return x.String()
	case Expr:
		return string(x)
	case Password:
		return redacted
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0" // Ruby shows floats with a fraction: 2.0, not 2
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + " => " + formatValue(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprintf("%v", x)
	}
}

// kindOf names a value's kind for "want X, got Y" messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string, Password:
		return "string"
	case Symbol:
		return "symbol"
	case Expr:
		return "Ruby expression"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "float"
	case []any:
		return "array"
	case map[string]any:
		return "hash"
	default:
		return fmt.Sprintf("%T", v)
	}
}
