package imagetest_test

import (
	"fmt"
	"io"
	"log"
	"net/http"

	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// Serve a 1 MiB pair, fail the next request, and count what was served.
func ExampleServer() {
	srv, err := imagetest.Start(1<<20, imagetest.WithName("ubuntu"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	fmt.Println(srv.FlatURL()[len(srv.URL()):], srv.DescriptorURL()[len(srv.URL()):], srv.Size())

	srv.FailNext(1, http.StatusServiceUnavailable)
	for range 2 {
		resp, err := http.Get(srv.FlatURL())
		if err != nil {
			log.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, n > 0)
	}
	fmt.Println(srv.BytesServed(), srv.FlatRequests())
	// Output:
	// /ubuntu-flat.vmdk /ubuntu.vmdk 1048576
	// 503 true
	// 200 true
	// 1048576 1
}
