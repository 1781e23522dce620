package rubymarshal

import (
	"time"
)

// Ruby's Time#_dump: two little-endian 32-bit words
//
//	p = 1<<31 | utc<<30 | (year-1900)<<14 | (mon-1)<<10 | mday<<5 | hour
//	s = min<<26 | sec<<20 | usec
//
// in UTC, optionally followed by a year extension (a packed length and
// that many little-endian bytes: the distance below 1900 or above
// 1900+0xffff), plus instance variables offset, zone, nano_num, nano_den
// and submicro on the dumped string.
const (
	timeDumpLen = 8
	yearSpan    = 0xffff
)

// userDef reads a 'u' value (class symbol, byte string, and with ivar its
// instance variables). Only Time is supported.
func (d *decoder) userDef(start int, ivar bool) (any, error) {
	class, err := d.symbol()
	if err != nil {
		return nil, err
	}
	if class != "Time" {
		return nil, d.unsupported(start, "user-defined _dump %q", class)
	}
	b, err := d.bytes("Time data")
	if err != nil {
		return nil, err
	}
	var iv ivarSet
	if ivar {
		if err := d.ivars(start, &iv); err != nil {
			return nil, err
		}
	}
	t, err := d.loadTime(start, b, &iv)
	if err != nil {
		return nil, err
	}
	// Ruby registers a _dump object after its instance variables.
	return t, d.addObject(start, t, len(b))
}

func (d *decoder) loadTime(start int, b []byte, iv *ivarSet) (time.Time, error) {
	if len(b) < timeDumpLen {
		return time.Time{}, d.malformed(start, "Time data of %d bytes, want at least %d", len(b), timeDumpLen)
	}
	p := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	s := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24
	if p&(1<<31) == 0 {
		// Ruby 1.8's format: seconds and microseconds since the epoch.
		if len(b) != timeDumpLen || s >= 1000000 {
			return time.Time{}, d.malformed(start, "old-format Time data invalid")
		}
		return time.Unix(int64(p), int64(s)*1000).In(time.Local), nil
	}
	utc := p&(1<<30) != 0
	year := int64(p>>14&yearSpan) + 1900
	mon := int(p >> 10 & 0xf)
	mday := int(p >> 5 & 0x1f)
	hour := int(p & 0x1f)
	min := int(s >> 26 & 0x3f)
	sec := int(s >> 20 & 0x3f)
	usec := int(s & 0xfffff)
	if mon > 11 || mday < 1 || hour > 23 || min > 59 || sec > 60 || usec > 999999 {
		return time.Time{}, d.malformed(start, "Time fields out of range (mon %d mday %d %02d:%02d:%02d usec %d)", mon+1, mday, hour, min, sec, usec)
	}
	if len(b) > timeDumpLen {
		ext, err := yearExtension(b[timeDumpLen:])
		if err != nil {
			return time.Time{}, d.malformed(start, "Time year extension: %v", err)
		}
		if year == 1900 {
			year -= ext
		} else {
			year += ext
		}
	}
	nsec := int64(usec) * 1000
	switch {
	case iv.hasNano:
		num, ok1 := asInt64(iv.nanoNum)
		den, ok2 := asInt64(iv.nanoDen)
		if !ok1 || !ok2 || den <= 0 || num < 0 || num/den >= 1000 {
			return time.Time{}, d.malformed(start, "Time nano_num/nano_den invalid")
		}
		nsec += num / den
	case len(iv.submicro) > 0:
		// Two BCD bytes: the nanosecond digits after the microseconds.
		c := iv.submicro[0]
		hi, lo := int64(c>>4), int64(c&0xf)
		var third int64
		if len(iv.submicro) > 1 {
			third = int64(iv.submicro[1] >> 4)
		}
		if hi < 10 && lo < 10 && third < 10 {
			nsec += hi*100 + lo*10 + third
		}
	}
	t := time.Date(int(year), time.Month(mon+1), mday, hour, min, sec, int(nsec), time.UTC)
	switch {
	case utc:
		return t, nil
	case iv.hasOffset:
		if iv.offset <= -86400 || iv.offset >= 86400 {
			return time.Time{}, d.malformed(start, "Time offset %d out of range", iv.offset)
		}
		zone, _ := keyString(iv.zone)
		return t.In(time.FixedZone(zone, int(iv.offset))), nil
	}
	return t.In(time.Local), nil
}

