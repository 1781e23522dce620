package rubymarshal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// FuzzDecode: Decode never panics, and whatever it accepts survives
// Encode and a second Decode unchanged.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.bin"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no golden seeds: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"\x04\x08[\x07@\x00;\x00",
		"\x04\x08u:\x09Time\x0d\x00\xf1\x53\x65\x40\xe2\x01\x00",
		"\x04\x08Iu:\x09Time\x0f\xf3\x2f\x00\x80\x00\x00\x00\x00\x06\x65\x07:\x09zone0:\x0boffseti\x02\x50\x46",
		"\x04\x08I:\x07\xc3\xa9\x06:\x06ET",
		"\x04\x08f\x0b1.1\x00\xab\xcd",
		"\x04\x08}\x00i\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		sv, err := NewDecoder(iotest.OneByteReader(bytes.NewReader(data))).Decode()
		if err != nil || !equalValue(v, sv) {
			t.Fatalf("Decoder disagrees with Decode: %s vs %s, %v", describe(v), describe(sv), err)
		}
		b, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode of decoded %s: %v", describe(v), err)
		}
		w, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode of re-encoded %s (%x): %v", describe(v), b, err)
		}
		if !equalValue(v, w) {
			t.Fatalf("round trip changed the value:\n  %s\n  %s", describe(v), describe(w))
		}
	})
}
