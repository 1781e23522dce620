package vdcdefaults

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultsMatchBash sources each valid file with bash, in an empty
// environment, and compares every variable with Parse's Vars. The
// deliberate differences (CR before LF dropped, no ~ expansion) are
// tested in TestDefaultsValues.
func TestDefaultsMatchBash(t *testing.T) {
	bash := testenv.RequireCommand(t, "bash")
	seed, err := os.ReadFile(filepath.Join("testdata", "wakame-vdc.default"))
	require.NoError(t, err)
	inputs := []string{
		string(seed),
		"A=b\nexport C=d E=f\nexport A",
		`A="a b  c" B='x $A "y"' C=a"b"'c'd`,
		`A="q\"b\\s\$d\x\` + "`" + `"`,
		`A=a\ b\$c\\d`,
		"A=1 # trailing\n  # indented\nB=x#y",
		"A=/opt\nB=$A/bin\nC=${A}x\nD=\"$A y\"\nE=\"${A}\"'$A'",
		"A=1 B=$A",
		"A=${X:-five}\nE=\nB=${E:-d}\nC=${E-d}\nD=${X-d}\nF=${A:-z}",
		"A=$ B=a$ C=\"$\" D='$'",
		"A=\"a\nb\"\nB='c\nd'\nC=2",
		"A=a\\\nb\nB=\"c\\\nd\"",
		"A=x~ B=a~b",
		"export A=\"x\" B\nB=${A:-y}${B-z}",
		"A=1\nA=2\nA=\"$A$A\"",
		"A=\"it's\" B='say \"hi\"' C=\"\\\\\"",
		"A=\"#not a comment\" B=#also",
		"A=%s C=a=b=c D==",
		"A=\t\nB=",
		"_X1=ok x_y=lower",
	}
	for _, src := range inputs {
		t.Run(strings.ReplaceAll(src, "\n", "⏎"), func(t *testing.T) {
			d, err := Parse("f", strings.NewReader(src))
			require.NoError(t, err)
			names := make([]string, 0, len(d.Vars))
			for k := range d.Vars {
				names = append(names, k)
			}
			sort.Strings(names)
			script := filepath.Join(t.TempDir(), "defaults")
			require.NoError(t, os.WriteFile(script, []byte(src), 0o600))
			// Print each variable NUL-terminated, in the same order.
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", `. "$1"; shift; for n; do printf '%s\0' "${!n}"; done`, "bash", script)
			cmd.Args = append(cmd.Args, names...)
			cmd.Env = []string{}
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			require.NoError(t, cmd.Run(), stderr.String())
			got := strings.Split(out.String(), "\x00")
			require.Len(t, got, len(names)+1)
			for i, n := range names {
				assert.Equal(t, got[i], d.Vars[n], "variable %s", n)
			}
		})
	}
}
