package hvaconf

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("hva.conf", strings.NewReader(src))
	require.NoError(t, err)
	return f
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"double quoted", `config.x = "192.168.2.25"`, "192.168.2.25"},
		{"single quoted", `config.x = 'off'`, "off"},
		{"empty string", `config.x = ""`, ""},
		{"dq escapes", `config.x = "a\"b\\c\nd\te"`, "a\"b\\c\nd\te"},
		{"dq hex and unicode", `config.x = "\x41\u00e9\u{1F600}"`, "Aé😀"},
		{"hex escape to a byte", `config.x = "\xe9"`, "\xe9"},
		{"octal escapes", `config.x = "\101\0\12x\7"`, "A\x00\nx\a"},
		{"UTF-8 text", "config.x = 'café'", "café"},
		{"dq unknown escape is the letter", `config.x = "\q"`, "q"},
		{"sq escapes", `config.x = 'it\'s \\ \n'`, `it's \ \n`},
		{"hash inside string", `config.x = "a # not a comment"`, "a # not a comment"},
		{"interpolation kept", `config.x = "#{ENV["HOME"]}/x"`, `#{ENV["HOME"]}/x`},
		{"multi-line string", "config.x = \"a\nb\"", "a\nb"},
		{"int", `config.x = 8888`, int64(8888)},
		{"int underscores", `config.x = 10_737_418_240`, int64(10737418240)},
		{"negative int", `config.x = -1`, int64(-1)},
		{"plus int", `config.x = +3`, int64(3)},
		{"hex", `config.x = 0x1F`, int64(31)},
		{"hex underscores", `config.x = 0xf_f`, int64(255)},
		{"binary", `config.x = 0b101`, int64(5)},
		{"octal", `config.x = 0o17`, int64(15)},
		{"legacy octal", `config.x = 017`, int64(15)},
		{"zero", `config.x = 0`, int64(0)},
		{"min int64", `config.x = -9223372036854775808`, int64(-9223372036854775808)},
		{"float", `config.x = 1.5`, 1.5},
		{"float exponent", `config.x = 1e3`, 1000.0},
		{"negative float", `config.x = -2.5e-1`, -0.25},
		{"true", `config.x = true`, true},
		{"false", `config.x = false`, false},
		{"nil", `config.x = nil`, nil},
		{"symbol", `config.x = :error`, Symbol("error")},
		{"quoted symbol", `config.x = :"two words"`, Symbol("two words")},
		{"empty array", `config.x = []`, []any{}},
		{"array", `config.x = ["a", 1, :b, nil, true]`, []any{"a", int64(1), Symbol("b"), nil, true}},
		{"array multi-line trailing comma", "config.x = [\n  'a',\n  'b',\n]", []any{"a", "b"}},
		{"nested array", `config.x = [[1], [2, [3]]]`, []any{[]any{int64(1)}, []any{int64(2), []any{int64(3)}}}},
		{"hash rocket", `config.x = { "k" => "v", :s => 1 }`, map[string]any{"k": "v", "s": int64(1)}},
		{"hash labels", `config.x = { k: "v", "q": :w }`, map[string]any{"k": "v", "q": Symbol("w")}},
		{"hash label without space", `config.x = {k:true}`, map[string]any{"k": true}},
		{"empty hash", `config.x = {}`, map[string]any{}},
		{"hash multi-line", "config.x = {\n  'a' => [1,\n 2],\n  b: {c: 'd'},\n}", map[string]any{"a": []any{int64(1), int64(2)}, "b": map[string]any{"c": "d"}}},
		{"value on next line", "config.x =\n  'later'", "later"},
		{"trailing comment", `config.x = 'v' # comment`, "v"},
		{"trailing whitespace and CRLF", "config.x = 'v'  \t\r\n", "v"},
		{"semicolon", `config.x = 'v'; config.y = 1`, "v"},
		{"no spaces", `config.x='v'`, "v"},
		{"expression", `config.x = 60 * 15`, Expr("60 * 15")},
		{"method call", `config.x = File.join(File.expand_path('../../script', __FILE__), 'a.sh')`, Expr("File.join(File.expand_path('../../script', __FILE__), 'a.sh')")},
		{"env lookup", `config.x = ENV['PW']`, Expr("ENV['PW']")},
		{"modifier if", `config.x = 1 if true`, Expr("1 if true")},
		{"array with code", `config.x = [1, foo]`, Expr("[1, foo]")},
		{"expression over lines", "config.x = 1 +\n  2", Expr("1 + 2")},
		{"lambda", `config.x = lambda { |a| a }`, Expr("lambda { |a| a }")},
		{"after BOM", "\ufeffconfig.x = 1", int64(1)},
		{"division", `config.x = 10 / 2`, Expr("10 / 2")},
		{"modulo", `config.x = 10 %3`, Expr("10 %3")},
		{"shift", `config.x = 1 << 2`, Expr("1 << 2")},
		{"ternary", `config.x = a ? 'b' : 'c'`, Expr("a ? 'b' : 'c'")},
		{"ambiguous slash is division", "config.x = total /2\nconfig.y = 1", Expr("total /2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, tt.src)
			require.Contains(t, f.Values, "x")
			assert.Equal(t, tt.want, f.Values["x"])
			assert.Equal(t, 1, f.Lines["x"])
		})
	}
}

