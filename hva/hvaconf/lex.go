package hvaconf

import (
	"fmt"
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

// kindName names a token's class without quoting its text (which may be
// a password, or not printable).
func (t token) kindName() string {
	switch t.kind {
	case tString, tXString, tWords:
		return "a string"
	case tSymbol:
		return "a symbol"
	case tIdent, tConst:
		return "a name"
	}
	return "the source"
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
	// Ruby reads source as UTF-8 and refuses invalid bytes outside
	// comments; so does esxi-hva, rather than guess an encoding.
	for _, t := range lx.toks {
		text := src[t.start:t.end]
		if t.kind == tString && strings.HasPrefix(text, "<<") {
			text = t.val // heredoc: the body is not in the token's span
		}
		if !utf8.ValidString(text) {
			return nil, lx.errf(t.line, "invalid UTF-8 in %s: save hva.conf as UTF-8", t.kindName())
		}
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
