package hvaconf

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// literal reads the literal at pos. ok is false (and pos unspecified)
// when the value is not a pure literal; err is set for malformed strings
// and numbers and for excessive nesting.
func (s *scanner) literal(depth int) (v any, ok bool, err error) {
	if depth > maxNesting {
		return nil, false, s.errf(s.line, "arrays and hashes nested more than %d deep", maxNesting)
	}
	switch c := s.at(0); {
	case c == '"' || c == '\'':
		start, line := s.pos, s.line
		v, interp, err := s.quoted(0)
		if text := s.src[start:s.pos]; interp {
			if s.secret {
				text = "(not shown)"
			}
			s.warnf(line, "string %s has Ruby interpolation (#{...}, #$x, #@x), which esxi-hva keeps as literal text", text)
		}
		return v, err == nil, err
	case isDigit(c) || (c == '-' || c == '+') && isDigit(s.at(1)):
		v, err := s.number()
		return v, err == nil, err
	case c == ':' && (s.at(1) == '"' || s.at(1) == '\''):
		s.pos++
		v, _, err := s.quoted(0)
		return Symbol(v), err == nil, err
	case c == ':' && isIdentStart(s.at(1)):
		s.pos++
		w := s.word()
		s.pos += len(w)
		return Symbol(w), true, nil
	case c == '[':
		return s.array(depth)
	case c == '{':
		return s.hash(depth)
	}
	w := s.word()
	s.pos += len(w)
	if w == "nil" {
		return nil, true, nil
	}
	return w == "true", w == "true" || w == "false", nil
}

// quoted reads the string whose opening quote is at pos: Ruby's escapes
// in "..." (and `...`), only \' and \\ in '...'. Interpolation, #{...},
// #$x or #@x, is kept as literal text and reported by interp.
func (s *scanner) quoted(depth int) (val string, interp bool, err error) {
	q, open, start := s.src[s.pos], s.line, s.pos
	var b strings.Builder
	for s.pos++; s.pos < len(s.src); {
		c := s.src[s.pos]
		s.pos++
		switch {
		case c == q:
			if !utf8.ValidString(s.src[start:s.pos]) {
				return "", false, s.errf(open, "invalid UTF-8 in a string: save hva.conf as UTF-8")
			}
			return b.String(), interp, nil
		case c == '\\' && s.pos < len(s.src):
			if err := s.escape(&b, q); err != nil {
				return "", false, err
			}
			continue
		case c == '#' && q != '\'' && s.at(0) == '{':
			from := s.pos - 1
			if err := s.interpolation(depth); err != nil {
				return "", false, err
			}
			interp = true
			b.WriteString(s.src[from:s.pos])
			continue
		case c == '#' && q != '\'' && (s.at(0) == '$' && (isIdentStart(s.at(1)) || strings.IndexByte("!@&`'+~=/\\,;.<>*$?:\"-0123456789", s.at(1)) >= 0) ||
			s.at(0) == '@' && (isIdentStart(s.at(1)) || s.at(1) == '@' && isIdentStart(s.at(2)))):
			interp = true // "#$x", "#$!", "#@x", "#@@x" interpolate in Ruby
		case c == '\n':
			s.line++
		}
		b.WriteByte(c)
	}
	return "", false, s.errf(open, "unterminated string: missing closing %c for the string opened at line %d", q, open)
}

// escape decodes the escape after a backslash (already consumed) in a
// string quoted by q.
func (s *scanner) escape(b *strings.Builder, q byte) error {
	e := s.src[s.pos]
	s.pos++
	switch i := strings.IndexByte("ntrseabfv", e); {
	case e == '\n':
		s.line++
		if q == '\'' {
			b.WriteString("\\\n")
		}
	case q == '\'':
		if e != '\'' && e != '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(e)
	case i >= 0:
		b.WriteByte("\n\t\r \x1b\a\b\f\v"[i])
	case e == 'x' || '0' <= e && e <= '7': // \xH[H], \O[O[O]]
		digits, base, n, limit := "0123456789abcdefABCDEF", 16, 0, 2
		if e != 'x' {
			digits, base, limit = "01234567", 8, 3
			s.pos--
		}
		for n < limit && strings.IndexByte(digits, s.at(n)) >= 0 {
			n++
		}
		if n == 0 {
			return s.errf(s.line, "invalid \\x escape: expected hex digits")
		}
		v, _ := strconv.ParseUint(s.src[s.pos:s.pos+n], base, 16)
		b.WriteByte(byte(v))
		s.pos += n
	case e == 'u': // \uXXXX or \u{X ...}
		codes := []string{s.src[s.pos:min(s.pos+4, len(s.src))]}
		if end := strings.IndexByte(s.src[s.pos:], '}'); s.at(0) == '{' && end > 0 {
			codes = strings.Fields(s.src[s.pos+1 : s.pos+end])
			s.pos += end + 1
		} else {
			s.pos += len(codes[0])
		}
		for _, h := range codes {
			v, err := strconv.ParseUint(h, 16, 32)
			if err != nil || v > utf8.MaxRune || len(h) > 6 {
				return s.errf(s.line, "invalid unicode escape %q", h)
			}
			b.WriteRune(rune(v))
		}
	case e == 'c' || e == 'C' || e == 'M':
		return s.errf(s.line, "unsupported escape \\%c (control and meta characters)", e)
	default:
		b.WriteByte(e) // \" \\ \# and Ruby's "unknown escape is the letter"
	}
	return nil
}