func TestParseLinesOrderAndRepeats(t *testing.T) {
	f := parse(t, "# c\n\nconfig.esxi_datastore = 'a'\nconfig.esxi_username = 'u'\n# config.esxi_username = 'hidden'\n\n\nconfig.esxi_datastore = 'b'\n")
	assert.Equal(t, []string{"esxi_datastore", "esxi_username"}, f.Keys)
	assert.Equal(t, "b", f.Values["esxi_datastore"])
	assert.Equal(t, 8, f.Lines["esxi_datastore"])
	assert.Equal(t, "u", f.Values["esxi_username"])
	assert.Equal(t, 4, f.Lines["esxi_username"])
	assert.Equal(t, []string{"hva.conf:8: config.esxi_datastore set again (also at line 3); the last assignment wins"}, f.Warnings)
}

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown key", "\nconfig.foo = 1", []string{`hva.conf:2: unknown key "foo"`}},
		{"typo suggestion", "config.esxi_pasword = 'x'", []string{`hva.conf:1: unknown key "esxi_pasword" (did you mean "esxi_password"?)`}},
		{"wakame key is quiet", "config.enable_ebtables = true\nconfig.trema_dir = '/x'", nil},
		{"brace block", "dc_network('public') {\n  bridge_type 'linux'\n  interface 'eth0'\n}", []string{"hva.conf:1: skipped block dc_network('public') { ... } (lines 1-4): not used by esxi-hva"}},
		{"do block", "capture do\n  cpu_time 60\nend", []string{"hva.conf:1: skipped block capture do ... end (lines 1-3): not used by esxi-hva"}},
		{"config do block", "config.foo do |c|\n  c.bar = 1\nend", []string{"hva.conf:1: skipped block config.foo do ... end (lines 1-3): not a Wakame hva.conf section"}},
		{"nested blocks", "hypervisor_driver('openvz') {\n  cgroup_blkio {\n    read_iops 200\n  }\n  x do\n    if y\n      z\n    end\n  end\n}", []string{"hva.conf:1: skipped block hypervisor_driver('openvz') { ... } (lines 1-10): not used by esxi-hva"}},
		{"keywords as methods, labels and modifiers", "foo do\n  x = (1..2).end\n  y = obj&.do\n  bar(if: 1, end: 2, do: 3)\n  return if z\n  yield unless w\n  v = Foo::end\n  class << self\n    def a; end\n  end\n  k = case q\n      when 1 then :a\n      end\n  begin\n    r\n  end while s\nend", []string{"hva.conf:1: skipped block foo do ... end (lines 1-17): not a Wakame hva.conf section"}},
		{"brackets and ends in strings and comments", "capture {\n  a '}', \"{\"\n  b \"}#{'}'}\"# } end\n}\nhypervisor_driver(:kvm) do\n  c 'end' # end\nend", []string{
			"hva.conf:1: skipped block capture { ... } (lines 1-4): not used by esxi-hva",
			"hva.conf:5: skipped block hypervisor_driver(:kvm) do ... end (lines 5-7): not used by esxi-hva",
		}},
		{"one-line block", "features { openvnet false }", []string{"hva.conf:1: skipped block features { ... }: not used by esxi-hva"}},
		{"bare statement", "require 'fuguta'", []string{`hva.conf:1: skipped statement "require 'fuguta'": esxi-hva reads only config.key = value assignments`}},
		{"unknown dsl call", "bridge_prefix 'br'", []string{`hva.conf:1: skipped statement "bridge_prefix 'br'": esxi-hva reads only config.key = value assignments`}},
		{"local variable", "esxi_username = 'x'", []string{`hva.conf:1: "esxi_username = 'x'" sets a Ruby local variable, not the setting: write config.esxi_username = ...`}},
		{"local variable password", "esxi_password = 'S3cr3t'", []string{`hva.conf:1: "esxi_password ... (not shown)" sets a Ruby local variable, not the setting: write config.esxi_password = ...`}},
		{"known key with block", "esxi_datastore do\nend", []string{"hva.conf:1: skipped block esxi_datastore do ... end (lines 1-2): not a Wakame hva.conf section"}},
		{"known key alone", "esxi_datastore", []string{`hva.conf:1: skipped statement "esxi_datastore": esxi-hva reads only config.key = value assignments`}},
		{"nested config setting", "config.features.openvnet = true", []string{`hva.conf:1: skipped statement "config.features.openvnet = true": esxi-hva reads only config.key = value assignments`}},
		{"interpolation", `config.trema_tmp = "#{x}/tmp"`, []string{`hva.conf:1: string "#{x}/tmp" has Ruby interpolation (#{...}, #$x, #@x), which esxi-hva keeps as literal text`}},
		{"global interpolation", `config.trema_tmp = "#$x/tmp"`, []string{`hva.conf:1: string "#$x/tmp" has Ruby interpolation (#{...}, #$x, #@x), which esxi-hva keeps as literal text`}},
		{"special global interpolation", `config.trema_tmp = "a#$!b"`, []string{`hva.conf:1: string "a#$!b" has Ruby interpolation (#{...}, #$x, #@x), which esxi-hva keeps as literal text`}},
		{"class variable interpolation", `config.trema_tmp = "#@@v"`, []string{`hva.conf:1: string "#@@v" has Ruby interpolation (#{...}, #$x, #@x), which esxi-hva keeps as literal text`}},
		{"escaped interpolation", `config.trema_tmp = "\#{x} #1 # $x"`, nil},
		{"duplicate hash key", `config.metadata_items = {"a" => "1", a: "2"}`, []string{`hva.conf:1: hash key "a" given twice; the last one wins`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, tt.src)
			assert.Equal(t, tt.want, f.Warnings)
		})
	}
}

