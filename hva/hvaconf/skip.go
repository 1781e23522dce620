package hvaconf

import (
	"fmt"
	"strings"
)

// opener is an unclosed bracket or block while skipping Ruby.
type opener struct {
	what string // "(", "[", "{", "do" or a keyword such as "if"
	line int
}

// blockKeywords open a block closed by 'end' when they start a statement
// or follow '=' (not as modifiers, as in `x = 1 if y`).
var blockKeywords = map[string]bool{
	"if": true, "unless": true, "while": true, "until": true, "case": true,
	"begin": true, "def": true, "class": true, "module": true, "for": true,
}

var closers = map[string]byte{"(": ')', "[": ']', "{": '}'}

// skipStmt skips the statement from pos by counting brackets, do/end and
// keyword blocks, reading strings and comments so that what they hold
// does not count. It stops before the line break (unless brackets are
// open or an operator ends the line), ';' or end of file that ends the
// statement, and returns the end of its last token and where its first
// block opens at depth 0 ('{' or do after start), or -1.
func (s *scanner) skipStmt(start int) (end, open int, err error) {
	var stack []opener
	end, open = s.pos, -1
	prev := byte(0) // last byte of the previous token; '\n' after a line break
	for s.pos < len(s.src) {
		tok, c, n := s.pos, s.src[s.pos], len(stack)
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '#' || c == '\\' && s.at(1) == '\n':
			s.blank(false)
			continue
		case c == '\n' && n == 0 && strings.IndexByte(",.+-*/%=&|<>", prev) < 0, c == ';' && n == 0:
			return end, open, nil
		case c == '\n':
			s.pos++
			s.line++
			prev = c
			continue
		case c == '"' || c == '\'' || c == '`':
			if _, _, err := s.quoted(0); err != nil {
				return 0, 0, err
			}
		case c == '(' || c == '[' || c == '{':
			if c == '{' && n == 0 && open < 0 && tok > start {
				open = tok
			}
			stack = append(stack, opener{string(c), s.line})
			s.pos++
		case c == ')' || c == ']' || c == '}':
			if n == 0 {
				return 0, 0, s.errf(s.line, "unexpected '%c' with no matching opening bracket", c)
			}
			if err := s.closes(stack[n-1], string(c)); err != nil {
				return 0, 0, err
			}
			stack = stack[:n-1]
			s.pos++
		case isIdentStart(c):
			w := s.word()
			s.pos += len(w)
			switch {
			case tok > 0 && (s.src[tok-1] == '.' || s.src[tok-1] == ':'), s.at(0) == ':' && s.at(1) != ':':
				// a method (obj.end, Foo::end), a symbol (:end) or a label (if: 1)
			case w == "do":
				if n == 0 && open < 0 && tok > start {
					open = tok
				}
				stack = append(stack, opener{w, s.line})
			case w == "end" && n == 0:
				return 0, 0, s.errf(s.line, "unexpected 'end' with no open block")
			case w == "end":
				if err := s.closes(stack[n-1], w); err != nil {
					return 0, 0, err
				}
				stack = stack[:n-1]
			case blockKeywords[w] && strings.IndexByte("\x00\n;=([{,|", prev) >= 0:
				stack = append(stack, opener{w, s.line})
			}
		default:
			s.pos++
		}
		prev, end = s.src[s.pos-1], s.pos
	}
	if n := len(stack); n > 0 {
		if c, ok := closers[stack[n-1].what]; ok {
			return 0, 0, s.errf(s.line, "missing '%c' for '%s' opened at line %d", c, stack[n-1].what, stack[n-1].line)
		}
		return 0, 0, s.errf(s.line, "missing 'end' for block opened at line %d", stack[n-1].line)
	}
	return end, open, nil
}

// closes checks that closer (a bracket or "end") closes o.
func (s *scanner) closes(o opener, closer string) error {
	want, bracket := closers[o.what]
	switch {
	case bracket && string(want) != closer:
		return s.errf(s.line, "expected '%c' to close '%s' opened at line %d, found '%s'", want, o.what, o.line, closer)
	case !bracket && closer != "end":
		return s.errf(s.line, "expected 'end' for block opened at line %d, found '%s'", o.line, closer)
	}
	return nil
}

// skip skips the statement at start with a warning naming it: a block
// section (name args { ... } or name args do ... end) or any other Ruby
// statement. Wakame's metadata section is read instead when it holds
// only path 'p', 'v' lines.
func (s *scanner) skip(start, line int) error {
	if s.pos == start && s.word() == "metadata" && s.metadata() {
		return nil
	}
	s.pos, s.line = start, line
	end, open, err := s.skipStmt(start)
	if err != nil {
		return err
	}
	lines := ""
	if last := line + strings.Count(s.src[start:end], "\n"); last > line {
		lines = fmt.Sprintf(" (lines %d-%d)", line, last)
	}
	if open < 0 {
		s.warnf(line, "skipped statement %q%s: esxi-hva reads only config.key = value assignments", s.shown(start, end), lines)
		return nil
	}
	style := "do ... end"
	if s.src[open] == '{' {
		style = "{ ... }"
	}
	s.pos = start
	name := s.word()
	if name == "config" && s.at(6) == '.' {
		s.pos += 7
		name += "." + s.word()
	}
	s.pos = end
	why := "not used by esxi-hva"
	if !wakameBlocks[name] {
		why = "not a Wakame hva.conf section"
	}
	s.warnf(line, "skipped block %s %s%s: %s", clip(collapse(s.src[start:open])), style, lines, why)
	return nil
}

// metadata reads Wakame's section
//
//	metadata {
//	  path 'extra-hosts/fluent.local', '192.168.1.101'
//	}
//
// (or do ... end, path('p', 'v'), ';') into File.Metadata. It reports
// false, recording nothing, when the section holds anything else.
func (s *scanner) metadata() bool {
	s.pos += len("metadata")
	s.blank(false)
	closer := "}"
	switch {
	case s.word() == "do":
		closer = "end"
		s.pos++
	case s.at(0) != '{':
		return false
	}
	s.pos++
	closes := func() bool { return strings.HasPrefix(s.src[s.pos:], closer) && (closer == "}" || s.word() == "end") }
	items, lines := map[string]string{}, map[string]int{}
	for s.blank(true); !closes(); s.blank(true) {
		line := s.line
		if s.word() != "path" {
			return false
		}
		s.pos += len("path")
		s.blank(false)
		paren := s.at(0) == '('
		if paren {
			s.pos++
		}
		k, ok := s.plainString()
		if s.blank(false); !ok || s.at(0) != ',' {
			return false
		}
		s.pos++
		s.blank(false)
		v, ok := s.plainString()
		if s.blank(false); !ok || paren && s.at(0) != ')' {
			return false
		}
		if paren {
			s.pos++
			s.blank(false)
		}
		if !s.atEnd() && !closes() {
			return false
		}
		items[k], lines[k] = v, line
	}
	s.pos += len(closer)
	if s.blank(false); !s.atEnd() {
		return false
	}
	if s.f.Metadata == nil {
		s.f.Metadata, s.f.MetadataLines = map[string]string{}, map[string]int{}
	}
	for k, v := range items {
		s.f.Metadata[k], s.f.MetadataLines[k] = v, lines[k]
	}
	return true
}

// plainString reads a quoted string at pos.
func (s *scanner) plainString() (string, bool) {
	if c := s.at(0); c != '"' && c != '\'' {
		return "", false
	}
	v, _, err := s.quoted(0)
	return v, err == nil
}

// collapse puts source text on one line.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s for a message, without splitting a UTF-8 sequence.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "..."
}