// yearExtension reads the packed length and little-endian magnitude that
// follow the 8 bytes of a Time whose year is outside 1900..1900+0xffff.
func yearExtension(b []byte) (int64, error) {
	ed := decoder{data: b}
	n, err := ed.length("year extension", 1)
	if err != nil {
		return 0, err
	}
	if n > 4 {
		return 0, errTooLarge
	}
	var x int64
	for i := 0; i < n; i++ {
		x |= int64(b[ed.pos+i]) << (8 * i)
	}
	if ed.pos+n != len(b) {
		return 0, errTrailing
	}
	if x > 1<<24 {
		return 0, errTooLarge
	}
	return x, nil
}

type timeError string

func (e timeError) Error() string { return string(e) }

const (
	errTooLarge = timeError("too large")
	errTrailing = timeError("trailing bytes")
)

// encodeTime writes t as Ruby does: 'I' 'u' :Time, the 8 bytes (plus a
// year extension), then nano_num, nano_den, submicro, offset and zone.
func (e *encoder) encodeTime(t time.Time) {
	utc := t.Location() == time.UTC
	name, offset := t.Zone()
	u := t.UTC()
	year := int64(u.Year())
	var ext int64
	field := year - 1900
	switch {
	case year < 1900:
		ext, field = 1900-year, 0
	case year > 1900+yearSpan:
		ext, field = year-(1900+yearSpan), yearSpan
	}
	nsec := u.Nanosecond()
	usec := nsec / 1000
	p := uint32(1)<<31 | uint32(field)<<14 | uint32(u.Month()-1)<<10 | uint32(u.Day())<<5 | uint32(u.Hour())
	if utc {
		p |= 1 << 30
	}
	s := uint32(u.Minute())<<26 | uint32(u.Second())<<20 | uint32(usec)
	var buf [timeDumpLen + 10]byte
	b := buf[:0]
	b = append(b, byte(p), byte(p>>8), byte(p>>16), byte(p>>24), byte(s), byte(s>>8), byte(s>>16), byte(s>>24))
	if ext != 0 {
		var mag []byte
		for x := ext; x > 0; x >>= 8 {
			mag = append(mag, byte(x))
		}
		b = appendLong(b, int64(len(mag)))
		b = append(b, mag...)
	}
	e.buf = append(e.buf, tIvar, tUserDef)
	e.symbol("Time")
	e.buf = appendLong(e.buf, int64(len(b)))
	e.buf = append(e.buf, b...)

	nano := nsec % 1000
	n := 0
	if nano != 0 {
		n += 3
	}
	if !utc {
		n++
	}
	n++ // zone
	e.buf = appendLong(e.buf, int64(n))
	if nano != 0 {
		e.symbol("nano_num")
		e.fixnum(int64(nano))
		e.symbol("nano_den")
		e.fixnum(1)
		e.symbol("submicro")
		d1, d2, d3 := nano/100, nano/10%10, nano%10
		e.buf = append(e.buf, tString, 7, byte(d1<<4|d2), byte(d3<<4))
	}
	if !utc {
		e.symbol("offset")
		e.fixnum(int64(offset))
	}
	e.symbol("zone")
	switch {
	case utc:
		e.string("UTC", "US-ASCII")
	case name == "":
		e.buf = append(e.buf, tNil)
	default:
		enc := "US-ASCII"
		for i := 0; i < len(name); i++ {
			if name[i] >= 0x80 {
				enc = "UTF-8"
				break
			}
		}
		e.string(name, enc)
	}
}
