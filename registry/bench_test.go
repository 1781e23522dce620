package registry

import (
	"context"
	"crypto/md5"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkVerifyMD5 compares the streaming verification of a file URI
// (progress callback included) with a bare md5 of the same file: the
// baseline sub-benchmark is the ratio's denominator.
func BenchmarkVerifyMD5(b *testing.B) {
	const size = 16 << 20
	path := filepath.Join(b.TempDir(), "disk-flat.vmdk")
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	sum := md5hex(data)
	b.Run("baseline-md5-copy", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			h := md5.New()
			if _, err := io.Copy(h, f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("VerifyMD5", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		var calls int
		for b.Loop() {
			if err := VerifyMD5(context.Background(), nil, "file://"+path, sum, size, func(done, total int64) { calls++ }); err != nil {
				b.Fatal(err)
			}
		}
		_ = calls
	})
}

// BenchmarkEditSpecs measures one idempotent add on a 100-entry file.
func BenchmarkEditSpecs(b *testing.B) {
	var data []byte
	for i := range 100 {
		data = append(data, []byte("spec"+string(rune('a'+i%26))+string(rune('a'+i/26))+":\n  cpu_cores: 1\n  memory_size: 256\n  hypervisor: 'kvm'\n  quota_weight: 1.0\n")...)
	}
	spec := InstanceSpec{CPUCores: 1, MemorySize: 256, Hypervisor: "esxi"}
	out, _, err := EditSpecs(data, "esxi.small", &spec)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, changed, err := EditSpecs(out, "esxi.small", &spec); err != nil || changed {
			b.Fatal(changed, err)
		}
	}
}
