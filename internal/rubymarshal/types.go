package rubymarshal

// Symbol is a Ruby Symbol (:running). Symbols and Strings are distinct in
// Ruby (data[:state] == :terminated is false for "terminated"), so they
// are distinct Go types here.
type Symbol string

// String returns the symbol's name without the leading colon.
func (s Symbol) String() string { return string(s) }

// Binary is a Ruby String in the ASCII-8BIT (binary) encoding: a String
// with no encoding instance variable.
type Binary []byte

// EncString is a Ruby String in an encoding other than UTF-8 and
// ASCII-8BIT, for example US-ASCII (digest hex ids) or Shift_JIS. S holds
// the raw bytes; Encoding is Ruby's name of the encoding.
type EncString struct {
	S        string
	Encoding string
}

// String returns the raw bytes of the string.
func (e EncString) String() string { return e.S }

// Pair is one key/value entry of a Hash.
type Pair struct {
	Key, Value any
}

// Hash is a Ruby Hash. Pairs keep Ruby's insertion order; Default is the
// value a Hash created with Hash.new(default) returns for missing keys
// (nil for a plain Hash).
type Hash struct {
	Pairs   []Pair
	Default any
}

// Len returns the number of pairs.
func (h *Hash) Len() int {
	if h == nil {
		return 0
	}
	return len(h.Pairs)
}

// Get returns the value of the first pair whose key is a String (string,
// Binary or EncString) or a Symbol equal to key, and whether there was one.
// It does not consult Default.
func (h *Hash) Get(key string) (any, bool) {
	if h == nil {
		return nil, false
	}
	for _, p := range h.Pairs {
		if k, ok := keyString(p.Key); ok && k == key {
			return p.Value, true
		}
	}
	return nil, false
}

// Set replaces the value of the first pair whose key is == key (same Go
// type and value), or appends a new pair.
func (h *Hash) Set(key, value any) {
	for i, p := range h.Pairs {
		if sameKey(p.Key, key) {
			h.Pairs[i].Value = value
			return
		}
	}
	h.Pairs = append(h.Pairs, Pair{Key: key, Value: value})
}

// Map converts the Hash into a map keyed by strings, recursively: String
// and Symbol keys both become plain string keys (other keys are described
// by KeyText), nested *Hash values become map[string]any and nested
// arrays are converted element by element. EncString values (US-ASCII
// digest ids, for instance) become plain strings; all other values keep
// their decoded types, so a Symbol value stays a Symbol and a binary
// String stays Binary. When two keys map to the same string, the later
// pair wins. Default is dropped. Use the *Hash itself where encodings or
// key types matter.
func (h *Hash) Map() map[string]any {
	if h == nil {
		return nil
	}
	m := make(map[string]any, len(h.Pairs))
	for _, p := range h.Pairs {
		m[KeyText(p.Key)] = convert(p.Value)
	}
	return m
}

// convert maps nested hashes and arrays for Map.
func convert(v any) any {
	switch x := v.(type) {
	case *Hash:
		return x.Map()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = convert(e)
		}
		return out
	case EncString:
		return x.S
	}
	return v
}

// keyString returns the text of a String or Symbol key.
func keyString(k any) (string, bool) {
	switch x := k.(type) {
	case Symbol:
		return string(x), true
	case string:
		return x, true
	case Binary:
		return string(x), true
	case EncString:
		return x.S, true
	}
	return "", false
}

// sameKey compares two keys as Set does, without panicking on
// uncomparable values.
func sameKey(a, b any) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	switch x := a.(type) {
	case Binary:
		y, ok := b.(Binary)
		return ok && string(x) == string(y)
	}
	return a == b
}
