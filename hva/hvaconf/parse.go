package hvaconf

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// File is a parsed hva.conf: every `config.key = value` assignment (and
// every `key value` DSL call of a known key), in the order read, and the
// warnings the file deserves.
type File struct {
	// Path is the name given to Parse (the path, for ParseFile).
	Path string
	// Values maps each assigned key to its value: string, int64, float64,
	// bool, Symbol, nil, []any, map[string]any (hashes; symbol and string
	// keys both become plain strings) or Expr (Ruby that is not a literal).
	// The last assignment of a key wins, as in Ruby. A string given to
	// esxi_password is a Secret, so that printing Values does not show it.
	Values map[string]any
	// Lines maps each key to the line of its (last) assignment.
	Lines map[string]int
	// Keys lists the assigned keys in the order they were first set.
	Keys []string
	// Metadata holds the paths of Wakame's metadata section,
	// metadata { path 'extra-hosts/fluent.local', '192.168.1.101' }, which
	// Config merges into MetadataItems; MetadataLines has their lines.
	// A metadata section holding anything else is skipped with a warning.
	Metadata      map[string]string
	MetadataLines map[string]int
	// Warnings are "file:line: message" strings for unknown keys, skipped
	// blocks and statements, repeated keys and uninterpolated #{...}.
	Warnings []string
}

// maxNesting bounds array/hash nesting in values.
const maxNesting = 64

// maxInput bounds the size of a file Parse accepts (hva.conf files are a
// few kilobytes).
const maxInput = 4 << 20

// Parse reads an hva.conf in Wakame's Ruby DSL. name is used in messages
// (usually the file's path). It accepts `config.key = value` assignments
// whose values are literals (strings, numbers, true/false/nil, symbols,
// arrays and hashes of those), skips block sections such as
// `dc_network('public') { ... }` or `foo do ... end` and other Ruby
// statements with a warning, and warns about unknown keys. It never
// evaluates Ruby. A file it cannot read returns a *SyntaxError (errors.Is
// ErrSyntax) naming the line and what was expected.
func Parse(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInput {
		return nil, &SyntaxError{File: name, Line: 1, Msg: fmt.Sprintf("file larger than %d bytes; is this an hva.conf?", maxInput)}
	}
	return parseString(name, string(data))
}

// ParseFile opens and parses the hva.conf at path. A missing file returns an
// error wrapping fs.ErrNotExist.
func ParseFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hva.conf: %w", err)
	}
	defer fh.Close()
	return Parse(path, fh)
}

func parseString(name, src string) (*File, error) {
	src = strings.TrimPrefix(src, "\ufeff")
	toks, err := lex(name, src)
	if err != nil {
		return nil, err
	}
	p := &parser{
		name: name, src: src, toks: toks,
		f: &File{Path: name, Values: map[string]any{}, Lines: map[string]int{}},
	}
	if err := p.file(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// parser walks the tokens of one file.
type parser struct {
	name string
	src  string
	toks []token
	i    int
	f    *File
	// secret is set while reading the value of esxi_password, whose text
	// must not reach warnings or errors.
	secret bool
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) at(i int) token {
	if i >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[i]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.f.Warnings = append(p.f.Warnings, fmt.Sprintf("%s:%d: ", p.name, line)+fmt.Sprintf(format, args...))
}

func isPunct(t token, s string) bool { return t.kind == tPunct && t.text == s }

func isWord(t token, s string) bool { return t.kind == tIdent && t.text == s }

// endsStatement reports whether t ends a statement at bracket depth 0.
func endsStatement(t token) bool {
	return t.kind == tNL || t.kind == tEOF || isPunct(t, ";")
}

func (p *parser) file() error {
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return nil
		case t.kind == tNL || isPunct(t, ";"):
			p.next()
		case isWord(t, "config") && isPunct(p.at(p.i+1), "."):
			if err := p.configStatement(); err != nil {
				return err
			}
		case t.kind == tIdent && (usedKeys[t.text] || wakameKeys[t.text]):
			if err := p.dslSetting(); err != nil {
				return err
			}
		case t.kind == tIdent || t.kind == tConst || isPunct(t, "@") || isPunct(t, "$") || isPunct(t, "::"):
			if err := p.skipStatement(p.i); err != nil {
				return err
			}
		default:
			return p.errf(t.line, "expected config.key = value, found %s", t.describe())
		}
	}
}