// Wakame's DSL form sets known keys too (dcmgr/spec/minimal_hva.conf
// is `vm_data_dir '/'`).
func TestParseDSLSettings(t *testing.T) {
	tests := []struct {
		src  string
		key  string
		want any
	}{
		{"vm_data_dir '/'", "vm_data_dir", "/"},
		{"esxi_ipaddress \"10.0.0.1\" # comment", "esxi_ipaddress", "10.0.0.1"},
		{"esxi_ipaddress(\"10.0.0.1\")", "esxi_ipaddress", "10.0.0.1"},
		{"ovs_ofctl_path '/usr/bin/ovs-ofctl'", "ovs_ofctl_path", "/usr/bin/ovs-ofctl"},
		{"concurrency 8", "concurrency", int64(8)},
		{"esxi_insecure false", "esxi_insecure", false},
		{"logging_service_port -1", "logging_service_port", int64(-1)},
		{"metadata_items({'a' => 'b'})", "metadata_items", map[string]any{"a": "b"}},
		{"metadata_items 'a' => 'b'", "metadata_items", Expr("'a' => 'b'")},
		{"esxi_password ENV['PW']", "esxi_password", Expr("***")},
		{"esxi_password 'pw'", "esxi_password", Password("pw")},
		{"trema_tmp File.join(a, 'tmp')", "trema_tmp", Expr("File.join(a, 'tmp')")},
		{"concurrency(8) + 1", "concurrency", Expr("(8) + 1")},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f := parse(t, tt.src)
			assert.Empty(t, f.Warnings)
			assert.Equal(t, tt.want, f.Values[tt.key])
			assert.Equal(t, 1, f.Lines[tt.key])
		})
	}
	f := parse(t, "config.esxi_datastore = 'a'\nesxi_datastore 'b'")
	assert.Equal(t, "b", f.Values["esxi_datastore"])
	assert.Equal(t, []string{"hva.conf:2: config.esxi_datastore set again (also at line 1); the last assignment wins"}, f.Warnings)
}

