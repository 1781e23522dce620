package hvaconf

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// Symbol is a Ruby symbol literal such as :public, without its colon: the
// project's one Symbol type, as in package hva and in Wakame's Marshal
// bodies. Messages show it in Ruby notation (":public").
type Symbol = rubymarshal.Symbol

// Expr is the source text of a value that is Ruby code rather than a
// literal (File.join(...), ENV['X'], 60 * 15). esxi-hva never evaluates
// it: File.Config rejects it for the settings esxi-hva uses.
type Expr string

// formatValue renders a parsed value in Ruby-like notation for messages.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(x)
	case Password:
		return redacted
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
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, strconv.Quote(k)+" => "+formatValue(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case Symbol:
		return ":" + string(x)
	}
	return fmt.Sprint(v) // Expr, bool, int64
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
	}
	return fmt.Sprintf("%T", v)
}
