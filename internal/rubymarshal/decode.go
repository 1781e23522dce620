package rubymarshal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
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
		return nil, &DecodeError{Offset: 2, Msg: fmt.Sprintf("top-level value is %s, want a Hash", rubyTypeName(v)), Err: ErrMalformed}
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

func (d *decoder) byte() (byte, error) {
	if d.pos >= len(d.data) && !d.fill(1) {
		return 0, d.malformed(d.pos, "unexpected end of data")
	}
	b := d.data[d.pos]
	d.pos++
	return b, nil
}

// long reads Marshal's packed integer ("w_long").
func (d *decoder) long() (int64, error) {
	start := d.pos
	b, err := d.byte()
	if err != nil {
		return 0, err
	}
	c := int(int8(b))
	switch {
	case c == 0:
		return 0, nil
	case c > 4:
		return int64(c - 5), nil
	case c < -4:
		return int64(c + 5), nil
	}
	n := c
	if n < 0 {
		n = -n
	}
	if d.remaining() < n && !d.fill(n) {
		return 0, d.malformed(start, "integer of %d bytes truncated", n)
	}
	var x uint64
	for i := 0; i < n; i++ {
		x |= uint64(d.data[d.pos+i]) << (8 * i)
	}
	d.pos += n
	if c < 0 {
		x |= ^uint64(0) << (8 * n)
	}
	return int64(x), nil
}

// length reads a non-negative count of things that each need at least
// per bytes of the remaining input. For a stream the rest of the input
// is unknown: there the count is only checked as the things are read.
func (d *decoder) length(what string, per int) (int, error) {
	start := d.pos
	n, err := d.long()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, d.malformed(start, "negative %s length %d", what, n)
	}
	if d.r == nil && n > int64(d.remaining()/per) {
		return 0, d.malformed(start, "%s length %d exceeds the %d bytes left", what, n, d.remaining())
	}
	return int(n), nil
}

// capFor is how many of n things to preallocate room for: never more than
// the buffered input could hold.
func (d *decoder) capFor(n, per int) int {
	return min(n, d.remaining()/per)
}

