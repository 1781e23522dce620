package metadrive_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/metadrive"
)

// Build the metadata CD of an instance and stream it, as hva does before
// uploading it to the datastore.
func Example() {
	tree := metadrive.Tree{
		"meta-data/instance-id":    []byte("i-abc\n"),
		"meta-data/local-hostname": []byte("i-abc\n"),
		"meta-data/network/interfaces/macs/52-54-00-12-34-56/x-gateway": []byte("10.0.0.1\n"),
		"meta-data/public-keys/": nil, // no key: an empty folder
		"user-data":              []byte("#!/bin/sh\necho hello\n"),
	}
	cd, err := metadrive.BuildCD(tree, metadrive.Options{ModTime: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := sha256.New()
	n, err := cd.WriteTo(h) // or io.Copy(upload, cd.Reader())
	fmt.Println(n == cd.Size(), err, cd.Size(), cd.ImageSize())
	// Output: true <nil> 10530816 10485760
}

// Names that a FAT file system cannot hold are refused, naming the path.
func ExampleBuildImage_badName() {
	_, err := metadrive.BuildImage(metadrive.Tree{"meta-data/../etc/passwd": []byte("x")}, metadrive.Options{})
	fmt.Println(errors.Is(err, metadrive.ErrBadName))
	fmt.Println(err)
	// Output:
	// true
	// metadrive: bad name: "meta-data/../etc/passwd": component ".." is not allowed
}

// Content that does not fit the image is an error wrapping ErrTooLarge.
func ExampleBuildImage_tooLarge() {
	_, err := metadrive.BuildImage(metadrive.Tree{"user-data": make([]byte, 3<<20)}, metadrive.Options{ImageSize: 3 << 20})
	fmt.Println(errors.Is(err, metadrive.ErrTooLarge))
	// Output: true
}

// Reader gives a fresh stream of exactly Size bytes each time, e.g. for an
// HTTP PUT with a known Content-Length.
func ExampleCD_Reader() {
	cd, err := metadrive.BuildCD(metadrive.Tree{"user-data": []byte("#cloud-config\n")}, metadrive.Options{ImageSize: 2 << 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := io.Copy(io.Discard, cd.Reader())
	fmt.Println(n, n == cd.Size(), err)
	// Output: 2142208 true <nil>
}
