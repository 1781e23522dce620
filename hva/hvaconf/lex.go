package hvaconf

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind is the lexical class of a token of the Ruby subset hva.conf uses.
type tokKind int

const (
	tEOF     tokKind = iota
	tNL              // end of a line outside brackets is decided by the parser
	tIdent           // lower-case or _ identifier, keywords included
	tConst           // capitalised identifier (Ruby constant)
	tNumber          // integer or float, text kept raw
	tString          // '...' or "..." (val holds the decoded string)
	tXString         // `...` command string: never a value
	tSymbol          // :name or :"name" (val holds the name)
	tWords           // %w[...] or %i[...] (text starts with %w or %i; val holds the body)
	tPunct           // operators and brackets
)

// token is one lexeme with its position.
type token struct {
	kind   tokKind
	text   string // identifier, punctuation or raw number
	val    string // decoded string or symbol name
	line   int    // line where the token starts
	start  int    // byte offset of the first byte
	end    int    // byte offset after the last byte
	space  bool   // preceded by white space (or starts a line)
	interp bool   // double-quoted string containing #{...}
}

// describe names a token for "found X" in error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNL:
		return "end of line"
	case tString, tXString:
		return "string"
	case tSymbol:
		return "symbol :" + t.val
	default:
		return "'" + t.text + "'"
	}
}

// maxInterpDepth bounds nested strings inside #{...} so that hostile input
// cannot recurse without limit.
const maxInterpDepth = 8

// lexer turns hva.conf source into tokens.
type lexer struct {
	name string
	src  string
	pos  int
	line int
	toks []token
	// heredocs opened on the current line, whose bodies start on the next.
	heredocs []heredoc
}

// heredoc is a <<ID, <<-ID or <<~ID string waiting for its body.
type heredoc struct {
	tok      int    // index of its token in toks
	id       string // terminator
	indented bool   // <<- or <<~: the terminator may be indented
	squiggly bool   // <<~: common indentation is removed
	raw      bool   // <<'ID': no escapes
	line     int
}

