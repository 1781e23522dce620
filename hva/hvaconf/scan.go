package hvaconf

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// File is a parsed hva.conf: its `config.key = value` assignments (and
// `key value` DSL calls of known keys) and the warnings it deserves.
type File struct {
	Path string // the name given to Parse (the path, for ParseFile)
	// Values maps each assigned key to its value: string, int64, float64,
	// bool, Symbol, nil, []any, map[string]any (symbol keys become
	// strings) or Expr (Ruby that is not a literal); the last assignment
	// wins, as in Ruby. esxi_password's string is a Password.
	Values map[string]any
	Lines  map[string]int // line of each key's (last) assignment
	Keys   []string       // keys in the order first set
	// Metadata holds the paths of Wakame's metadata { path 'p', 'v' }
	// section, which Config merges into MetadataItems; MetadataLines has
	// their lines.
	Metadata      map[string]string
	MetadataLines map[string]int
	// Warnings are "file:line: message" strings for unknown keys, skipped
	// blocks and statements, repeated keys and uninterpolated #{...}.
	Warnings []string
}

// Bounds on hostile input: nesting of arrays and hashes, of strings in
// #{...}, and the file's size (hva.conf files are a few kilobytes).
const (
	maxNesting     = 64
	maxInterpDepth = 8
	maxInput       = 4 << 20
)

