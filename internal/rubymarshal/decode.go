package rubymarshal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxDepth is how deeply Arrays and Hashes may nest before Decode gives
// up with ErrMalformed (and Encode with ErrUnsupported, which also stops
// cyclic Go values).
const MaxDepth = 256

// maxIvarDepth bounds instance variables nested in instance variables
// (a String's encoding inside a Time's zone is 2).
const maxIvarDepth = 16

// Marshal type bytes.
const (
	tNil       = '0'
	tTrue      = 'T'
	tFalse     = 'F'
	tFixnum    = 'i'
	tBignum    = 'l'
	tFloat     = 'f'
	tString    = '"'
	tSymbol    = ':'
	tSymlink   = ';'
	tLink      = '@'
	tIvar      = 'I'
	tArray     = '['
	tHash      = '{'
	tHashDef   = '}'
	tUserDef   = 'u'
	tUserMar   = 'U'
	tObject    = 'o'
	tStruct    = 'S'
	tUClass    = 'C'
	tExtended  = 'e'
	tRegexp    = '/'
	tClass     = 'c'
	tModule    = 'm'
	tOldModule = 'M'
	tData      = 'd'
)

// inProgress marks an object-table entry whose value is still being read;
// a link to it would make a recursive structure.
type inProgressMark struct{}

var inProgress any = inProgressMark{}

// Decode decodes one Marshal 4.8 stream (as written by Ruby's
// Marshal.dump) into Go values, as described in the package doc. The whole
// input must be consumed.
// The expanded value is bounded by the default Limits.
func Decode(data []byte) (any, error) {
	return DecodeLimited(data, Limits{})
}

func newDecoder(data []byte, lim Limits) *decoder {
	return &decoder{
		data:    data,
		limits:  lim,
		objects: make([]any, 0, min(len(data)/32+1, 4096)),
		sizes:   make([]size, 0, min(len(data)/32+1, 4096)),
		symbols: make([]string, 0, min(len(data)/64+1, 1024)),
	}
}

// DecodeMap decodes a stream whose top-level value is a Hash and returns
// it converted with Hash.Map.
func DecodeMap(data []byte) (map[string]any, error) {
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	h, ok := v.(*Hash)
	if !ok {
		return nil, &DecodeError{Offset: 2, Msg: fmt.Sprintf("top-level value is %s, want a Hash", ClassName(v)), Err: ErrMalformed}
	}
	return h.Map(), nil
}

// A Decoder reads successive Marshal streams (each with its version
// header, as Marshal.dump writes them one after another) from an
// io.Reader. It reads ahead in chunks; bytes past one value are kept for
// the next Decode call. A length that claims more data than arrives ends
// in an error at the end of the input, with memory bounded by what was
// actually read.
type Decoder struct {
	d   decoder
	err error // sticky: a stream is not resynchronised after an error
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{d: decoder{r: r}}
}

// Decode reads the next Marshal stream. It returns io.EOF when the input
// ends cleanly before a stream starts, and a read error other than io.EOF
// wrapped. After an error every later call returns the same error.
func (dec *Decoder) Decode() (any, error) {
	if dec.err != nil {
		return nil, dec.err
	}
	v, err := dec.next()
	if err != nil {
		dec.err = err
	}
	return v, err
}

