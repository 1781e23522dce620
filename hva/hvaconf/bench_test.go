package hvaconf

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func benchInput(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// scanLines splits data into lines and fields: the least any
// line-oriented reader does, for a ratio against the parse benchmarks.
func scanLines(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sc := bufio.NewScanner(bytes.NewReader(data))
		n := 0
		for sc.Scan() {
			n += len(strings.Fields(sc.Text()))
		}
		if n == 0 {
			b.Fatal("no fields")
		}
	}
}

// BenchmarkScanLinesBaseline is the baseline of BenchmarkParse.
func BenchmarkScanLinesBaseline(b *testing.B) { scanLines(b, benchInput(b, "wakame-current.conf")) }

func BenchmarkParse(b *testing.B) {
	data := benchInput(b, "wakame-current.conf")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse("hva.conf", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := f.Config(); err != nil {
			b.Fatal(err)
		}
	}
}

// largeConf is a 200-network Wakame file (about 40 KB): mostly blocks to
// skip, comments and Wakame keys.
func largeConf() []byte {
	var b bytes.Buffer
	b.WriteString("config.esxi_ipaddress = \"192.168.2.25\"\nconfig.esxi_password = 'pw'\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "# network %d\ndc_network('net%d') {\n  bridge_type 'linux'\n  interface \"eth%d\"\n  bridge 'br%d'\n}\n", i, i, i, i)
		fmt.Fprintf(&b, "config.logging_service_port = %d\n", 8000+i)
	}
	return b.Bytes()
}

// BenchmarkScanLinesBaselineLarge is the baseline of BenchmarkParseLarge.
func BenchmarkScanLinesBaselineLarge(b *testing.B) { scanLines(b, largeConf()) }

func BenchmarkParseLarge(b *testing.B) {
	data := largeConf()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse("hva.conf", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Warnings) < 200 {
			b.Fatalf("%d warnings", len(f.Warnings))
		}
	}
}
