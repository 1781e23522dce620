package rubymarshal

import "bytes"

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
				return d.unsupported(start, "Time offset of type %s", ClassName(v))
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
