package vdcdefaults

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
)

// shellParser reads shell assignments.
type shellParser struct {
	name     string
	src      string
	pos      int
	line     int
	vars     map[string]string
	lines    map[string]int
	errs     []error
	warnings []string
	expanded int // bytes produced by all expansions so far
}

// errLine aborts the current statement.
type errLine struct{ err error }

func (sp *shellParser) fail(line int, format string, args ...any) {
	sp.errs = append(sp.errs, &hvaconf.SyntaxError{File: sp.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (sp *shellParser) warnf(line int, format string, args ...any) {
	sp.warnings = append(sp.warnings, fmt.Sprintf("%s:%d: ", sp.name, line)+fmt.Sprintf(format, args...))
}

func (sp *shellParser) eof() bool { return sp.pos >= len(sp.src) }

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// skipBlanks skips spaces and tabs, and backslash-newline pairs.
func (sp *shellParser) skipBlanks() {
	for !sp.eof() {
		c := sp.src[sp.pos]
		switch {
		case isBlank(c):
			sp.pos++
		case c == '\\' && sp.pos+1 < len(sp.src) && sp.src[sp.pos+1] == '\n':
			sp.pos += 2
			sp.line++
		default:
			return
		}
	}
}

// restOfLine skips to the next line break (not consumed).
func (sp *shellParser) restOfLine() {
	if i := strings.IndexByte(sp.src[sp.pos:], '\n'); i >= 0 {
		sp.pos += i
	} else {
		sp.pos = len(sp.src)
	}
}

func (sp *shellParser) run() {
	for !sp.eof() {
		sp.skipBlanks()
		if sp.eof() {
			return
		}
		switch sp.src[sp.pos] {
		case '\n':
			sp.pos++
			sp.line++
			continue
		case '#':
			sp.restOfLine()
			continue
		}
		if e := sp.statement(); e != nil {
			sp.errs = append(sp.errs, e.err)
			sp.restOfLine()
		}
	}
}

// scanName scans a shell variable name at pos and returns it ("" if none).
func (sp *shellParser) scanName() string {
	i := sp.pos
	if i < len(sp.src) && (sp.src[i] == '_' || isLetter(sp.src[i])) {
		i++
		for i < len(sp.src) && (sp.src[i] == '_' || isLetter(sp.src[i]) || isDigit(sp.src[i])) {
			i++
		}
	}
	return sp.src[sp.pos:i]
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// shorten keeps a quoted line short in a message: 60 bytes at most, cut
// at a rune boundary, then "...".
func shorten(s string) string {
	if len(s) <= 60 {
		return s
	}
	n := 0
	for n < 60 {
		_, size := utf8.DecodeRuneInString(s[n:])
		if n+size > 60 {
			break
		}
		n += size
	}
	return strings.TrimSpace(s[:n]) + "..."
}

// atWordEnd reports whether pos ends a word.
func (sp *shellParser) atWordEnd() bool {
	return sp.eof() || isBlank(sp.src[sp.pos]) || sp.src[sp.pos] == '\n'
}

func (sp *shellParser) lineErr(line int, format string, args ...any) *errLine {
	return &errLine{&hvaconf.SyntaxError{File: sp.name, Line: line, Msg: fmt.Sprintf(format, args...)}}
}

// statement reads one line of assignments (an `export` prefix allowed).
func (sp *shellParser) statement() *errLine {
	exported := false
	if n := sp.scanName(); n == "export" && sp.pos+len(n) < len(sp.src) && isBlank(sp.src[sp.pos+len(n)]) {
		sp.pos += len(n)
		exported = true
		sp.skipBlanks()
	}
	for !sp.eof() && sp.src[sp.pos] != '\n' && sp.src[sp.pos] != '#' {
		wordLine := sp.line
		n := sp.scanName()
		if n != "" && sp.pos+len(n) < len(sp.src) && sp.src[sp.pos+len(n)] == '=' {
			sp.pos += len(n) + 1
			v, e := sp.value()
			if e != nil {
				return e
			}
			sp.vars[n] = v
			sp.lines[n] = wordLine
		} else if exported && n != "" && sp.atWordEndAt(sp.pos+len(n)) {
			sp.pos += len(n) // export NAME: nothing to do
		} else {
			end := strings.IndexByte(sp.src[sp.pos:], '\n')
			if end < 0 {
				end = len(sp.src) - sp.pos
			}
			text := strings.TrimSpace(sp.src[sp.pos : sp.pos+end])
			if n != "" && sp.pos+len(n) < len(sp.src) && isBlank(sp.src[sp.pos+len(n)]) && strings.HasPrefix(strings.TrimLeft(sp.src[sp.pos+len(n):], " \t"), "=") {
				return sp.lineErr(wordLine, "no spaces allowed around '=' in %q (shell syntax: KEY=VALUE)", shorten(text))
			}
			return sp.lineErr(wordLine, "not a KEY=VALUE assignment: %q (esxi-hva reads this file, it does not run it)", shorten(text))
		}
		sp.skipBlanks()
	}
	return nil
}

func (sp *shellParser) atWordEndAt(i int) bool {
	return i >= len(sp.src) || isBlank(sp.src[i]) || sp.src[i] == '\n' || sp.src[i] == '#'
}

// value reads one shell word after NAME= and returns it expanded.
func (sp *shellParser) value() (string, *errLine) {
	var b strings.Builder
	line := sp.line
	for !sp.atWordEnd() {
		if b.Len() > maxValueLen {
			return "", sp.lineErr(line, "value longer than %d bytes", maxValueLen)
		}
		c := sp.src[sp.pos]
		switch c {
		case '\\':
			if sp.pos+1 >= len(sp.src) {
				sp.pos++
				continue
			}
			e := sp.src[sp.pos+1]
			sp.pos += 2
			if e == '\n' {
				sp.line++
				continue
			}
			b.WriteByte(e)
		case '\'':
			open := sp.line
			end := strings.IndexByte(sp.src[sp.pos+1:], '\'')
			if end < 0 {
				sp.pos = len(sp.src)
				return "", sp.lineErr(open, "unterminated single quote opened at line %d", open)
			}
			s := sp.src[sp.pos+1 : sp.pos+1+end]
			sp.line += strings.Count(s, "\n")
			b.WriteString(s)
			sp.pos += end + 2
		case '"':
			if e := sp.doubleQuoted(&b); e != nil {
				return "", e
			}
		case '$':
			if e := sp.expand(&b); e != nil {
				return "", e
			}
		case '`':
			return "", sp.lineErr(sp.line, "command substitution `...` is not supported (this file is read, not run)")
		case ';', '&', '|', '<', '>', '(', ')':
			return "", sp.lineErr(sp.line, "shell operator %q is not supported (this file is read, not run)", c)
		default:
			b.WriteByte(c)
			sp.pos++
		}
	}
	return b.String(), nil
}

// doubleQuoted reads "..." at pos into b.
func (sp *shellParser) doubleQuoted(b *strings.Builder) *errLine {
	open := sp.line
	sp.pos++
	for {
		if sp.eof() {
			return sp.lineErr(open, "unterminated double quote opened at line %d", open)
		}
		c := sp.src[sp.pos]
		switch c {
		case '"':
			sp.pos++
			return nil
		case '\\':
			if sp.pos+1 < len(sp.src) {
				switch e := sp.src[sp.pos+1]; e {
				case '"', '\\', '$', '`':
					b.WriteByte(e)
					sp.pos += 2
					continue
				case '\n':
					sp.line++
					sp.pos += 2
					continue
				}
			}
			b.WriteByte('\\')
			sp.pos++
		case '$':
			if e := sp.expand(b); e != nil {
				return e
			}
		case '`':
			return sp.lineErr(sp.line, "command substitution `...` is not supported (this file is read, not run)")
		case '\n':
			sp.line++
			b.WriteByte(c)
			sp.pos++
		default:
			b.WriteByte(c)
			sp.pos++
		}
	}
}

// expand reads $NAME, ${NAME}, ${NAME:-word} or ${NAME-word} at pos.
func (sp *shellParser) expand(b *strings.Builder) *errLine {
	line := sp.line
	if b.Len() > maxValueLen {
		return sp.lineErr(line, "value longer than %d bytes", maxValueLen)
	}
	if sp.expanded > maxTotalLen {
		sp.pos = len(sp.src) // stop: not a plausible environment file
		return sp.lineErr(line, "variables expand to more than %d bytes in all; reading stops here", maxTotalLen)
	}
	sp.pos++ // $
	if sp.eof() {
		b.WriteByte('$')
		return nil
	}
	switch c := sp.src[sp.pos]; {
	case c == '(':
		return sp.lineErr(line, "command substitution $(...) is not supported (this file is read, not run)")
	case c == '{':
		end := strings.IndexByte(sp.src[sp.pos:], '}')
		if end < 0 {
			return sp.lineErr(line, "missing '}' in ${...}")
		}
		body := sp.src[sp.pos+1 : sp.pos+end]
		sp.pos += end + 1
		name, rest := body, ""
		if i := strings.IndexAny(body, ":-=?+#%/"); i >= 0 {
			name, rest = body[:i], body[i:]
		}
		if !validName(name) {
			return sp.lineErr(line, "bad variable name in ${%s}", body)
		}
		v, set := sp.vars[name]
		switch {
		case rest == "":
			if !set {
				sp.warnf(line, "$%s is not set earlier in this file; it expands to \"\"", name)
			}
			sp.expanded += len(v)
			b.WriteString(v)
		case strings.HasPrefix(rest, ":-"), strings.HasPrefix(rest, "-"):
			word := strings.TrimPrefix(strings.TrimPrefix(rest, ":"), "-")
			if strings.ContainsAny(word, "$`\"'\\") {
				return sp.lineErr(line, "only literal text is supported as the default in ${%s}", body)
			}
			if !set || (v == "" && strings.HasPrefix(rest, ":")) {
				v = word
			}
			sp.expanded += len(v)
			b.WriteString(v)
		default:
			return sp.lineErr(line, "unsupported parameter expansion ${%s}: use $NAME, ${NAME} or ${NAME:-default}", body)
		}
	case c == '_' || isLetter(c):
		n := sp.scanName()
		sp.pos += len(n)
		v, set := sp.vars[n]
		if !set {
			sp.warnf(line, "$%s is not set earlier in this file; it expands to \"\"", n)
		}
		sp.expanded += len(v)
		b.WriteString(v)
	case isDigit(c) || strings.IndexByte("?$#@*!-", c) >= 0:
		return sp.lineErr(line, "special parameter $%c is not supported", c)
	default:
		b.WriteByte('$') // a lone $ is literal in the shell
	}
	return nil
}

func validName(s string) bool {
	if s == "" || !(s[0] == '_' || isLetter(s[0])) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !(s[i] == '_' || isLetter(s[i]) || isDigit(s[i])) {
			return false
		}
	}
	return true
}
