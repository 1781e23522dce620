// Package rubymarshal reads and writes Ruby's Marshal format 4.8, the body
// format Wakame-vdc's Isono protocol puts on AMQP (Marshal.dump/Marshal.load).
//
// # Go mapping
//
// Decode turns a Marshal stream into these Go values:
//
//	nil, true, false       nil, bool
//	Fixnum                 int64
//	Bignum                 int64 when it fits, else *big.Int
//	Float                  float64 (±Inf, NaN and -0.0 included)
//	String, UTF-8          string
//	String, ASCII-8BIT     Binary
//	String, other encoding EncString (US-ASCII, Shift_JIS, ...)
//	Symbol                 Symbol
//	Array                  []any
//	Hash (with default)    *Hash (pairs in stream order, plus Default)
//	Time                   time.Time (offset, zone and nanoseconds restored)
//
// Object links ('@') resolve to the value decoded the first time, so a
// String referenced twice decodes to two equal strings and an Array or Hash
// referenced twice to the same slice or *Hash. Anything else (Struct,
// Object, user classes, Regexp, Class, Module, user-marshalled and extended
// objects, recursive structures) is an error: a *DecodeError carrying the
// byte offset and naming what was found, matching ErrUnsupported. Truncated
// or inconsistent input matches ErrMalformed, a wrong version header
// ErrVersion.
//
// Decoding is safe on hostile input: it never panics, never allocates more
// than the remaining input could fill, stops at MaxDepth levels of
// Array/Hash nesting, and refuses (ErrTooLarge) a value that object links
// expand, as a tree that Map or Encode walks, beyond its Limits in nodes
// and in bytes of Strings and Symbols (by default 2^16 nodes and 1 MiB,
// plus 4 of each per input byte; DecodeLimited and Decoder.SetLimits set
// others). Hash keys that are not Strings or Symbols become at most
// MaxKeyText bytes of text in Map (KeyText). Decode takes exactly one
// stream; a Decoder
// (NewDecoder) reads successive streams from an io.Reader.
//
// Hash.Get looks a key up as String or Symbol (GetString, GetSymbol,
// GetInt, GetHash, ... also check the value's type), and Hash.Map (or
// DecodeMap) gives a plain map[string]any tree for callers that care about
// neither key types nor encodings: Symbol values stay Symbols there, so a
// state can still be told from a String, while EncString values become
// plain strings.
//
// Encode accepts the decoded types above and, for convenience, every Go
// integer kind, float32, []byte (as Binary), slices of any element type
// and maps with string keys. Keys of such maps become Symbols (Wakame's
// hashes are keyed by Symbols) in sorted order; use *Hash for exact control
// over key types and order. A Go type named Symbol whose underlying type is
// string (such as hva.Symbol) is written as a Ruby Symbol too. Times go out
// as Ruby writes them: UTC times with the UTC flag, others with their
// offset and zone name, nanoseconds included. Encode never writes object
// links. An Encoder (NewEncoder) writes streams to an io.Writer.
package rubymarshal