// interpolation skips #{...} from the '{' at pos, with its nested braces
// and strings.
func (s *scanner) interpolation(depth int) error {
	if depth >= maxInterpDepth {
		return s.errf(s.line, "strings nested more than %d deep inside #{...}", maxInterpDepth)
	}
	open := s.line
	for braces := 0; s.pos < len(s.src); s.pos++ {
		switch c := s.src[s.pos]; c {
		case '"', '\'', '`':
			if _, _, err := s.quoted(depth + 1); err != nil {
				return err
			}
			s.pos--
		case '{':
			braces++
		case '}':
			if braces--; braces == 0 {
				s.pos++
				return nil
			}
		case '\n':
			s.line++
		}
	}
	return s.errf(open, "unterminated #{...} in the string at line %d: missing '}'", open)
}

// number reads an integer (1_000, 0x1F, 0b101, 0o17, 017, -1) or a float
// (1.5, -2.5e-1) with Ruby's rules for '_'.
func (s *scanner) number() (any, error) {
	start := s.pos
	if c := s.at(0); c == '-' || c == '+' {
		s.pos++
	}
	hex := s.at(0) == '0' && (s.at(1) == 'x' || s.at(1) == 'X')
	digits := func() {
		for isIdentStart(s.at(0)) || isDigit(s.at(0)) {
			c := s.at(0)
			s.pos++
			if !hex && (c == 'e' || c == 'E') && (s.at(0) == '+' || s.at(0) == '-') {
				s.pos++
			}
		}
	}
	digits()
	if !hex && s.at(0) == '.' && isDigit(s.at(1)) {
		s.pos++
		digits()
	}
	raw := s.src[start:s.pos]
	bad := func(why string) error {
		if s.secret {
			return s.errf(s.line, "invalid number (not shown): %s", why)
		}
		return s.errf(s.line, "invalid number %s: %s", raw, why)
	}
	body := strings.TrimLeft(raw, "+-")
	if len(body) > 2 && body[0] == '0' && strings.IndexByte("xXbBoO", body[1]) >= 0 {
		body = body[2:]
	}
	for i := 0; i < len(body); i++ {
		if body[i] == '_' && (i == 0 || i+1 >= len(body) || !isDigitOrHex(body[i-1], hex) || !isDigitOrHex(body[i+1], hex)) {
			return nil, bad("'_' must sit between digits")
		}
	}
	clean := strings.ReplaceAll(strings.TrimPrefix(raw, "+"), "_", "")
	if strings.Contains(raw, ".") || !hex && strings.ContainsAny(raw, "eE") {
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil || strings.ContainsAny(clean, "xXbBoOpP") {
			return nil, bad("not a float esxi-hva can represent")
		}
		return f, nil
	}
	v, err := strconv.ParseInt(clean, 0, 64)
	if errors.Is(err, strconv.ErrRange) {
		return nil, bad("out of the range of a 64-bit integer")
	}
	if err != nil {
		return nil, bad("not an integer")
	}
	return v, nil
}

func isDigitOrHex(c byte, hex bool) bool {
	return isDigit(c) || hex && strings.IndexByte("abcdefABCDEF", c) >= 0
}

// array reads [v, ...] at pos; line breaks and comments may sit between
// elements, and a trailing comma is allowed.
func (s *scanner) array(depth int) (any, bool, error) {
	open := s.line
	s.pos++
	out := []any{}
	for {
		s.blank(true)
		switch s.at(0) {
		case ']':
			s.pos++
			return out, true, nil
		case ',':
			return nil, false, s.errf(s.line, "expected a value or ']' in the array opened at line %d, found ','", open)
		}
		v, ok, err := s.literal(depth + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		out = append(out, v)
		if ok, done := s.separator(']'); !ok || done {
			return out, ok, nil
		}
	}
}

// separator reads ',' or the closing bracket after an element.
func (s *scanner) separator(closer byte) (ok, done bool) {
	s.blank(true)
	switch s.at(0) {
	case ',':
		s.pos++
		return true, false
	case closer:
		s.pos++
		return true, true
	}
	return false, false
}

// hash reads { k => v, k: v, "k": v, ... } at pos; keys are strings,
// symbols or labels, all kept as strings.
func (s *scanner) hash(depth int) (any, bool, error) {
	open := s.line
	s.pos++
	out := map[string]any{}
	for {
		s.blank(true)
		switch s.at(0) {
		case '}':
			s.pos++
			return out, true, nil
		case ',':
			return nil, false, s.errf(s.line, "expected a key or '}' in the hash opened at line %d, found ','", open)
		}
		line, c := s.line, s.at(0)
		var key string
		switch {
		case c == '"' || c == '\'' || c == ':':
			k, ok, err := s.literal(depth + 1)
			if err != nil || !ok {
				return nil, false, err
			}
			if sym, isSym := k.(Symbol); isSym {
				key = string(sym)
			} else {
				key, _ = k.(string)
			}
			if c != ':' && s.at(0) == ':' && s.at(1) != ':' { // "k": v
				s.pos++
				break
			}
			if s.blank(false); !strings.HasPrefix(s.src[s.pos:], "=>") {
				return nil, false, nil
			}
			s.pos += 2
		case isIdentStart(c):
			key = s.word()
			s.pos += len(key)
			if s.at(0) != ':' || s.at(1) == ':' {
				return nil, false, nil
			}
			s.pos++
		default:
			return nil, false, nil
		}
		s.blank(true)
		v, ok, err := s.literal(depth + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		if _, dup := out[key]; dup {
			s.warnf(line, "hash key %q given twice; the last one wins", key)
		}
		out[key] = v
		if ok, done := s.separator('}'); !ok || done {
			return out, ok, nil
		}
	}
}