// lex tokenizes the whole source. Comments, =begin/=end blocks, escaped
// newlines and everything after a line reading __END__ are dropped.
func lex(name, src string) ([]token, error) {
	lx := &lexer{name: name, src: src, line: 1, toks: make([]token, 0, len(src)/6+8)}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

func (lx *lexer) errf(line int, format string, args ...any) error {
	return &SyntaxError{File: lx.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// atLineStart reports whether pos is at column 0.
func (lx *lexer) atLineStart() bool { return lx.pos == 0 || lx.src[lx.pos-1] == '\n' }

// lineIs reports whether the line starting at pos begins with word followed
// by white space or the end of the line.
func (lx *lexer) lineIs(word string) bool {
	if !strings.HasPrefix(lx.src[lx.pos:], word) {
		return false
	}
	rest := lx.src[lx.pos+len(word):]
	return rest == "" || rest[0] == '\n' || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r'
}

func (lx *lexer) skipLine() {
	if i := strings.IndexByte(lx.src[lx.pos:], '\n'); i >= 0 {
		lx.pos += i
	} else {
		lx.pos = len(lx.src)
	}
}

func (lx *lexer) emit(t token) { lx.toks = append(lx.toks, t) }

func (lx *lexer) run() error {
	space := true
	for lx.pos < len(lx.src) {
		if lx.atLineStart() {
			if lx.lineIs("__END__") {
				break
			}
			if lx.lineIs("=begin") {
				open := lx.line
				for {
					lx.skipLine()
					if lx.pos >= len(lx.src) {
						return lx.errf(open, "missing =end for =begin at line %d", open)
					}
					lx.pos++ // the newline
					lx.line++
					if lx.lineIs("=end") {
						lx.skipLine()
						break
					}
				}
				continue
			}
		}
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			// Runs of blank lines make one tNL, keeping the parser linear.
			if n := len(lx.toks); n == 0 || lx.toks[n-1].kind != tNL {
				lx.emit(token{kind: tNL, text: "\n", line: lx.line, start: lx.pos, end: lx.pos + 1, space: space})
			}
			lx.pos++
			lx.line++
			space = true
			if len(lx.heredocs) > 0 {
				if err := lx.heredocBodies(); err != nil {
					return err
				}
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
			space = true
			continue
		case c == '#':
			lx.skipLine()
			continue
		case c == '\\':
			if lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '\n' {
				lx.pos += 2
				lx.line++
				space = true
				continue
			}
			if lx.pos+2 < len(lx.src) && lx.src[lx.pos+1] == '\r' && lx.src[lx.pos+2] == '\n' {
				lx.pos += 3
				lx.line++
				space = true
				continue
			}
			return lx.errf(lx.line, "unexpected '\\' (only allowed right before a line break)")
		}
		if err := lx.token(space); err != nil {
			return err
		}
		space = false
	}
	if len(lx.heredocs) > 0 {
		h := lx.heredocs[0]
		return lx.errf(h.line, "unterminated heredoc <<%s opened at line %d: missing %s line", h.id, h.line, h.id)
	}
	lx.emit(token{kind: tEOF, line: lx.line, start: len(lx.src), end: len(lx.src), space: true})
	return nil
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= utf8.RuneSelf
}

func isIdentByte(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// prevAllowsLabel reports whether the last token can be a hash label key
// directly followed by ':' (k: v, "k": v).
func (lx *lexer) prevAllowsLabel(space bool) bool {
	if space || len(lx.toks) == 0 {
		return false
	}
	k := lx.toks[len(lx.toks)-1].kind
	return k == tIdent || k == tConst || k == tString
}

// token lexes one token starting at lx.pos.
func (lx *lexer) token(space bool) error {
	start, line := lx.pos, lx.line
	c := lx.src[lx.pos]
	switch {
	case isIdentStart(c):
		lx.pos++
		for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
			lx.pos++
		}
		// A trailing ? or ! belongs to a method name unless it starts != or ?:.
		if lx.pos < len(lx.src) && (lx.src[lx.pos] == '?' || lx.src[lx.pos] == '!') &&
			(lx.pos+1 >= len(lx.src) || lx.src[lx.pos+1] != '=') {
			lx.pos++
		}
		kind := tIdent
		if 'A' <= c && c <= 'Z' {
			kind = tConst
		}
		lx.emit(token{kind: kind, text: lx.src[start:lx.pos], line: line, start: start, end: lx.pos, space: space})
		return nil
	case isDigit(c):
		lx.lexNumber()
		lx.emit(token{kind: tNumber, text: lx.src[start:lx.pos], line: line, start: start, end: lx.pos, space: space})
		return nil
	case c == '"' || c == '\'' || c == '`':
		val, interp, err := lx.lexString(c, 0)
		if err != nil {
			return err
		}
		kind := tString
		if c == '`' {
			kind = tXString
		}
		lx.emit(token{kind: kind, text: lx.src[start:lx.pos], val: val, line: line, start: start, end: lx.pos, space: space, interp: interp})
		return nil
	case c == ':':
		if lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == ':' {
			lx.pos += 2
			lx.emit(token{kind: tPunct, text: "::", line: line, start: start, end: lx.pos, space: space})
			return nil
		}
		if !lx.prevAllowsLabel(space) && lx.pos+1 < len(lx.src) {
			n := lx.src[lx.pos+1]
			if isIdentStart(n) {
				lx.pos++
				for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
					lx.pos++
				}
				if lx.pos < len(lx.src) && (lx.src[lx.pos] == '?' || lx.src[lx.pos] == '!' || lx.src[lx.pos] == '=') &&
					(lx.pos+1 >= len(lx.src) || (lx.src[lx.pos+1] != '=' && lx.src[lx.pos+1] != '>')) {
					lx.pos++
				}
				lx.emit(token{kind: tSymbol, text: lx.src[start:lx.pos], val: lx.src[start+1 : lx.pos], line: line, start: start, end: lx.pos, space: space})
				return nil
			}
			if n == '"' || n == '\'' {
				lx.pos++
				val, interp, err := lx.lexString(n, 0)
				if err != nil {
					return err
				}
				lx.emit(token{kind: tSymbol, text: lx.src[start:lx.pos], val: val, line: line, start: start, end: lx.pos, space: space, interp: interp})
				return nil
			}
		}
		lx.pos++
		lx.emit(token{kind: tPunct, text: ":", line: line, start: start, end: lx.pos, space: space})
		return nil
	}
	if operand, ambiguous := lx.operandExpected(space); operand {
		switch {
		case c == '%' && (!ambiguous || lx.closesOnLine(1)):
			if ok, err := lx.percent(space); ok || err != nil {
				return err
			}
		case c == '/' && (!ambiguous || lx.closesOnLine(0)):
			return lx.regexp(space)
		case c == '<' && strings.HasPrefix(lx.src[lx.pos:], "<<"):
			if ok, err := lx.heredocStart(space); ok || err != nil {
				return err
			}
		case c == '?' && !ambiguous && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] > ' ' && lx.src[lx.pos+1] != '\\' &&
			lx.src[lx.pos+1] < utf8.RuneSelf && (lx.pos+2 >= len(lx.src) || !isIdentByte(lx.src[lx.pos+2])):
			lx.pos += 2 // ?a is the one-character string "a"
			lx.emit(token{kind: tString, text: lx.src[start:lx.pos], val: lx.src[start+1 : lx.pos], line: line, start: start, end: lx.pos, space: space})
			return nil
		}
	}
	if c < 0x20 || c == 0x7f {
		return lx.errf(line, "unexpected control character %q", c)
	}
	if strings.IndexByte("=!<>&|*.+-/%^~?;,()[]{}@$", c) < 0 {
		return lx.errf(line, "unexpected character %q", c)
	}
	n := 1
	if lx.pos+1 < len(lx.src) {
		two := lx.src[lx.pos : lx.pos+2]
		switch two {
		case "=>", "==", "=~", "!=", "&&", "||", "..", "**", "<=", ">=", "<<", ">>", "->":
			n = 2
		}
	}
	lx.pos += n
	lx.emit(token{kind: tPunct, text: lx.src[start:lx.pos], line: line, start: start, end: lx.pos, space: space})
	return nil
}

// lexNumber consumes a Ruby numeric literal: digits with letters (for 0x,
// 0b, 0o and to catch mistakes) and underscores, an optional fraction
// (a dot followed by a digit) and exponent. Validation is the parser's.
func (lx *lexer) lexNumber() {
	hex := strings.HasPrefix(lx.src[lx.pos:], "0x") || strings.HasPrefix(lx.src[lx.pos:], "0X")
	for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
		c := lx.src[lx.pos]
		lx.pos++
		if !hex && (c == 'e' || c == 'E') && lx.pos < len(lx.src) && (lx.src[lx.pos] == '+' || lx.src[lx.pos] == '-') {
			lx.pos++
		}
	}
	if hex {
		return
	}
	if lx.pos+1 < len(lx.src) && lx.src[lx.pos] == '.' && isDigit(lx.src[lx.pos+1]) {
		lx.pos++
		for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
			c := lx.src[lx.pos]
			lx.pos++
			if (c == 'e' || c == 'E') && lx.pos < len(lx.src) && (lx.src[lx.pos] == '+' || lx.src[lx.pos] == '-') {
				lx.pos++
			}
		}
	}
}

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
	case '0':
		b.WriteByte(0)
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
		t.val = body
		t.interp = !h.raw && strings.Contains(body, "#{")
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