// configStatement handles a statement starting with `config.`.
func (p *parser) configStatement() error {
	start := p.i
	p.next() // config
	p.next() // .
	k := p.next()
	if k.kind != tIdent {
		return p.errf(k.line, "expected a setting name after 'config.', found %s", k.describe())
	}
	key := k.text
	t := p.peek()
	switch {
	case isPunct(t, "="):
		eq := p.next()
		return p.assignment(key, k.line, eq)
	case isWord(t, "do") || isPunct(t, "{") || isPunct(t, ".") || isPunct(t, "[") || isPunct(t, "(") || isPunct(t, "::"):
		return p.skipStatement(start)
	case endsStatement(t):
		return p.errf(k.line, "expected '=' after config.%s", key)
	default:
		return p.errf(t.line, "expected '=' after config.%s, found %s (only config.key = value assignments are read)", key, t.describe())
	}
}

// dslSetting handles a statement starting with a known key without
// `config.`: Wakame's DSL form `vm_data_dir '/'` (or `vm_data_dir('/')`),
// which sets the key like an assignment does. `key = value` without
// `config.` only sets a Ruby local variable: it is skipped with a warning
// saying so.
func (p *parser) dslSetting() error {
	start := p.i
	k := p.next()
	t := p.peek()
	switch {
	case isPunct(t, "="):
		end, err := p.skipExpr(start)
		if err != nil {
			return err
		}
		p.warnf(k.line, "%q sets a Ruby local variable, not the setting: write config.%s = ...", clip(p.source(start, end)), k.text)
		p.i = end
		return nil
	case endsStatement(t) || isWord(t, "do") || isPunct(t, "{") || isPunct(t, ".") || t.kind == tPunct && !isPunct(t, "(") && !p.startsLiteral(p.i):
		return p.skipStatement(start)
	}
	argStart := p.i
	paren := isPunct(t, "(") && !t.space
	if paren {
		p.next()
	}
	if p.startsLiteral(p.i) {
		v, ok, err := p.literal(0)
		if err != nil {
			return err
		}
		if ok && paren {
			ok = isPunct(p.peek(), ")")
			p.next()
		}
		if ok && endsStatement(p.peek()) {
			p.set(k.text, k.line, v)
			return nil
		}
	}
	end, err := p.skipExpr(argStart)
	if err != nil {
		return err
	}
	p.set(k.text, k.line, Expr(p.source(argStart, end)))
	p.i = end
	return nil
}

// startsLiteral reports whether t can begin a literal value.
func (p *parser) startsLiteral(i int) bool {
	t := p.at(i)
	switch t.kind {
	case tString, tNumber, tSymbol, tWords:
		return true
	case tIdent:
		return t.text == "true" || t.text == "false" || t.text == "nil"
	case tPunct:
		switch t.text {
		case "[", "{":
			return true
		case "-", "+":
			n := p.at(i + 1)
			return n.kind == tNumber && !n.space
		}
	}
	return false
}

// startsExpr reports whether t can begin a Ruby expression that is not a
// literal (which esxi-hva keeps as Expr).
func startsExpr(t token) bool {
	switch t.kind {
	case tIdent:
		switch t.text {
		case "do", "end", "then", "else", "elsif", "when", "and", "or", "in", "rescue", "ensure":
			return false
		}
		return true
	case tConst, tXString:
		return true
	case tPunct:
		switch t.text {
		case "(", "!", "@", "$", "::", "->", "~":
			return true
		}
	}
	return false
}

// assignment reads the value of config.key = value; eq is the '=' token.
func (p *parser) assignment(key string, line int, eq token) error {
	// Ruby lets the value start on the next line after '='.
	j := p.i
	for p.at(j).kind == tNL {
		j++
	}
	if j != p.i && !p.startsLiteral(j) {
		return p.errf(eq.line, "expected value after '=' for config.%s", key)
	}
	p.i = j
	p.secret = key == KeyESXiPassword
	defer func() { p.secret = false }()
	start := p.i
	t := p.peek()
	var val any
	switch {
	case p.startsLiteral(p.i):
		v, ok, err := p.literal(0)
		if err != nil {
			return err
		}
		if ok && endsStatement(p.peek()) && !(p.peek().kind == tNL && isPunct(p.nextSignificant(p.i), ".")) {
			val = v
			break
		}
		p.i = start
		end, err := p.skipExpr(start)
		if err != nil {
			return err
		}
		val = Expr(p.source(start, end))
		p.i = end
	case startsExpr(t):
		end, err := p.skipExpr(start)
		if err != nil {
			return err
		}
		val = Expr(p.source(start, end))
		p.i = end
	case endsStatement(t):
		return p.errf(eq.line, "expected value after '=' for config.%s", key)
	default:
		return p.errf(t.line, "expected value after '=' for config.%s, found %s", key, t.describe())
	}
	p.set(key, line, val)
	return nil
}

