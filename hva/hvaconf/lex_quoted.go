package hvaconf

import "strings"

// operandExpected reports whether the next token starts an operand rather
// than continuing an expression, which decides what %, /, << and ? mean:
// after a value they are operators, elsewhere they start literals. After
// an identifier, a space and then a non-space (`foo /x/`), Ruby decides by
// whether foo is a method or a variable, which only running it can tell:
// that case is ambiguous, and the caller then prefers the operator unless
// the literal closes on the same line.
func (lx *lexer) operandExpected(space bool) (operand, ambiguous bool) {
	n := len(lx.toks)
	if n == 0 {
		return true, false
	}
	prev := lx.toks[n-1]
	if !endsValue(prev) {
		return true, false
	}
	next := byte(' ')
	if lx.pos+1 < len(lx.src) {
		next = lx.src[lx.pos+1]
	}
	if prev.kind == tIdent && space && next != ' ' && next != '=' && next != '\t' && next != '\n' && next != '\r' {
		return true, true
	}
	return false, false
}

// closesOnLine reports whether the delimiter at lx.pos+skip (or after a
// %-literal's type letter) is closed before the end of the line.
func (lx *lexer) closesOnLine(skip int) bool {
	i := lx.pos + skip
	if skip == 1 && i < len(lx.src) && isLetter(lx.src[i]) {
		i++
	}
	if i >= len(lx.src) {
		return false
	}
	closer, _ := closingDelim(lx.src[i])
	for i++; i < len(lx.src) && lx.src[i] != '\n'; i++ {
		if lx.src[i] == '\\' {
			i++
			continue
		}
		if lx.src[i] == closer {
			return true
		}
	}
	return false
}

// closingDelim returns the delimiter closing open, and whether it nests.
func closingDelim(open byte) (byte, bool) {
	switch open {
	case '(':
		return ')', true
	case '[':
		return ']', true
	case '{':
		return '}', true
	case '<':
		return '>', true
	}
	return open, false
}

// delimited reads a body opened by the delimiter at lx.pos up to its
// closing delimiter (nesting brackets, honouring backslashes) and returns
// the body with backslash-delimiter pairs unescaped.
func (lx *lexer) delimited(what string) (string, error) {
	open := lx.src[lx.pos]
	closer, nests := closingDelim(open)
	line := lx.line
	lx.pos++
	depth := 1
	var b strings.Builder
	for {
		if lx.pos >= len(lx.src) {
			return "", lx.errf(line, "unterminated %s opened at line %d: missing %q", what, line, closer)
		}
		c := lx.src[lx.pos]
		switch {
		case c == '\\' && lx.pos+1 < len(lx.src):
			e := lx.src[lx.pos+1]
			if e != open && e != closer {
				b.WriteByte(c)
			}
			if e == '\n' {
				lx.line++
			}
			b.WriteByte(e)
			lx.pos += 2
			continue
		case c == closer:
			depth--
			if depth == 0 {
				lx.pos++
				return b.String(), nil
			}
		case nests && c == open:
			depth++
		case c == '\n':
			lx.line++
		}
		b.WriteByte(c)
		lx.pos++
	}
}

// percent lexes %w[..], %i[..], %q(..), %Q(..), %(..), %r{..}, %s(..) and
// %x(..). ok is false when % is not followed by a literal.
func (lx *lexer) percent(space bool) (bool, error) {
	start, line := lx.pos, lx.line
	i := lx.pos + 1
	kind := byte('Q')
	if i < len(lx.src) && strings.IndexByte("wWiIqQrsx", lx.src[i]) >= 0 {
		kind = lx.src[i]
		i++
	}
	if i >= len(lx.src) {
		return false, nil
	}
	d := lx.src[i]
	if isIdentByte(d) || d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == '=' {
		return false, nil
	}
	lx.pos = i
	body, err := lx.delimited("%" + string(kind) + " literal")
	if err != nil {
		return true, err
	}
	t := token{text: lx.src[start:lx.pos], val: body, line: line, start: start, end: lx.pos, space: space}
	switch kind {
	case 'w', 'W', 'i', 'I':
		t.kind = tWords
	case 'q', 'Q':
		t.kind = tString
		t.interp = kind == 'Q' && strings.Contains(body, "#{")
	default:
		t.kind = tXString
	}
	lx.emit(t)
	return true, nil
}

