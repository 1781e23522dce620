package rubymarshal

import "fmt"

// Limits bound how large a decoded value may be once expanded: a Marshal
// stream refers to an object it has already written with a link of two
// or three bytes, and Go code that walks the result (converting, copying,
// formatting, encoding it) visits what the link points to once per link.
// A link therefore counts as a copy of what it points to, and a symlink
// as a copy of its Symbol. A value over a limit fails to decode with an
// error matching ErrTooLarge.
//
// A stream without links never expands beyond its own size, so the
// defaults, which grow with the input, never refuse one.
type Limits struct {
	// MaxNodes bounds the number of values (nil, true, each Integer,
	// String, Symbol, Array, Hash ...). Zero: 2^16 plus 4 per input byte
	// read.
	MaxNodes int64
	// MaxBytes bounds the bytes held by Strings, Symbols, Floats and
	// Bignums. Zero: 1 MiB plus 4 per input byte read.
	MaxBytes int64
}

// DecodeLimited is Decode with the given limits on the expanded value.
func DecodeLimited(data []byte, lim Limits) (any, error) {
	d := newDecoder(data, lim)
	v, err := d.stream()
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.data) {
		return nil, d.malformed(d.pos, "%d trailing bytes after the value", len(d.data)-d.pos)
	}
	return v, nil
}

// SetLimits sets the limits on the expanded size of each value the
// Decoder reads from now on.
func (dec *Decoder) SetLimits(lim Limits) { dec.d.limits = lim }

// maxNodes is the node limit for the input read so far.
func (d *decoder) maxNodes() int64 {
	if d.limits.MaxNodes > 0 {
		return d.limits.MaxNodes
	}
	return 1<<16 + 4*int64(d.pos)
}

// maxBytes is the byte limit for the input read so far.
func (d *decoder) maxBytes() int64 {
	if d.limits.MaxBytes > 0 {
		return d.limits.MaxBytes
	}
	return 1<<20 + 4*int64(d.pos)
}

// grow adds nodes and bytes to the expanded size of the value being read
// (start is the offset to blame) and fails once either is over its limit.
func (d *decoder) grow(start int, nodes, bytes int64) error {
	d.nodes += nodes
	d.nbytes += bytes
	if d.nodes > d.maxNodes() {
		return &DecodeError{Offset: start, Msg: fmt.Sprintf("the value expands to more than %d nodes", d.maxNodes()), Err: ErrTooLarge}
	}
	if d.nbytes > d.maxBytes() {
		return &DecodeError{Offset: start, Msg: fmt.Sprintf("the value expands to more than %d bytes", d.maxBytes()), Err: ErrTooLarge}
	}
	return nil
}