// set records an assignment and its warnings.
func (p *parser) set(key string, line int, val any) {
	if prev, ok := p.f.Lines[key]; ok {
		p.warnf(line, "config.%s set again (also at line %d); the last assignment wins", key, prev)
	} else {
		p.f.Keys = append(p.f.Keys, key)
	}
	if key == KeyESXiPassword {
		switch v := val.(type) {
		case string:
			val = Secret(v)
		case Expr:
			val = Expr(redacted) // Ruby code around a password may hold it
		}
	}
	p.f.Values[key] = val
	p.f.Lines[key] = line
	if !usedKeys[key] && !wakameKeys[key] {
		if s := suggest(key); s != "" {
			p.warnf(line, "unknown key %q (did you mean %q?)", key, s)
		} else {
			p.warnf(line, "unknown key %q", key)
		}
	}
}

// source returns the source text of tokens [from, to), on one line.
func (p *parser) source(from, to int) string {
	if to <= from {
		return ""
	}
	s := p.src[p.toks[from].start:p.toks[to-1].end]
	return strings.Join(strings.Fields(s), " ")
}

// literal parses a literal at p.i. ok is false (and p.i unspecified) when
// the value is not a pure literal; err is set for malformed numbers and
// excessive nesting.
func (p *parser) literal(depth int) (any, bool, error) {
	if depth > maxNesting {
		return nil, false, p.errf(p.peek().line, "arrays and hashes nested more than %d deep", maxNesting)
	}
	t := p.next()
	switch t.kind {
	case tString:
		s := t.val
		p.noteInterp(t)
		for n := p.peek(); n.kind == tString; n = p.peek() { // "a" "b" is "ab" in Ruby
			p.noteInterp(n)
			s += n.val
			p.next()
		}
		return s, true, nil
	case tNumber:
		v, err := p.number(t, "")
		return v, err == nil, err
	case tSymbol:
		return Symbol(t.val), true, nil
	case tWords:
		words := splitWords(t.val)
		out := make([]any, len(words))
		for i, w := range words {
			if t.text[1] == 'i' || t.text[1] == 'I' {
				out[i] = Symbol(w)
			} else {
				out[i] = w
			}
		}
		return out, true, nil
	case tIdent:
		switch t.text {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		case "nil":
			return nil, true, nil
		}
	case tPunct:
		switch t.text {
		case "-", "+":
			n := p.peek()
			if n.kind == tNumber && !n.space {
				p.next()
				v, err := p.number(n, t.text)
				return v, err == nil, err
			}
		case "[":
			return p.array(depth)
		case "{":
			return p.hash(depth)
		}
	}
	return nil, false, nil
}

func (p *parser) noteInterp(t token) {
	if t.interp {
		text := t.text
		if p.secret {
			text = "(not shown)"
		}
		p.warnf(t.line, "string %s has Ruby interpolation (#{...}, #$x, #@x), which esxi-hva keeps as literal text", text)
	}
}

// skipNL skips line breaks inside brackets.
func (p *parser) skipNL() {
	for p.peek().kind == tNL {
		p.next()
	}
}

