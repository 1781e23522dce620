package rubymarshal

import (
	"encoding/json"
	"testing"
)

// The get_instance reply of testdata/golden/instance.bin: about 40 keys at
// the top, 2 vifs with ipv4 leases, 2 volumes, image with backup object.
// encoding/json on the same data is the baseline.

func BenchmarkDecodeInstance(b *testing.B) {
	data := readGolden(b, "instance")
	b.Run("ruby-bytes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeMap", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := DecodeMap(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	js, err := json.Marshal(expectedInstance().Map())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("json-baseline", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(js, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeInstance(b *testing.B) {
	h := expectedInstance()
	m := h.Map()
	for _, bc := range []struct {
		name string
		v    any
	}{{"hash", h}, {"map", m}} {
		b.Run(bc.name, func(b *testing.B) {
			out, err := Encode(bc.v)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(out)))
			for b.Loop() {
				if _, err := Encode(bc.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("json-baseline", func(b *testing.B) {
		out, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			if _, err := json.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