// Parse reads an hva.conf in Wakame's Ruby DSL; name is used in messages.
// It reads `config.key = value` assignments whose values are literals,
// skips block sections and other Ruby statements with a warning, and
// never evaluates Ruby. A file it cannot read returns a *SyntaxError
// (errors.Is ErrSyntax) naming the line and what was expected.
func Parse(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInput {
		return nil, &SyntaxError{File: name, Line: 1, Msg: fmt.Sprintf("file larger than %d bytes; is this an hva.conf?", maxInput)}
	}
	s := &scanner{name: name, src: strings.TrimPrefix(string(data), "\ufeff"), line: 1,
		f: &File{Path: name, Values: map[string]any{}, Lines: map[string]int{}}}
	for s.blank(true); s.pos < len(s.src); s.blank(true) {
		if err := s.statement(); err != nil {
			return nil, err
		}
	}
	return s.f, nil
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

// scanner reads one file statement by statement.
type scanner struct {
	name, src string
	pos, line int
	f         *File
	secret    bool // reading esxi_password's value, whose text stays out of messages
}

func (s *scanner) errf(line int, format string, args ...any) error {
	return &SyntaxError{File: s.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) warnf(line int, format string, args ...any) {
	s.f.Warnings = append(s.f.Warnings, fmt.Sprintf("%s:%d: ", s.name, line)+fmt.Sprintf(format, args...))
}

// at returns the byte i bytes ahead, or 0 past the end.
func (s *scanner) at(i int) byte {
	if s.pos+i < len(s.src) {
		return s.src[s.pos+i]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= utf8.RuneSelf
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// word returns the run of identifier bytes and digits at pos.
func (s *scanner) word() string {
	i := s.pos
	for i < len(s.src) && (isIdentStart(s.src[i]) || isDigit(s.src[i])) {
		i++
	}
	return s.src[s.pos:i]
}

// blank skips white space, comments and backslash-newlines, and line
// breaks and ';' too when nl is set.
func (s *scanner) blank(nl bool) {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || nl && c == ';':
			s.pos++
		case c == '#':
			for s.pos < len(s.src) && s.src[s.pos] != '\n' {
				s.pos++
			}
		case c == '\n' && nl, c == '\\' && s.at(1) == '\n':
			s.pos += strings.IndexByte(s.src[s.pos:], '\n') + 1
			s.line++
		default:
			return
		}
	}
}

// atEnd reports whether pos ends a statement.
func (s *scanner) atEnd() bool {
	return s.pos >= len(s.src) || strings.IndexByte("\n;#", s.src[s.pos]) >= 0
}

// describe names what is at pos for "found X" in messages.
func (s *scanner) describe() string {
	switch c := s.at(0); {
	case s.pos >= len(s.src):
		return "end of file"
	case c == '\n':
		return "end of line"
	case c == '"' || c == '\'' || c == '`':
		return "string"
	case c == ':' && isIdentStart(s.at(1)):
		s.pos++
		defer func() { s.pos-- }()
		return "symbol :" + s.word()
	case c < ' ' || c >= 0x7f:
		return fmt.Sprintf("%q", c)
	}
	n := max(len(s.word()), 1)
	if strings.HasPrefix(s.src[s.pos:], "==") || strings.HasPrefix(s.src[s.pos:], "=>") {
		n = 2
	}
	return "'" + s.src[s.pos:s.pos+n] + "'"
}

// statement reads the statement at pos.
func (s *scanner) statement() error {
	start, line, c := s.pos, s.line, s.at(0)
	w := s.word()
	if !utf8.ValidString(w) {
		return s.errf(line, "invalid UTF-8 in a name: save hva.conf as UTF-8")
	}
	switch {
	case isDigit(c):
	case w == "config" && s.at(6) == '.':
		return s.configStatement(start, line)
	case usedKeys[w] || wakameKeys[w]:
		return s.dslSetting(w, start, line)
	case w != "" || c == '@' || c == '$' || c == ':' && s.at(1) == ':':
		return s.skip(start, line)
	}
	return s.errf(line, "expected config.key = value, found %s", s.describe())
}

// configStatement reads a statement starting with `config.`: an
// assignment, or a block or method call skipped with a warning.
func (s *scanner) configStatement(start, line int) error {
	s.pos += len("config.")
	key := s.word()
	switch {
	case key == "" || isDigit(key[0]):
		return s.errf(line, "expected a setting name after 'config.', found %s", s.describe())
	case !utf8.ValidString(key):
		return s.errf(line, "invalid UTF-8 in a name: save hva.conf as UTF-8")
	}
	s.pos += len(key)
	s.blank(false)
	switch c := s.at(0); {
	case s.isAssign():
		return s.assignment(key, line)
	case c == '{' || c == '.' || c == '[' || c == '(' || c == ':' && s.at(1) == ':' || s.word() == "do":
		return s.skip(start, line)
	case s.atEnd():
		return s.errf(line, "expected '=' after config.%s", key)
	}
	return s.errf(line, "expected '=' after config.%s, found %s (only config.key = value assignments are read)", key, s.describe())
}

// isAssign reports whether pos holds '=' alone (not ==, =~ or =>).
func (s *scanner) isAssign() bool { return s.at(0) == '=' && strings.IndexByte("=~>", s.at(1)) < 0 }

// assignment reads the value of config.key = value from the '=' at pos.
func (s *scanner) assignment(key string, line int) error {
	s.pos++
	s.blank(false)
	if s.at(0) == '\n' { // Ruby lets the value start on a later line
		s.blank(true)
		if !s.startsLiteral() {
			return s.errf(line, "expected value after '=' for config.%s", key)
		}
	}
	s.secret = key == KeyESXiPassword
	defer func() { s.secret = false }()
	switch {
	case s.atEnd():
		return s.errf(line, "expected value after '=' for config.%s", key)
	case !s.startsLiteral() && !s.startsExpr():
		return s.errf(s.line, "expected value after '=' for config.%s, found %s", key, s.describe())
	}
	v, err := s.value(false)
	if err == nil {
		s.set(key, line, v)
	}
	return err
}

// dslSetting reads a statement starting with a known key without
// `config.`: Wakame's DSL form `vm_data_dir '/'` or `vm_data_dir('/')`
// sets the key. `key = value` only sets a Ruby local variable: it is
// skipped with a warning saying so.
func (s *scanner) dslSetting(key string, start, line int) error {
	s.pos += len(key)
	s.blank(false)
	switch c := s.at(0); {
	case s.isAssign():
		s.pos = start
		end, _, err := s.skipStmt(start)
		if err == nil {
			s.warnf(line, "%q sets a Ruby local variable, not the setting: write config.%s = ...", s.shown(start, end), key)
		}
		return err
	case s.atEnd() || c == '{' || c == '.' || s.word() == "do" || !s.startsLiteral() && !s.startsExpr():
		s.pos = start
		return s.skip(start, line)
	}
	s.secret = key == KeyESXiPassword
	defer func() { s.secret = false }()
	v, err := s.value(s.at(0) == '(')
	if err == nil {
		s.set(key, line, v)
	}
	return err
}

// value reads a literal that ends its statement (inside ( ) when paren is
// set), or else the Ruby expression at pos as an Expr.
func (s *scanner) value(paren bool) (any, error) {
	start, line := s.pos, s.line
	if paren {
		s.pos++
		s.blank(true)
	}
	if s.startsLiteral() {
		v, ok, err := s.literal(0)
		if err != nil {
			return nil, err
		}
		if s.blank(false); ok && paren {
			ok = s.at(0) == ')'
			s.pos++
			s.blank(false)
		}
		if ok && s.atEnd() {
			return v, nil
		}
	}
	s.pos, s.line = start, line
	end, _, err := s.skipStmt(start)
	if err != nil {
		return nil, err
	}
	return Expr(collapse(s.src[start:end])), nil
}

// startsLiteral reports whether a literal value starts at pos.
func (s *scanner) startsLiteral() bool {
	switch c := s.at(0); {
	case c == '"' || c == '\'' || c == '[' || c == '{' || isDigit(c):
		return true
	case c == '-' || c == '+':
		return isDigit(s.at(1))
	case c == ':':
		return isIdentStart(s.at(1)) || s.at(1) == '"' || s.at(1) == '\''
	}
	w := s.word()
	return w == "true" || w == "false" || w == "nil"
}

// startsExpr reports whether Ruby code that is not a literal starts at pos.
func (s *scanner) startsExpr() bool {
	c := s.at(0)
	return isIdentStart(c) && s.word() != "do" && s.word() != "end" || strings.IndexByte("(!@$~`:", c) >= 0 || c == '-' && s.at(1) == '>'
}

// shown is the source from start to end on one line, clipped, for a
// message; a statement naming a password is not shown.
func (s *scanner) shown(start, end int) string {
	if text := collapse(s.src[start:end]); !strings.Contains(text, KeyESXiPassword) {
		return clip(text)
	}
	s.pos, start = start, s.pos
	defer func() { s.pos = start }()
	return s.word() + " ... (not shown)"
}

// set records an assignment and its warnings.
func (s *scanner) set(key string, line int, val any) {
	if prev, ok := s.f.Lines[key]; ok {
		s.warnf(line, "config.%s set again (also at line %d); the last assignment wins", key, prev)
	} else {
		s.f.Keys = append(s.f.Keys, key)
	}
	switch v := val.(type) {
	case string:
		if key == KeyESXiPassword {
			val = Password(v)
		}
	case Expr:
		if key == KeyESXiPassword {
			val = Expr(redacted) // Ruby code around a password may hold it
		}
	}
	s.f.Values[key], s.f.Lines[key] = val, line
	if !usedKeys[key] && !wakameKeys[key] {
		if sug := suggest(key); sug != "" {
			s.warnf(line, "unknown key %q (did you mean %q?)", key, sug)
		} else {
			s.warnf(line, "unknown key %q", key)
		}
	}
}
