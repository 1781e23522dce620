package vdcdefaults

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
)

func defaults(t *testing.T, src string) Defaults {
	t.Helper()
	d, err := Parse("wakame-vdc", strings.NewReader(src))
	require.NoError(t, err)
	return d
}

// The /etc/default/wakame-vdc of the ESXi admin guide (shared/seed).
func TestDefaultsSeed(t *testing.T) {
	d, err := Load(filepath.Join("testdata", "wakame-vdc.default"))
	require.NoError(t, err)
	assert.Equal(t, Defaults{
		AMQPServer: "192.168.2.98",
		AMQPPort:   5672,
		HVAID:      "esxi1",
		VDCRoot:    "/home/wakame/wakame-vdc",
		Vars: map[string]string{
			"VDC_ROOT": "/home/wakame/wakame-vdc", "AMQP_SERVER": "192.168.2.98",
			"AMQP_PORT": "5672", "HVA_ID": "esxi1",
		},
	}, d)
	assert.Equal(t, "amqp://192.168.2.98:5672/", d.AMQPURL())
}

func TestDefaultsValues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]string
	}{
		{"plain", "A=b", map[string]string{"A": "b"}},
		{"empty", "A=", map[string]string{"A": ""}},
		{"export", "export A=b", map[string]string{"A": "b"}},
		{"export name only", "A=1\nexport A", map[string]string{"A": "1"}},
		{"several", "A=1 B=2", map[string]string{"A": "1", "B": "2"}},
		{"double quotes", `A="a b  c"`, map[string]string{"A": "a b  c"}},
		{"single quotes", `A='a $B "c"'`, map[string]string{"A": `a $B "c"`}},
		{"dq escapes", `A="q\"b\\s\$d\x"`, map[string]string{"A": `q"b\s$d\x`}},
		{"unquoted escape", `A=a\ b`, map[string]string{"A": "a b"}},
		{"concatenation", `A=a"b"'c'd`, map[string]string{"A": "abcd"}},
		{"comments", "# c\n  # indented\nA=1 # trailing\n\n", map[string]string{"A": "1"}},
		{"hash inside word", "A=x#y", map[string]string{"A": "x#y"}},
		{"expansion", "A=/opt\nB=$A/bin\nC=${A}x\nD=\"$A y\"", map[string]string{"A": "/opt", "B": "/opt/bin", "C": "/optx", "D": "/opt y"}},
		{"same-line expansion", "A=1 B=$A", map[string]string{"A": "1", "B": "1"}},
		{"default word", "A=${X:-five}\nE=\nB=${E:-d}\nC=${E-d}\nD=${X-d}", map[string]string{"A": "five", "E": "", "B": "d", "C": "", "D": "d"}},
		{"lone dollar", "A=$ B=a$", map[string]string{"A": "$", "B": "a$"}},
		{"multi-line quote", "A=\"a\nb\"\nB=2", map[string]string{"A": "a\nb", "B": "2"}},
		{"continuation", "A=a\\\nb", map[string]string{"A": "ab"}},
		{"crlf", "A=1\r\nB=2\r\n", map[string]string{"A": "1", "B": "2"}},
		{"tilde literal", "A=~/x", map[string]string{"A": "~/x"}},
		{"reassign", "A=1\nA=2", map[string]string{"A": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, defaults(t, tt.src).Vars)
		})
	}
}

func TestDefaultsFields(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Defaults
		url  string
	}{
		{"none", "", Defaults{AMQPPort: 5672}, ""},
		{"port", "AMQP_SERVER=mq\nAMQP_PORT=5673", Defaults{AMQPServer: "mq", AMQPPort: 5673}, "amqp://mq:5673/"},
		{"vdc-hva names", "AMQP_ADDR=127.0.0.1\nNODE_ID=demo1", Defaults{AMQPServer: "127.0.0.1", AMQPPort: 5672, HVAID: "demo1"}, "amqp://127.0.0.1:5672/"},
		{"wakame names win", "AMQP_ADDR=a\nAMQP_SERVER=b\nNODE_ID=x\nHVA_ID=y", Defaults{AMQPServer: "b", AMQPPort: 5672, HVAID: "y"}, "amqp://b:5672/"},
		{"ipv6", "AMQP_SERVER=::1", Defaults{AMQPServer: "::1", AMQPPort: 5672}, "amqp://[::1]:5672/"},
		{"empty port is default", "AMQP_SERVER=h\nAMQP_PORT=", Defaults{AMQPServer: "h", AMQPPort: 5672}, "amqp://h:5672/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := defaults(t, tt.src)
			d.Vars = nil
			assert.Equal(t, tt.want, d)
			assert.Equal(t, tt.url, d.AMQPURL())
		})
	}
	assert.Equal(t, "amqp://h:5672/", Defaults{AMQPServer: "h"}.AMQPURL(), "zero port means the default")
}

func TestDefaultsWarnings(t *testing.T) {
	d := defaults(t, "PATH=${VDC_ROOT}/ruby/bin:$PATH")
	assert.Equal(t, "/ruby/bin:", d.Vars["PATH"])
	assert.Equal(t, []string{
		`wakame-vdc:1: $VDC_ROOT is not set earlier in this file; it expands to ""`,
		`wakame-vdc:1: $PATH is not set earlier in this file; it expands to ""`,
	}, d.Warnings)
}

func TestDefaultsErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"spaces around =", "\nA = 1", 2, `no spaces allowed around '=' in "A = 1" (shell syntax: KEY=VALUE)`},
		{"command", "echo hi", 1, `not a KEY=VALUE assignment: "echo hi" (esxi-hva reads this file, it does not run it)`},
		{"assignment then command", "A=1 cmd", 1, `not a KEY=VALUE assignment: "cmd"`},
		{"bad name", "1A=2", 1, `not a KEY=VALUE assignment: "1A=2"`},
		{"unterminated double", "A=1\nB=\"abc\nC=2", 2, "unterminated double quote opened at line 2"},
		{"unterminated single", "B='abc", 1, "unterminated single quote opened at line 1"},
		{"command substitution", "A=$(ldconfig -p)", 1, "command substitution $(...) is not supported"},
		{"backticks", "A=`hostname`", 1, "command substitution `...` is not supported"},
		{"backticks quoted", "A=\"`hostname`\"", 1, "command substitution `...` is not supported"},
		{"pipe", "A=b|c", 1, `shell operator '|' is not supported`},
		{"semicolon", "A=b; B=c", 1, `shell operator ';' is not supported`},
		{"test", "[ -n \"$x\" ] && {", 1, `not a KEY=VALUE assignment: "[ -n \"$x\" ] && {"`},
		{"special param", "A=$1", 1, "special parameter $1 is not supported"},
		{"bad expansion", "A=${B:=c}", 1, "unsupported parameter expansion ${B:=c}"},
		{"unclosed brace", "A=${B", 1, "missing '}' in ${...}"},
		{"bad var name", "A=${1B}", 1, "bad variable name in ${1B}"},
		{"bad port", "\n\nAMQP_PORT=amqp", 3, `AMQP_PORT: want a port number from 1 to 65535, got "amqp"`},
		{"port range", "AMQP_PORT=70000", 1, `AMQP_PORT: want a port number from 1 to 65535, got "70000"`},
		{"export alone", "export", 1, `not a KEY=VALUE assignment: "export"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("wakame-vdc", strings.NewReader(tt.src))
			require.Error(t, err)
			assert.ErrorIs(t, err, hvaconf.ErrSyntax)
			var se *hvaconf.SyntaxError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, "wakame-vdc", se.File)
			assert.Equal(t, tt.line, se.Line, err.Error())
			assert.Contains(t, se.Msg, tt.msg)
		})
	}
}

// Wakame's packaged /etc/default/wakame-vdc ends in shell code: every such
// line is an error, and the assignments still count.
func TestDefaultsPackagedFile(t *testing.T) {
	d, err := Load(filepath.Join("testdata", "wakame-vdc.packaged"))
	require.Error(t, err)
	require.ErrorIs(t, err, hvaconf.ErrSyntax)
	assert.Equal(t, "/opt/axsh/wakame-vdc", d.VDCRoot)
	assert.Equal(t, "/opt/axsh/wakame-vdc/ruby/bin:", d.Vars["PATH"])
	var merr *multierror.Error
	require.ErrorAs(t, err, &merr)
	var lines []int
	for _, e := range merr.Errors {
		var se *hvaconf.SyntaxError
		require.True(t, errors.As(e, &se))
		lines = append(lines, se.Line)
	}
	assert.Equal(t, []int{10, 11, 14}, lines)
}

func TestDefaultsErrorCap(t *testing.T) {
	d, err := Parse("f", strings.NewReader(strings.Repeat("bad line\n", 50)+"A=1\n"))
	require.Error(t, err)
	assert.Equal(t, "1", d.Vars["A"])
	var merr *multierror.Error
	require.ErrorAs(t, err, &merr)
	assert.Len(t, merr.Errors, maxDefaultsErrors+1)
	assert.Contains(t, err.Error(), "f: 30 more bad lines")
}

func TestLoadMissing(t *testing.T) {
	d, err := Load(filepath.Join(t.TempDir(), "wakame-vdc"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, Defaults{}, d)
	assert.Equal(t, "", d.AMQPURL())
}

func TestLoadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wakame-vdc")
	require.NoError(t, os.WriteFile(p, []byte("export HVA_ID='esxi 2'\n"), 0o600))
	d, err := Load(p)
	require.NoError(t, err)
	assert.Equal(t, "esxi 2", d.HVAID)
}

func TestDefaultsExpansionIsBounded(t *testing.T) {
	d, err := Parse("d", strings.NewReader("A=xxxxxxxxxxxxxxxx\n"+strings.Repeat("A=$A$A\n", 5000)))
	require.ErrorIs(t, err, hvaconf.ErrSyntax)
	assert.Contains(t, err.Error(), "d:15: value longer than 65536 bytes")
	assert.LessOrEqual(t, len(d.Vars["A"]), 2*maxValueLen)

	_, err = Parse("d", strings.NewReader("A="+strings.Repeat("x", 60000)+"\n"+strings.Repeat("B=$A\n", 1000)))
	require.ErrorIs(t, err, hvaconf.ErrSyntax)
	assert.Contains(t, err.Error(), "variables expand to more than 8388608 bytes in all; reading stops here")
}