// take returns the next n bytes, aliasing the input.
func (d *decoder) take(start, n int, what string) ([]byte, error) {
	if d.remaining() < n && !d.fill(n) {
		return nil, d.malformed(start, "%s of %d bytes truncated", what, n)
	}
	b := d.data[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

// bytes reads a length-prefixed byte string, aliasing the input.
func (d *decoder) bytes(what string) ([]byte, error) {
	start := d.pos
	n, err := d.length(what, 1)
	if err != nil {
		return nil, err
	}
	return d.take(start, n, what)
}

// symbol reads a Symbol or symlink where the grammar requires one (hash
// ivar names, class names).
func (d *decoder) symbol() (string, error) {
	start := d.pos
	t, err := d.byte()
	if err != nil {
		return "", err
	}
	switch t {
	case tSymbol:
		return d.symbolBody(start, false)
	case tSymlink:
		return d.symlink(start)
	case tIvar:
		t2, err := d.byte()
		if err != nil {
			return "", err
		}
		if t2 != tSymbol {
			return "", d.malformed(start, "expected a symbol, found type %q", t2)
		}
		return d.symbolBody(start, true)
	}
	return "", d.malformed(start, "expected a symbol, found type %q", t)
}

func (d *decoder) symbolBody(start int, ivar bool) (string, error) {
	b, err := d.bytes("symbol")
	if err != nil {
		return "", err
	}
	if err := d.grow(start, 0, int64(len(b))); err != nil {
		return "", err
	}
	s := string(b)
	d.symbols = append(d.symbols, s)
	if ivar {
		if err := d.ivars(start, nil); err != nil {
			return "", err
		}
	}
	return s, nil
}

func (d *decoder) symlink(start int) (string, error) {
	i, err := d.long()
	if err != nil {
		return "", err
	}
	if i < 0 || i >= int64(len(d.symbols)) {
		return "", d.malformed(start, "symlink %d out of range (%d symbols)", i, len(d.symbols))
	}
	if err := d.grow(start, 0, int64(len(d.symbols[i]))); err != nil {
		return "", err
	}
	return d.symbols[i], nil
}

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

func truncate(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
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

func (d *decoder) bignum(start int) (any, error) {
	sign, err := d.byte()
	if err != nil {
		return nil, err
	}
	if sign != '+' && sign != '-' {
		return nil, d.malformed(start, "bignum sign %q, want '+' or '-'", sign)
	}
	n, err := d.length("bignum", 2)
	if err != nil {
		return nil, err
	}
	raw, err := d.take(start, 2*n, "bignum")
	if err != nil {
		return nil, err
	}
	var v any
	if len(raw) <= 8 || allZero(raw[8:]) {
		var u uint64
		for i := 0; i < len(raw) && i < 8; i++ {
			u |= uint64(raw[i]) << (8 * i)
		}
		switch {
		case sign == '+' && u <= math.MaxInt64:
			v = int64(u)
		case sign == '-' && u <= 1<<63:
			v = -int64(u) // -(1<<63) wraps to itself, which is right
		}
	}
	if v == nil {
		be := make([]byte, len(raw))
		for i, b := range raw {
			be[len(raw)-1-i] = b
		}
		x := new(big.Int).SetBytes(be)
		if sign == '-' {
			x.Neg(x)
		}
		v = x
	}
	return v, d.addObject(start, v, len(raw))
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (d *decoder) float(start int) (any, error) {
	b, err := d.bytes("float")
	if err != nil {
		return nil, err
	}
	f, err := parseFloat(b)
	if err != nil {
		return nil, d.malformed(start, "float %q: %v", truncate(b), err)
	}
	return f, d.addObject(start, f, len(b))
}

func (d *decoder) array() (any, error) {
	if err := d.enter(d.pos - 1); err != nil {
		return nil, err
	}
	defer d.leave()
	n, err := d.length("array", 1)
	if err != nil {
		return nil, err
	}
	slot := d.register()
	a := make([]any, 0, d.capFor(n, 1))
	for range n {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	d.complete(slot, a)
	return a, nil
}

func (d *decoder) hash(withDefault bool) (any, error) {
	if err := d.enter(d.pos - 1); err != nil {
		return nil, err
	}
	defer d.leave()
	n, err := d.length("hash", 2)
	if err != nil {
		return nil, err
	}
	slot := d.register()
	h := &Hash{Pairs: make([]Pair, 0, d.capFor(n, 2))}
	for range n {
		k, err := d.value()
		if err != nil {
			return nil, err
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		h.Pairs = append(h.Pairs, Pair{Key: k, Value: v})
	}
	if withDefault {
		if h.Default, err = d.value(); err != nil {
			return nil, err
		}
	}
	d.complete(slot, h)
	return h, nil
}

// ivarValue reads the object after an 'I' and its instance variables.
func (d *decoder) ivarValue(start int) (any, error) {
	t, err := d.byte()
	if err != nil {
		return nil, err
	}
	switch t {
	case tString:
		b, err := d.bytes("string")
		if err != nil {
			return nil, err
		}
		slot := d.register()
		if err := d.grow(start, 0, int64(len(b))); err != nil {
			return nil, err
		}
		var iv ivarSet
		if err := d.ivars(start, &iv); err != nil {
			return nil, err
		}
		v := stringValue(b, iv)
		d.complete(slot, v)
		return v, nil
	case tSymbol:
		s, err := d.symbolBody(start, true)
		return Symbol(s), err
	case tUserDef:
		return d.userDef(start, true)
	case tIvar, tLink, tSymlink, tNil, tTrue, tFalse, tFixnum:
		return nil, d.malformed(start, "instance variables on type %q", t)
	}
	v, err := d.typed(start, t)
	if err != nil {
		return nil, err
	}
	// Instance variables of an Array or Hash have no Go counterpart: read
	// and drop them.
	if err := d.ivars(start, nil); err != nil {
		return nil, err
	}
	return v, nil
}

// ivarSet collects the instance variables this package interprets.
type ivarSet struct {
	hasE, e     bool
	encoding    string
	hasEncoding bool
	// Time's
	hasOffset bool
	offset    int64
	zone      any
	hasZone   bool
	nanoNum   any
	nanoDen   any
	hasNano   bool
	submicro  []byte
}

// ivars reads an instance-variable count and that many name/value pairs
// into iv (nil: discard).
func (d *decoder) ivars(start int, iv *ivarSet) error {
	d.ivDepth++
	defer func() { d.ivDepth-- }()
	if d.ivDepth > maxIvarDepth {
		return d.malformed(start, "instance variables nested deeper than %d", maxIvarDepth)
	}
	n, err := d.length("instance variables", 2)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		name, err := d.symbol()
		if err != nil {
			return err
		}
		v, err := d.value()
		if err != nil {
			return err
		}
		if iv == nil {
			continue
		}
		switch name {
		case "E":
			if b, ok := v.(bool); ok {
				iv.hasE, iv.e = true, b
			}
		case "encoding":
			if s, ok := keyString(v); ok {
				iv.encoding, iv.hasEncoding = s, true
			}
		case "offset":
			if o, ok := v.(int64); ok {
				iv.hasOffset, iv.offset = true, o
			} else if v != nil {
				return d.unsupported(start, "Time offset of type %s", rubyTypeName(v))
			}
		case "zone":
			iv.zone, iv.hasZone = v, true
		case "nano_num":
			iv.nanoNum, iv.hasNano = v, true
		case "nano_den":
			iv.nanoDen = v
		case "submicro":
			if s, ok := v.(Binary); ok {
				iv.submicro = s
			}
		}
	}
	return nil
}

// stringValue applies a String's encoding instance variables.
func stringValue(b []byte, iv ivarSet) any {
	switch {
	case iv.hasE && iv.e:
		return string(b)
	case iv.hasE:
		return EncString{S: string(b), Encoding: "US-ASCII"}
	case iv.hasEncoding:
		switch iv.encoding {
		case "UTF-8":
			return string(b)
		case "ASCII-8BIT", "BINARY":
			return Binary(bytes.Clone(b))
		}
		return EncString{S: string(b), Encoding: iv.encoding}
	}
	return Binary(bytes.Clone(b))
}

// rubyTypeName names a decoded value's Ruby class for messages.
func rubyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int64, *big.Int:
		return "Integer"
	case float64:
		return "Float"
	case string, Binary, EncString:
		return "String"
	case Symbol:
		return "Symbol"
	case []any:
		return "Array"
	case *Hash:
		return "Hash"
	}
	return fmt.Sprintf("%T", v)
}

// parseFloat reads Ruby's Float text: "inf", "-inf", "nan" or a decimal
// number. Bytes after a NUL (Ruby 1.8's mantissa suffix) are ignored.
func parseFloat(b []byte) (float64, error) {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	switch string(b) {
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	if len(b) == 0 || !utf8.Valid(b) {
		return 0, fmt.Errorf("not a number")
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return 0, fmt.Errorf("not a number")
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, nil // ±Inf or 0, as Ruby's strtod gives
		}
		return 0, fmt.Errorf("not a number")
	}
	return f, nil
}
