package vdcdefaults

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "wakame-vdc.packaged"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if d, _ := Parse("wakame-vdc", bytes.NewReader(data)); d.VDCRoot == "" {
			b.Fatal("VDC_ROOT not read")
		}
	}
}
