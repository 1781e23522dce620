package rubymarshal

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

func truncate(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
