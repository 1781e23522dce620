package hvaconf

import (
	"fmt"
	"strings"
)

// opener is an unclosed bracket or block while skipping Ruby.
type opener struct {
	what   string // "(", "[", "{", "do" or a keyword such as "if"
	line   int
	loopDo bool // a while/until/for whose optional 'do' was seen
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
// does not count. It stops before the line break (not after an operator
// or inside brackets), ';' or end of file that ends the statement, and
// returns the end of its last token and where its first block opens at
// depth 0 ('{' or do after start), or -1.
func (s *scanner) skipStmt(start int) (end, open int, err error) {
	var stack []opener
	end, open = s.pos, -1
	prev := byte(0) // last byte of the previous token; '\n' after a line break
	for {
		if s.pos >= len(s.src) {
			if n := len(stack); n > 0 {
				o := stack[n-1]
				if c, ok := closers[o.what]; ok {
					return 0, 0, s.errf(s.line, "missing '%c' for '%s' opened at line %d", c, o.what, o.line)
				}
				return 0, 0, s.errf(s.line, "missing 'end' for block opened at line %d", o.line)
			}
			return end, open, nil
		}
		tok := s.pos
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '#' || c == '\\' && s.at(1) == '\n':
			s.blank(false)
			continue
		case c == '\n':
			if len(stack) == 0 && strings.IndexByte(",.+-*/%=&|<>", prev) < 0 {
				return end, open, nil
			}
			s.pos++
			s.line++
			prev = '\n'
			continue
		case c == ';' && len(stack) == 0:
			return end, open, nil
		case c == '"' || c == '\'' || c == '`':
			if _, _, err := s.quoted(0); err != nil {
				return 0, 0, err
			}
		case c == '(' || c == '[' || c == '{':
			if c == '{' && len(stack) == 0 && open < 0 && tok > start {
				open = tok
			}
			stack = append(stack, opener{what: string(c), line: s.line})
			s.pos++
		case c == ')' || c == ']' || c == '}':
			n := len(stack)
			if n == 0 {
				return 0, 0, s.errf(s.line, "unexpected '%c' with no matching opening bracket", c)
			}
			if o := stack[n-1]; closers[o.what] != c {
				if want, ok := closers[o.what]; ok {
					return 0, 0, s.errf(s.line, "expected '%c' to close '%s' opened at line %d, found '%c'", want, o.what, o.line, c)
				}
				return 0, 0, s.errf(s.line, "expected 'end' for block opened at line %d, found '%c'", o.line, c)
			}
			stack = stack[:n-1]
			s.pos++
		case isIdentStart(c):
			w := s.word()
			s.pos += len(w)
			method := tok > 0 && (s.src[tok-1] == '.' || s.src[tok-1] == ':') // obj.end, Foo::end, :end
			label := s.at(0) == ':' && s.at(1) != ':'                         // foo(if: 1)
			if err := s.block(&stack, w, method || label, prev, tok > start, &open, tok); err != nil {
				return 0, 0, err
			}
		default:
			s.pos++
		}
		prev, end = s.src[s.pos-1], s.pos
	}
}

// block applies the word w to the stack of open blocks.
func (s *scanner) block(stack *[]opener, w string, plain bool, prev byte, inside bool, open *int, at int) error {
	n := len(*stack)
	switch {
	case plain:
	case w == "do":
		if n > 0 {
			if o := &(*stack)[n-1]; (o.what == "while" || o.what == "until" || o.what == "for") && o.line == s.line && !o.loopDo {
				o.loopDo = true
				return nil
			}
		}
		if n == 0 && *open < 0 && inside {
			*open = at
		}
		*stack = append(*stack, opener{what: "do", line: s.line})
	case w == "end":
		if n == 0 {
			return s.errf(s.line, "unexpected 'end' with no open block")
		}
		if o := (*stack)[n-1]; closers[o.what] != 0 {
			return s.errf(s.line, "expected '%c' to close '%s' opened at line %d, found 'end'", closers[o.what], o.what, o.line)
		}
		*stack = (*stack)[:n-1]
	case blockKeywords[w] && strings.IndexByte("\x00\n;=([{,|", prev) >= 0:
		*stack = append(*stack, opener{what: w, line: s.line})
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
		s.warnf(line, "skipped statement %q%s: esxi-hva reads only config.key = value assignments", clip(collapse(s.src[start:end])), lines)
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

// metadata reads Wakame's
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
	case s.at(0) == '{':
		s.pos++
	case s.word() == "do":
		s.pos += 2
		closer = "end"
	default:
		return false
	}
	items, lines := map[string]string{}, map[string]int{}
	closes := func() bool {
		return closer == "}" && s.at(0) == '}' || closer == "end" && s.word() == "end"
	}
	for {
		for s.blank(true); s.at(0) == ';'; s.blank(true) {
			s.pos++
		}
		if closes() {
			s.pos += len(closer)
			if s.blank(false); !s.atEnd() {
				return false
			}
			break
		}
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

// clip shortens s for a message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "..."
}
