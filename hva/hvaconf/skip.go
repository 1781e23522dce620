package hvaconf

import (
	"strconv"
	"strings"
)

// opener is an unclosed bracket or block while skipping Ruby.
type opener struct {
	what   string // "(", "[", "{", "do" or a keyword such as "if"
	line   int
	loopDo bool // a while/until/for whose optional 'do' was seen
}

// blockKeywords open a block closed by 'end' when they start an expression
// (not when used as modifiers, as in `x = 1 if y`).
var blockKeywords = map[string]bool{
	"if": true, "unless": true, "while": true, "until": true, "case": true,
	"begin": true, "def": true, "class": true, "module": true, "for": true,
}

// nonValueWords are identifiers after which an expression has not ended.
var nonValueWords = map[string]bool{
	"do": true, "then": true, "else": true, "elsif": true, "when": true,
	"and": true, "or": true, "not": true, "in": true,
	"begin": true, "rescue": true, "ensure": true, "if": true, "unless": true,
	"while": true, "until": true, "case": true,
}

// endsValue reports whether t can be the last token of an expression.
func endsValue(t token) bool {
	switch t.kind {
	case tIdent:
		return !nonValueWords[t.text]
	case tConst, tNumber, tString, tXString, tSymbol, tWords:
		return true
	case tPunct:
		return t.text == ")" || t.text == "]" || t.text == "}"
	}
	return false
}

// continues reports whether a statement whose last token is t goes on
// after a line break (binary operators, commas, dots).
func continues(t token) bool {
	if t.kind != tPunct {
		return t.kind == tIdent && (t.text == "and" || t.text == "or" || t.text == "not")
	}
	switch t.text {
	case ")", "]", "}", ";":
		return false
	}
	return true
}

var closers = map[string]string{"(": ")", "[": "]", "{": "}"}

// skipExpr finds the end of the Ruby statement or expression starting at
// token index from, honouring brackets, do/end and keyword blocks, and
// returns the index of the token that ends it (a line break, ';' or EOF
// at depth 0). Unbalanced brackets and blocks are syntax errors.
func (p *parser) skipExpr(from int) (int, error) {
	var stack []opener
	i := from
	for {
		t := p.at(i)
		var prev token
		if i > from {
			prev = p.at(i - 1)
		}
		switch t.kind {
		case tEOF:
			if n := len(stack); n > 0 {
				o := stack[n-1]
				if c, ok := closers[o.what]; ok {
					return 0, p.errf(t.line, "missing '%s' for '%s' opened at line %d", c, o.what, o.line)
				}
				return 0, p.errf(t.line, "missing 'end' for block opened at line %d", o.line)
			}
			return i, nil
		case tNL:
			if len(stack) == 0 && i > from && !continues(prev) && !isPunct(p.nextSignificant(i), ".") {
				return i, nil
			}
		case tPunct:
			switch t.text {
			case ";":
				if len(stack) == 0 {
					return i, nil
				}
			case "(", "[", "{":
				stack = append(stack, opener{what: t.text, line: t.line})
			case ")", "]", "}":
				n := len(stack)
				if n == 0 {
					return 0, p.errf(t.line, "unexpected '%s' with no matching opening bracket", t.text)
				}
				o := stack[n-1]
				if want, ok := closers[o.what]; !ok || want != t.text {
					if ok {
						return 0, p.errf(t.line, "expected '%s' to close '%s' opened at line %d, found '%s'", want, o.what, o.line, t.text)
					}
					return 0, p.errf(t.line, "expected 'end' for block opened at line %d, found '%s'", o.line, t.text)
				}
				stack = stack[:n-1]
			}
		case tIdent:
			method := isPunct(prev, ".") || isPunct(prev, "::") || isPunct(prev, "&") // obj.end, obj&.do
			label := isPunct(p.at(i+1), ":") && !p.at(i+1).space                      // foo(if: 1, end: 2)
			switch {
			case method || label:
			case t.text == "do":
				if n := len(stack); n > 0 {
					o := &stack[n-1]
					if (o.what == "while" || o.what == "until" || o.what == "for") && o.line == t.line && !o.loopDo {
						o.loopDo = true
						break
					}
				}
				stack = append(stack, opener{what: "do", line: t.line})
			case t.text == "end":
				n := len(stack)
				if n == 0 {
					return 0, p.errf(t.line, "unexpected 'end' with no open block")
				}
				o := stack[n-1]
				if want, ok := closers[o.what]; ok {
					return 0, p.errf(t.line, "expected '%s' to close '%s' opened at line %d, found 'end'", want, o.what, o.line)
				}
				stack = stack[:n-1]
			case blockKeywords[t.text] && (i == from || !endsValue(prev)):
				stack = append(stack, opener{what: t.text, line: t.line})
			}
		}
		i++
	}
}

