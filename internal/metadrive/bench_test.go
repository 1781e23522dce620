package metadrive

import (
	"io"
	"runtime"
	"testing"
	"time"
)

// BenchmarkMetadataCD builds the typical CD (20 items, 2 NICs with 12 items
// each, a key, 4 KiB of user data) and streams it to io.Discard. Bytes per
// second are of the CD; compare B/op with the CD's size (reported as
// cd-bytes) for the allocation target (< 3x).
func BenchmarkMetadataCD(b *testing.B) {
	tree := typicalTree()
	o := Options{ModTime: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	cd, err := BuildCD(tree, o)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cd.Size())
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		cd, err := BuildCD(tree, o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cd.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(cd.Size()), "cd-bytes")
	// The allocation target is < 3 (bytes allocated per CD byte).
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(cd.Size()), "alloc/cd-byte")
}

// BenchmarkMetadataCDReader streams the CD through Reader and io.Copy, the
// way an upload reads it.
func BenchmarkMetadataCDReader(b *testing.B) {
	tree := typicalTree()
	cd, err := BuildCD(tree, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cd.Size())
	b.ReportAllocs()
	for b.Loop() {
		cd, err := BuildCD(tree, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, cd.Reader()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildImage is the baseline: the dense metadata.img alone, which
// has to allocate its whole size.
func BenchmarkBuildImage(b *testing.B) {
	tree := typicalTree()
	b.SetBytes(DefaultImageSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildImage(tree, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