func (p *parser) array(depth int) (any, bool, error) {
	open := p.at(p.i - 1)
	out := []any{}
	for {
		p.skipNL()
		if isPunct(p.peek(), "]") {
			p.next()
			return out, true, nil
		}
		if isPunct(p.peek(), ",") {
			return nil, false, p.errf(p.peek().line, "expected a value or ']' in the array opened at line %d, found ','", open.line)
		}
		v, ok, err := p.literal(depth + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		out = append(out, v)
		p.skipNL()
		switch t := p.next(); {
		case isPunct(t, ","):
		case isPunct(t, "]"):
			return out, true, nil
		default:
			return nil, false, nil
		}
	}
}

func (p *parser) hash(depth int) (any, bool, error) {
	open := p.at(p.i - 1)
	out := map[string]any{}
	for {
		p.skipNL()
		if isPunct(p.peek(), "}") {
			p.next()
			return out, true, nil
		}
		if isPunct(p.peek(), ",") {
			return nil, false, p.errf(p.peek().line, "expected a key or '}' in the hash opened at line %d, found ','", open.line)
		}
		k := p.next()
		var key string
		switch {
		case (k.kind == tIdent || k.kind == tConst || k.kind == tString) && isPunct(p.peek(), ":") && !p.peek().space:
			p.next() // label  k: v  or  "k": v
			key = k.text
			if k.kind == tString {
				key = k.val
			}
		case (k.kind == tString || k.kind == tSymbol) && isPunct(p.peek(), "=>"):
			p.next()
			key = k.val
		default:
			return nil, false, nil
		}
		p.skipNL()
		v, ok, err := p.literal(depth + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		if _, dup := out[key]; dup {
			p.warnf(k.line, "hash key %q given twice; the last one wins", key)
		}
		out[key] = v
		p.skipNL()
		switch t := p.next(); {
		case isPunct(t, ","):
		case isPunct(t, "}"):
			return out, true, nil
		default:
			return nil, false, nil
		}
	}
}

// number converts a numeric token (sign "-" or "+" or "") to int64 or
// float64 with Ruby's rules for underscores and prefixes.
func (p *parser) number(t token, sign string) (any, error) {
	raw := t.text
	bad := func(why string) error {
		if p.secret {
			return p.errf(t.line, "invalid number (not shown): %s", why)
		}
		return p.errf(t.line, "invalid number %s%s: %s", sign, raw, why)
	}
	if !underscoresBetweenDigits(raw) {
		return nil, bad("'_' must sit between digits")
	}
	isFloat := strings.ContainsAny(raw, ".") ||
		(!strings.HasPrefix(strings.ToLower(raw), "0x") && strings.ContainsAny(raw, "eE"))
	clean := strings.ReplaceAll(raw, "_", "")
	neg := sign == "-"
	if isFloat {
		if strings.Contains(raw, "_.") || strings.Contains(raw, "._") || strings.ContainsAny(clean, "xXbBoO") {
			return nil, bad("not a decimal float")
		}
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, bad("not a float esxi-hva can represent")
		}
		if neg {
			f = -f
		}
		return f, nil
	}
	base := 10
	digits := clean
	switch lower := strings.ToLower(clean); {
	case strings.HasPrefix(lower, "0x"):
		base, digits = 16, clean[2:]
	case strings.HasPrefix(lower, "0b"):
		base, digits = 2, clean[2:]
	case strings.HasPrefix(lower, "0o"):
		base, digits = 8, clean[2:]
	case strings.HasPrefix(lower, "0d"):
		base, digits = 10, clean[2:]
	case len(clean) > 1 && clean[0] == '0':
		base, digits = 8, clean[1:]
	}
	if digits == "" || strings.ContainsAny(digits, "+-") {
		return nil, bad("missing digits")
	}
	if neg {
		digits = "-" + digits
	}
	v, err := strconv.ParseInt(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, bad("out of the range of a 64-bit integer")
		}
		return nil, bad(fmt.Sprintf("not a base-%d integer", base))
	}
	return v, nil
}

// splitWords splits a %w[...] body at white space; a backslash keeps the
// white space (or backslash) after it in the word.
func splitWords(body string) []string {
	var words []string
	var b strings.Builder
	in := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body) && strings.IndexByte(" \t\n\r\f\v\\", body[i+1]) >= 0:
			i++
			b.WriteByte(body[i])
			in = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			if in {
				words = append(words, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, b.String())
	}
	return words
}

// underscoresBetweenDigits applies Ruby's rule for '_' in numbers: each
// one sits between two digits of the number's base (not next to a 0x
// prefix, a dot or an exponent).
func underscoresBetweenDigits(raw string) bool {
	digit := isDigit
	body := raw
	if len(raw) > 2 && raw[0] == '0' && strings.IndexByte("xXbBoOdD", raw[1]) >= 0 {
		body = raw[2:]
		if raw[1] == 'x' || raw[1] == 'X' {
			digit = isHex
		}
	}
	for i := 0; i < len(body); i++ {
		if body[i] == '_' && (i == 0 || i+1 >= len(body) || !digit(body[i-1]) || !digit(body[i+1])) {
			return false
		}
	}
	return true
}