// nextSignificant returns the first token after index i that is not a
// line break.
func (p *parser) nextSignificant(i int) token {
	for i++; p.at(i).kind == tNL; i++ {
	}
	return p.at(i)
}

// skipStatement skips the statement starting at token index from and
// records a warning naming it: a block section (name args { ... } or
// name args do ... end) or any other Ruby statement.
func (p *parser) skipStatement(from int) error {
	end, err := p.skipExpr(from)
	if err != nil {
		return err
	}
	first := p.at(from)
	last := p.at(end - 1)
	// Find the block opener at depth 0, if any.
	depth, open := 0, -1
	for i := from; i < end && open < 0; i++ {
		t := p.at(i)
		switch {
		case t.kind == tPunct && (t.text == "(" || t.text == "["):
			depth++
		case t.kind == tPunct && (t.text == ")" || t.text == "]"):
			depth--
		case depth == 0 && i > from && (isWord(t, "do") || isPunct(t, "{")):
			open = i
		}
	}
	lines := ""
	if last.line > first.line {
		lines = " (lines " + strconv.Itoa(first.line) + "-" + strconv.Itoa(last.line) + ")"
	}
	if open == from+1 && isWord(first, "metadata") && p.metadataBlock(open+1, end-1) {
		p.i = end
		return nil
	}
	if open >= 0 {
		style := "do ... end"
		if isPunct(p.at(open), "{") {
			style = "{ ... }"
		}
		head := p.source(from, open)
		why := "not used by esxi-hva"
		if !wakameBlocks[blockName(p, from)] {
			why = "not a Wakame hva.conf section"
		}
		p.warnf(first.line, "skipped block %s %s%s: %s", clip(head), style, lines, why)
	} else {
		p.warnf(first.line, "skipped statement %q%s: esxi-hva reads only config.key = value assignments", clip(p.source(from, end)), lines)
	}
	p.i = end
	return nil
}

// blockName is the name of a block statement: the identifier after
// `config.` or the first identifier.
func blockName(p *parser, from int) string {
	if isWord(p.at(from), "config") && isPunct(p.at(from+1), ".") {
		return "config." + p.at(from+2).text
	}
	return p.at(from).text
}

// clip shortens s for a warning.
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

// metadataBlock reads the body, tokens [from, to), of Wakame's
//
//	metadata {
//	  path 'extra-hosts/fluent.local', '192.168.1.101'
//	}
//
// into File.Metadata. It reports false, recording nothing, when the body
// holds anything but path 'key', 'value' statements.
func (p *parser) metadataBlock(from, to int) bool {
	items := map[string]string{}
	lines := map[string]int{}
	i := from
	for i < to {
		t := p.at(i)
		if t.kind == tNL || isPunct(t, ";") {
			i++
			continue
		}
		if !isWord(t, "path") {
			return false
		}
		j := i + 1
		paren := isPunct(p.at(j), "(")
		if paren {
			j++
		}
		k, comma, v := p.at(j), p.at(j+1), p.at(j+2)
		if k.kind != tString || !isPunct(comma, ",") || v.kind != tString {
			return false
		}
		j += 3
		if paren {
			if !isPunct(p.at(j), ")") {
				return false
			}
			j++
		}
		if j < to && !(p.at(j).kind == tNL || isPunct(p.at(j), ";")) {
			return false
		}
		items[k.val] = v.val
		lines[k.val] = t.line
		i = j
	}
	if p.f.Metadata == nil {
		p.f.Metadata = map[string]string{}
		p.f.MetadataLines = map[string]int{}
	}
	for k, v := range items {
		p.f.Metadata[k] = v
		p.f.MetadataLines[k] = lines[k]
	}
	return true
}
