package vdcdefaults

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data := mustRead(b, "wakame-vdc.packaged")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, _ := Parse("wakame-vdc", bytes.NewReader(data))
		if d.VDCRoot == "" {
			b.Fatal("VDC_ROOT not read")
		}
	}
}

func mustRead(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}
