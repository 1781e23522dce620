package hvaconf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, name := range []string{"seed.conf", "wakame-current.conf"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	for _, s := range []string{
		`config.x = "a\"b#{c}"`, "config.x = [1, {a: :b}, 'c']", "foo do |x|\n if y\n end\nend",
		"config.x =\n 1", "=begin\n=end\n", "config.x = 0x1F_0", "config.x = -1.5e3",
		"config.x = {k:v}", `config.x = "#{"#{'x'}"}"`, "a ? b : c", "config.x = 1 if y",
		"config.esxi_password = 'p'", "__END__\n}", "config.x = :\"s\"", "while a do\nend",
		"config.soft_poweroff_timeout = 0.1\nconfig.image_cache_budget = '1.5G'",
		"config.metadata_items = {}\nmetadata { path 'a', 'b' }", "esxi_ipaddress 'h'\nconfig.concurrency = 1",
		"config.esxi_password = \"\\xff#{x}\"", "metadata do\n path('a', 'b'); path 'c', 'd'\nend",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("hva.conf", strings.NewReader(src))
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Msg == "" {
				t.Fatalf("error is not a positioned *SyntaxError: %#v", err)
			}
			if se.Line > strings.Count(src, "\n")+1 {
				t.Fatalf("line %d beyond the end of a %d-line input", se.Line, strings.Count(src, "\n")+1)
			}
			return
		}
		if len(file.Keys) != len(file.Values) || len(file.Lines) != len(file.Values) {
			t.Fatalf("keys %d, values %d, lines %d", len(file.Keys), len(file.Values), len(file.Lines))
		}
		for k, line := range file.Lines {
			if line < 1 || line > strings.Count(src, "\n")+1 {
				t.Fatalf("key %q at line %d", k, line)
			}
		}
		c, _, err := file.Config()
		if err != nil {
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("Config error without *ValueError: %v", err)
			}
			return
		}
		if c.Concurrency < 1 || c.ImageCacheBudget < 0 || c.SoftPowerOffTimeout < 0 {
			t.Fatalf("out-of-range config accepted: %v", c)
		}
		if _, isString := file.Values[KeyESXiPassword].(string); isString {
			t.Fatal("esxi_password held as a plain string")
		}
		out := fmt.Sprintf("%v %+v %#v", c, c, c)
		if p := string(c.ESXiPassword); len(p) >= 4 && strings.Contains(out, p) && !strings.Contains(strings.ReplaceAll(out, p, ""), "***") {
			t.Fatalf("password printed: %v", c)
		}
	})
}
