package flatname

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDescriptor(t *testing.T) {
	for in, want := range map[string]string{
		"disk-flat.vmdk":       "disk.vmdk",
		"a-flat-flat.vmdk":     "a-flat.vmdk",
		"a-flat-b-flat-c.vmdk": "a-flat-b-c.vmdk",
		"disk-flat":            "disk",
		"my%20disk-flat.vmdk":  "my%20disk.vmdk",
	} {
		got, err := Descriptor(in)
		if err != nil || got != want {
			t.Errorf("Descriptor(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]error{
		"disk.vmdk":  ErrNoFlat,
		"":           ErrNoFlat,
		"-flat.vmdk": ErrNothingBefore,
		"-flat":      ErrNothingBefore,
	} {
		if _, err := Descriptor(in); !errors.Is(err, want) {
			t.Errorf("Descriptor(%q) error = %v, want %v", in, err, want)
		}
	}
}

func FuzzDescriptor(f *testing.F) {
	f.Add("disk-flat.vmdk")
	f.Add("-flat-flat")
	f.Fuzz(func(t *testing.T, name string) {
		d, err := Descriptor(name)
		if err != nil {
			return
		}
		// Putting "-flat" back where the last one was gives the name back.
		i := strings.LastIndex(name, "-flat")
		if d[:i]+"-flat"+d[i:] != name || len(d) != len(name)-5 || d == "" {
			t.Fatalf("Descriptor(%q) = %q", name, d)
		}
	})
}

func ExampleDescriptor() {
	d, _ := Descriptor("ubuntu-flat-flat.vmdk")
	fmt.Println(d)
	_, err := Descriptor("ubuntu.vmdk")
	fmt.Println(err)
	// Output:
	// ubuntu-flat.vmdk
	// the file name has no "-flat"
}