func TestParseBlocksDoNotLeakSettings(t *testing.T) {
	f := parse(t, "capture {\n  config.esxi_password = 'inside'\n}\nconfig.esxi_username = 'outside'\n")
	assert.NotContains(t, f.Values, "esxi_password")
	assert.Equal(t, "outside", f.Values["esxi_username"])
	assert.Equal(t, 4, f.Lines["esxi_username"])
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"missing value", "config.esxi_password =", 1, "expected value after '=' for config.esxi_password"},
		{"missing value then statement", "config.a =\n\nconfig.b = 1", 1, "expected value after '=' for config.a"},
		{"bad value token", "config.a = )", 1, "expected value after '=' for config.a, found ')'"},
		{"no equals", "config.esxi_ipaddress \"1.2.3.4\"", 1, "expected '=' after config.esxi_ipaddress, found string"},
		{"no equals at eol", "\nconfig.esxi_ipaddress\n", 2, "expected '=' after config.esxi_ipaddress"},
		{"double equals", "config.a == 1", 1, "expected '=' after config.a, found '=='"},
		{"no name", "config.= 1", 1, "expected a setting name after 'config.', found '='"},
		{"unterminated dq", "config.a = \"abc\nconfig.b = 1\n", 1, "unterminated string: missing closing \" for the string opened at line 1"},
		{"unterminated sq", "\n\nconfig.a = 'abc", 3, "unterminated string: missing closing ' for the string opened at line 3"},
		{"unterminated interpolation", `config.a = "#{x`, 1, "unterminated #{...}"},
		{"missing end", "x = 1\n\n\n\n\n\n\n\n\n\n\nhypervisor_driver(:kvm) do\n  foo\n", 14, "missing 'end' for block opened at line 12"},
		{"missing brace", "capture {\n  cpu_time 60\n", 3, "missing '}' for '{' opened at line 1"},
		{"missing bracket", "config.a = [1,\n 2\n", 3, "missing ']' for '[' opened at line 1"},
		{"mismatched", "foo(1]", 1, "expected ')' to close '(' opened at line 1, found ']'"},
		{"end in brace", "foo {\nend", 2, "expected '}' to close '{' opened at line 1, found 'end'"},
		{"brace closes do", "foo do\n}", 2, "expected 'end' for block opened at line 1, found '}'"},
		{"stray end", "foo\nend", 2, "unexpected 'end' with no open block"},
		{"stray brace", "}", 1, "expected config.key = value, found '}'"},
		{"literal statement", "'just a string'", 1, "expected config.key = value, found string"},
		{"seed without comment marks", "------------------------\nConfiguration file for hva.", 1, "expected config.key = value, found '-'"},
		{"bad number", "config.a = 12abc", 1, "invalid number 12abc: not an integer"},
		{"bad octal", "config.a = 09", 1, "invalid number 09: not an integer"},
		{"double underscore", "config.a = 1__0", 1, "invalid number 1__0: '_' must sit between digits"},
		{"underscore after prefix", "config.a = 0b_01", 1, "invalid number 0b_01: '_' must sit between digits"},
		{"underscore in exponent", "config.a = 5.8e_1", 1, "invalid number 5.8e_1: '_' must sit between digits"},
		{"empty array element", "config.a = [\n1,,2]", 2, "expected a value or ']' in the array opened at line 1, found ','"},
		{"comma only array", "config.a = [,]", 1, "expected a value or ']' in the array opened at line 1, found ','"},
		{"empty hash entry", "config.a = {,}", 1, "expected a key or '}' in the hash opened at line 1, found ','"},
		{"trailing underscore", "config.a = 10_", 1, "invalid number 10_: '_' must sit between digits"},
		{"overflow", "config.a = 9223372036854775808", 1, "invalid number 9223372036854775808: out of the range of a 64-bit integer"},
		{"control char", "config.a = \x01", 1, "expected value after '=' for config.a, found '\\x01'"},
		{"stray backslash", "config.a = \\ 1", 1, "expected value after '=' for config.a, found '\\'"},
		{"bad unicode", `config.a = "\u{110000}"`, 1, "invalid unicode escape"},
		{"bad hex", `config.a = "\xZZ"`, 1, "invalid \\x escape"},
		{"control escape", `config.a = "\C-a"`, 1, "unsupported escape \\C (control and meta characters)"},
		{"invalid UTF-8 in string", "# caf\xe9 is fine in a comment\nconfig.a = 'caf\xe9'", 2, "invalid UTF-8 in a string: save hva.conf as UTF-8"},
		{"invalid UTF-8 in name", "config.caf\xe9 = 1", 1, "invalid UTF-8 in a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("hva.conf", strings.NewReader(tt.src))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrSyntax)
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "want *SyntaxError, got %T", err)
			assert.Equal(t, "hva.conf", se.File)
			assert.Equal(t, tt.line, se.Line, "line of %v", err)
			assert.Contains(t, se.Msg, tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "hva.conf:"), err.Error())
		})
	}
}

func TestParseNestingLimit(t *testing.T) {
	deep := "config.a = " + strings.Repeat("[", maxNesting+5) + strings.Repeat("]", maxNesting+5)
	_, err := Parse("hva.conf", strings.NewReader(deep))
	require.ErrorIs(t, err, ErrSyntax)
	assert.Contains(t, err.Error(), "nested more than")

	ok := "config.a = " + strings.Repeat("[", 10) + strings.Repeat("]", 10)
	f := parse(t, ok)
	assert.IsType(t, []any{}, f.Values["a"])
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse("hva.conf", strings.NewReader(strings.Repeat("#", maxInput+1)))
	require.ErrorIs(t, err, ErrSyntax)
	assert.Contains(t, err.Error(), "larger than")
}

func TestParseFileMissing(t *testing.T) {
	_, err := ParseFile(t.TempDir() + "/nope.conf")
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}