// regexp lexes /.../flags as a non-literal token.
func (lx *lexer) regexp(space bool) error {
	start, line := lx.pos, lx.line
	if _, err := lx.delimited("regexp"); err != nil {
		return err
	}
	for lx.pos < len(lx.src) && isLetter(lx.src[lx.pos]) {
		lx.pos++
	}
	lx.emit(token{kind: tXString, text: lx.src[start:lx.pos], line: line, start: start, end: lx.pos, space: space})
	return nil
}

// heredocStart lexes <<ID, <<-ID, <<~ID (ID bare or quoted); the body is
// read at the end of the line. ok is false for a << operator.
func (lx *lexer) heredocStart(space bool) (bool, error) {
	start, line := lx.pos, lx.line
	i := lx.pos + 2
	h := heredoc{line: line}
	if i < len(lx.src) && (lx.src[i] == '~' || lx.src[i] == '-') {
		h.indented = true
		h.squiggly = lx.src[i] == '~'
		i++
	}
	if i >= len(lx.src) {
		return false, nil
	}
	switch q := lx.src[i]; {
	case q == '\'' || q == '"' || q == '`':
		end := strings.IndexByte(lx.src[i+1:], q)
		if end <= 0 || strings.ContainsRune(lx.src[i+1:i+1+end], '\n') {
			return false, nil
		}
		h.id = lx.src[i+1 : i+1+end]
		h.raw = q == '\''
		i += end + 2
	case isIdentStart(q) && (h.indented || 'A' <= q && q <= 'Z' || q == '_'):
		j := i
		for j < len(lx.src) && isIdentByte(lx.src[j]) {
			j++
		}
		h.id = lx.src[i:j]
		i = j
	default:
		return false, nil
	}
	lx.pos = i
	h.tok = len(lx.toks)
	lx.emit(token{kind: tString, text: lx.src[start:lx.pos], line: line, start: start, end: lx.pos, space: space})
	lx.heredocs = append(lx.heredocs, h)
	return true, nil
}

// heredocBodies reads the bodies of the heredocs opened on the line just
// ended, in order, and stores them in their tokens.
func (lx *lexer) heredocBodies() error {
	pending := lx.heredocs
	lx.heredocs = nil
	for _, h := range pending {
		var lines []string
		for {
			if lx.pos >= len(lx.src) {
				return lx.errf(h.line, "unterminated heredoc <<%s opened at line %d: missing %s line", h.id, h.line, h.id)
			}
			end := strings.IndexByte(lx.src[lx.pos:], '\n')
			var l string
			if end < 0 {
				l = lx.src[lx.pos:]
				lx.pos = len(lx.src)
			} else {
				l = lx.src[lx.pos : lx.pos+end]
				lx.pos += end + 1
				lx.line++
			}
			term := strings.TrimRight(l, "\r")
			if h.indented {
				term = strings.TrimLeft(term, " \t")
			}
			if term == h.id {
				break
			}
			lines = append(lines, l)
		}
		if h.squiggly {
			lines = dedent(lines)
		}
		body := ""
		if len(lines) > 0 {
			body = strings.Join(lines, "\n") + "\n"
		}
		t := &lx.toks[h.tok]
		if !h.raw {
			decoded, err := lx.decodeEscapes(body, h.line)
			if err != nil {
				return err
			}
			t.interp = strings.Contains(body, "#{")
			body = decoded
		}
		t.val = body
	}
	return nil
}

// dedent removes the indentation common to the non-blank lines (<<~).
func dedent(lines []string) []string {
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if common < 0 || n < common {
			common = n
		}
	}
	if common <= 0 {
		return lines
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= common {
			out[i] = l[common:]
		} else {
			out[i] = strings.TrimLeft(l, " \t")
		}
	}
	return out
}

// decodeEscapes applies double-quote escapes to a heredoc body.
func (lx *lexer) decodeEscapes(body string, line int) (string, error) {
	if !strings.Contains(body, "\\") {
		return body, nil
	}
	sub := &lexer{name: lx.name, src: body, line: line}
	var b strings.Builder
	for sub.pos < len(sub.src) {
		c := sub.src[sub.pos]
		if c != '\\' || sub.pos+1 >= len(sub.src) {
			b.WriteByte(c)
			sub.pos++
			continue
		}
		e := sub.src[sub.pos+1]
		sub.pos += 2
		if err := sub.escape(&b, e); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}
