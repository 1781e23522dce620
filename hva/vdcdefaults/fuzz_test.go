package vdcdefaults

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
)

func FuzzParse(f *testing.F) {
	for _, name := range []string{"wakame-vdc.default", "wakame-vdc.packaged"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	for _, s := range []string{
		"export A=1 B=\"$A x\"", "A='x\ny'", "A=${B:-c}", "A=$(x)", "A=\\\nb", "A=\"\\\"\"", "A = 1", "AMQP_PORT=0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Parse("wakame-vdc", strings.NewReader(src))
		if err != nil && !errors.Is(err, hvaconf.ErrSyntax) {
			t.Fatalf("error does not match ErrSyntax: %v", err)
		}
		if d.AMQPPort < 1 || d.AMQPPort > 65535 {
			t.Fatalf("port %d", d.AMQPPort)
		}
		if d.Vars == nil {
			t.Fatal("nil Vars")
		}
		for k := range d.Vars {
			if !validName(k) {
				t.Fatalf("invalid variable name %q", k)
			}
		}
		if d.AMQPServer != "" && !strings.HasPrefix(d.AMQPURL(), "amqp://") {
			t.Fatalf("AMQPURL %q", d.AMQPURL())
		}
	})
}