func (dec *Decoder) next() (any, error) {
	d := &dec.d
	// Values of the previous call never alias the buffer, so its
	// consumed bytes can be dropped now.
	d.data = d.data[:copy(d.data, d.data[d.pos:])]
	d.pos, d.depth, d.ivDepth = 0, 0, 0
	clear(d.objects)
	d.symbols, d.objects, d.sizes, d.nodes, d.nbytes = d.symbols[:0], d.objects[:0], d.sizes[:0], 0, 0
	if d.remaining() == 0 && !d.fill(1) {
		if d.rerr == nil || errors.Is(d.rerr, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("rubymarshal: reading: %w", d.rerr)
	}
	v, err := d.stream()
	if err != nil && d.rerr != nil && !errors.Is(d.rerr, io.EOF) {
		return nil, fmt.Errorf("rubymarshal: reading: %w", d.rerr)
	}
	return v, err
}

type decoder struct {
	r       io.Reader // nil: data is all there is
	rerr    error     // the reader's error once it has returned one
	data    []byte
	pos     int
	depth   int
	ivDepth int
	symbols []string
	objects []any
	// nodes and nbytes are the expanded size of the value read so far, a
	// link counting as the size of what it points to; sizes holds that
	// size for each object-table entry (while an entry is in progress, the
	// counts at its start). They stop a few bytes of links from expanding
	// into a huge tree for the Go code that walks the result.
	limits Limits
	nodes  int64
	nbytes int64
	sizes  []size
}

// size is the expanded size of an object-table entry.
type size struct{ nodes, bytes int64 }

func (d *decoder) stream() (any, error) {
	if d.remaining() < 2 && !d.fill(2) {
		return nil, d.malformed(0, "missing version header (%d bytes)", d.remaining())
	}
	major, minor := d.data[d.pos], d.data[d.pos+1]
	if major != 4 || minor > 8 {
		return nil, &DecodeError{Offset: 0, Msg: fmt.Sprintf("marshal format %d.%d, want 4.8", major, minor), Err: ErrVersion}
	}
	d.pos += 2
	return d.value()
}

// fill reads from the stream until n bytes past pos are buffered; false
// if the input ends first. Buffered bytes are never moved or overwritten
// while a value is being decoded, so slices of d.data stay valid.
func (d *decoder) fill(n int) bool {
	if d.r == nil {
		return false
	}
	for empty := 0; d.remaining() < n; {
		if d.rerr != nil {
			return false
		}
		if cap(d.data)-len(d.data) < 512 {
			grown := make([]byte, len(d.data), 2*cap(d.data)+4096)
			copy(grown, d.data)
			d.data = grown
		}
		m, err := d.r.Read(d.data[len(d.data):cap(d.data)])
		d.data = d.data[:len(d.data)+m]
		switch {
		case err != nil:
			d.rerr = err
		case m > 0:
			empty = 0
		default:
			if empty++; empty >= 100 {
				d.rerr = io.ErrNoProgress
			}
		}
	}
	return true
}

func (d *decoder) malformed(off int, format string, args ...any) error {
	return &DecodeError{Offset: off, Msg: fmt.Sprintf(format, args...), Err: ErrMalformed}
}

func (d *decoder) unsupported(off int, format string, args ...any) error {
	return &DecodeError{Offset: off, Msg: "unsupported type " + fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

func (d *decoder) remaining() int { return len(d.data) - d.pos }

// enter and leave bound the nesting depth of Arrays and Hashes.
func (d *decoder) enter(start int) error {
	d.depth++
	if d.depth > MaxDepth {
		return d.malformed(start, "nesting deeper than %d", MaxDepth)
	}
	return nil
}

func (d *decoder) leave() { d.depth-- }

// register reserves an object-table slot for a container about to be
// read; complete fills it.
func (d *decoder) register() int {
	d.objects = append(d.objects, inProgress)
	d.sizes = append(d.sizes, size{d.nodes, d.nbytes})
	return len(d.objects) - 1
}

// complete fills a slot; the node that value counted before register
// belongs to the object.
func (d *decoder) complete(slot int, v any) {
	d.objects[slot] = v
	d.sizes[slot] = size{d.nodes - d.sizes[slot].nodes + 1, d.nbytes - d.sizes[slot].bytes}
}

// addObject appends a scalar object (String, Float, Bignum, Time) of n
// bytes, counting them in the expanded size.
func (d *decoder) addObject(start int, v any, n int) error {
	d.objects = append(d.objects, v)
	d.sizes = append(d.sizes, size{1, int64(n)})
	return d.grow(start, 0, int64(n))
}

func (d *decoder) value() (any, error) {
	start := d.pos
	if err := d.grow(start, 1, 0); err != nil {
		return nil, err
	}
	t, err := d.byte()
	if err != nil {
		return nil, err
	}
	if t == tIvar {
		return d.ivarValue(start)
	}
	return d.typed(start, t)
}

// typed reads a value whose type byte t (at offset start) has been read,
// without an 'I' wrapper.
func (d *decoder) typed(start int, t byte) (any, error) {
	switch t {
	case tNil:
		return nil, nil
	case tTrue:
		return true, nil
	case tFalse:
		return false, nil
	case tFixnum:
		return d.long()
	case tBignum:
		return d.bignum(start)
	case tFloat:
		return d.float(start)
	case tString:
		b, err := d.bytes("string")
		if err != nil {
			return nil, err
		}
		v := Binary(bytes.Clone(b))
		return v, d.addObject(start, v, len(b))
	case tSymbol:
		s, err := d.symbolBody(start, false)
		return Symbol(s), err
	case tSymlink:
		s, err := d.symlink(start)
		return Symbol(s), err
	case tLink:
		return d.link(start)
	case tArray:
		return d.array()
	case tHash, tHashDef:
		return d.hash(t == tHashDef)
	case tUserDef:
		return d.userDef(start, false)
	}
	return nil, d.other(start, t)
}

// other reports a type byte this package does not map, naming the class
// when the stream gives one.
func (d *decoder) other(start int, t byte) error {
	named := func(kind string) error {
		name, err := d.symbol()
		if err != nil {
			return err
		}
		return d.unsupported(start, "%s %q", kind, name)
	}
	switch t {
	case tObject:
		return named("Object")
	case tStruct:
		return named("Struct")
	case tUClass:
		return named("user class")
	case tUserMar:
		return named("user-marshalled (marshal_dump)")
	case tExtended:
		return named("extended object")
	case tData:
		return named("Data")
	case tRegexp:
		b, err := d.bytes("regexp")
		if err != nil {
			return err
		}
		return d.unsupported(start, "Regexp /%s/", truncate(b))
	case tClass, tModule, tOldModule:
		b, err := d.bytes("class name")
		if err != nil {
			return err
		}
		kind := map[byte]string{tClass: "Class", tModule: "Module", tOldModule: "Module"}[t]
		return d.unsupported(start, "%s %q", kind, truncate(b))
	}
	return d.malformed(start, "unknown type byte 0x%02x", t)
}

func (d *decoder) link(start int) (any, error) {
	i, err := d.long()
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(d.objects)) {
		return nil, d.malformed(start, "object link %d out of range (%d objects)", i, len(d.objects))
	}
	v := d.objects[i]
	if v == inProgress {
		return nil, d.unsupported(start, "recursive structure (link %d to an enclosing object)", i)
	}
	if err := d.grow(start, d.sizes[i].nodes, d.sizes[i].bytes); err != nil {
		return nil, err
	}
	return v, nil
}
