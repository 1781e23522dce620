package redact_test

import (
	"fmt"

	"github.com/esxi-hva/esxi-hva/internal/redact"
)

func ExampleString() {
	fmt.Println(redact.String("https://bob:secret@images.example/disk-flat.vmdk?X-Amz-Signature=abc"))
	// Output: https://images.example/disk-flat.vmdk?
}
