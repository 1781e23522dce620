package hvaconf

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// lexString consumes a quoted string whose opening quote is at lx.pos and
// returns its decoded value. Double-quoted (and backtick) strings decode
// Ruby's escapes; #{...} is kept literally, with interp set. Single-quoted
// strings only know \' and \\.
func (lx *lexer) lexString(quote byte, depth int) (string, bool, error) {
	open := lx.line
	lx.pos++ // opening quote
	var b strings.Builder
	interp := false
	for {
		if lx.pos >= len(lx.src) {
			return "", false, lx.errf(open, "unterminated string: missing closing %c for the string opened at line %d", quote, open)
		}
		c := lx.src[lx.pos]
		switch {
		case c == quote:
			lx.pos++
			return b.String(), interp, nil
		case c == '\n':
			lx.line++
			b.WriteByte(c)
			lx.pos++
		case c == '\\':
			if lx.pos+1 >= len(lx.src) {
				lx.pos++
				continue // reported as unterminated on the next turn
			}
			e := lx.src[lx.pos+1]
			lx.pos += 2
			if quote == '\'' {
				if e != '\'' && e != '\\' {
					b.WriteByte('\\')
				}
				if e == '\n' {
					lx.line++
				}
				b.WriteByte(e)
				continue
			}
			if err := lx.escape(&b, e); err != nil {
				return "", false, err
			}
		case c == '#' && quote != '\'' && lx.sigilInterpolation():
			interp = true // "#$global", "#$!", "#@ivar", "#@@cvar" interpolate in Ruby; kept literally
			b.WriteByte(c)
			lx.pos++
		case c == '#' && quote != '\'' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '{':
			interp = true
			s, err := lx.interpolation(depth)
			if err != nil {
				return "", false, err
			}
			b.WriteString(s)
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
}

// escape decodes the escape whose letter e follows a backslash (already
// consumed) in a double-quoted string.
func (lx *lexer) escape(b *strings.Builder, e byte) error {
	switch e {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v := int(e - '0') // octal: up to three digits, as in Ruby
		for n := 1; n < 3 && lx.pos < len(lx.src) && '0' <= lx.src[lx.pos] && lx.src[lx.pos] <= '7'; n++ {
			v = v*8 + int(lx.src[lx.pos]-'0')
			lx.pos++
		}
		b.WriteByte(byte(v))
	case 'c', 'C', 'M':
		return lx.controlEscape(b, e)
	case 's':
		b.WriteByte(' ')
	case 'e':
		b.WriteByte(0x1b)
	case 'a':
		b.WriteByte(7)
	case 'b':
		b.WriteByte(8)
	case 'f':
		b.WriteByte('\f')
	case 'v':
		b.WriteByte('\v')
	case '\n':
		lx.line++ // escaped line break: nothing
	case 'x':
		n := 0
		for n < 2 && lx.pos+n < len(lx.src) && isHex(lx.src[lx.pos+n]) {
			n++
		}
		if n == 0 {
			return lx.errf(lx.line, "invalid \\x escape: expected hex digits")
		}
		v, _ := strconv.ParseUint(lx.src[lx.pos:lx.pos+n], 16, 8)
		b.WriteByte(byte(v))
		lx.pos += n
	case 'u':
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '{' {
			end := strings.IndexByte(lx.src[lx.pos:], '}')
			if end < 0 {
				return lx.errf(lx.line, "invalid \\u{...} escape: missing '}'")
			}
			for _, h := range strings.Fields(lx.src[lx.pos+1 : lx.pos+end]) {
				if err := lx.writeCode(b, h); err != nil {
					return err
				}
			}
			lx.pos += end + 1
			return nil
		}
		if lx.pos+4 > len(lx.src) {
			return lx.errf(lx.line, "invalid \\u escape: expected 4 hex digits")
		}
		if err := lx.writeCode(b, lx.src[lx.pos:lx.pos+4]); err != nil {
			return err
		}
		lx.pos += 4
	default:
		b.WriteByte(e) // \" \\ \# and Ruby's "unknown escape is the letter"
	}
	return nil
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func (lx *lexer) writeCode(b *strings.Builder, h string) error {
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil || v > utf8.MaxRune || len(h) > 6 {
		return lx.errf(lx.line, "invalid unicode escape %q", h)
	}
	b.WriteRune(rune(v))
	return nil
}

// interpolation copies #{...} literally, skipping nested braces and
// strings, and returns the copied text.
func (lx *lexer) interpolation(depth int) (string, error) {
	if depth >= maxInterpDepth {
		return "", lx.errf(lx.line, "strings nested more than %d deep inside #{...}", maxInterpDepth)
	}
	open := lx.line
	start := lx.pos
	lx.pos += 2
	braces := 1
	for braces > 0 {
		if lx.pos >= len(lx.src) {
			return "", lx.errf(open, "unterminated #{...} in the string at line %d: missing '}'", open)
		}
		switch c := lx.src[lx.pos]; c {
		case '{':
			braces++
			lx.pos++
		case '}':
			braces--
			lx.pos++
		case '\n':
			lx.line++
			lx.pos++
		case '"', '\'', '`':
			if _, _, err := lx.lexString(c, depth+1); err != nil {
				return "", err
			}
		default:
			lx.pos++
		}
	}
	return lx.src[start:lx.pos], nil
}

// controlEscape decodes \cx, \C-x and \M-x (with e the letter after the
// backslash, already consumed): x & 0x1f for control, x | 0x80 for meta,
// as Ruby does for single-byte characters.
func (lx *lexer) controlEscape(b *strings.Builder, e byte) error {
	if e != 'c' {
		if lx.pos >= len(lx.src) || lx.src[lx.pos] != '-' {
			return lx.errf(lx.line, "invalid \\%c escape: expected '-'", e)
		}
		lx.pos++
	}
	if lx.pos >= len(lx.src) || lx.src[lx.pos] >= utf8.RuneSelf || lx.src[lx.pos] == '\\' {
		return lx.errf(lx.line, "invalid \\%c escape: expected an ASCII character", e)
	}
	c := lx.src[lx.pos]
	lx.pos++
	switch {
	case e == 'M':
		b.WriteByte(c | 0x80)
	case c == '?':
		b.WriteByte(0x7f)
	default:
		b.WriteByte(c & 0x1f)
	}
	return nil
}

// sigilInterpolation reports whether the '#' at lx.pos starts Ruby's
// short interpolation of a variable: #$name, #$ followed by a special
// global's character ($!, $\, $1 ...), #@name or #@@name.
func (lx *lexer) sigilInterpolation() bool {
	if lx.pos+2 >= len(lx.src) {
		return false
	}
	next, after := lx.src[lx.pos+1], lx.src[lx.pos+2]
	switch next {
	case '$':
		return isIdentStart(after) || isDigit(after) || strings.IndexByte("!@&`'+~=/\\,;.<>*$?:\"-", after) >= 0
	case '@':
		return isIdentStart(after) || (after == '@' && lx.pos+3 < len(lx.src) && isIdentStart(lx.src[lx.pos+3]))
	}
	return false
}
