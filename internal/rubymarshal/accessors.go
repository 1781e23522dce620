package rubymarshal

import (
	"math/big"
	"time"
)

// Typed accessors for the shapes Isono messages have ({:type=>:success,
// :msg=>...}, {:endpoint=>..., :command=>..., :args=>[...]}). Each looks
// the key up as Get does and reports false when it is missing, nil or of
// another type.

// GetString returns a String value (any encoding) as a Go string.
func (h *Hash) GetString(key string) (string, bool) {
	v, _ := h.Get(key)
	switch x := v.(type) {
	case string:
		return x, true
	case EncString:
		return x.S, true
	case Binary:
		return string(x), true
	}
	return "", false
}

// GetSymbol returns a Symbol value.
func (h *Hash) GetSymbol(key string) (Symbol, bool) {
	v, _ := h.Get(key)
	s, ok := v.(Symbol)
	return s, ok
}

// GetName returns a Symbol or String value as a string: for fields such
// as :command that Ruby code sends either way.
func (h *Hash) GetName(key string) (string, bool) {
	if s, ok := h.GetSymbol(key); ok {
		return string(s), true
	}
	return h.GetString(key)
}

// GetInt returns an Integer value that fits in an int64.
func (h *Hash) GetInt(key string) (int64, bool) {
	v, _ := h.Get(key)
	return asInt64(v)
}

// asInt64 returns an Integer (a Fixnum or a Bignum) that fits in an int64.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

// GetBool returns a true or false value.
func (h *Hash) GetBool(key string) (bool, bool) {
	v, _ := h.Get(key)
	b, ok := v.(bool)
	return b, ok
}

// GetHash returns a Hash value.
func (h *Hash) GetHash(key string) (*Hash, bool) {
	v, _ := h.Get(key)
	x, ok := v.(*Hash)
	return x, ok && x != nil
}

// GetArray returns an Array value.
func (h *Hash) GetArray(key string) ([]any, bool) {
	v, _ := h.Get(key)
	a, ok := v.([]any)
	return a, ok
}

// GetTime returns a Time value.
func (h *Hash) GetTime(key string) (time.Time, bool) {
	v, _ := h.Get(key)
	t, ok := v.(time.Time)
	return t, ok
}
