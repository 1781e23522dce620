package image_test

import (
	"context"
	"fmt"
	"log"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

// Deploy an image registered by its flat's URI and md5 into an instance's
// folder: the first launch fetches and verifies it into the datastore's
// cache, the second copies the cached pair and fetches nothing.
func ExampleCache_Deploy() {
	ctx := context.Background()
	env, err := esxitest.Start(ctx) // a simulated ESXi host
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	cl, err := esxi.Connect(ctx, env.Config)
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close(ctx)
	srv, err := imagetest.Start(1 << 20) // an HTTP server of a 1 MiB image
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	cache := image.NewCache(cl, image.CacheOptions{})
	src := image.Source{URI: srv.FlatURL(), MD5: srv.MD5()}
	for _, id := range []string{"i-abc", "i-def"} {
		folder := esxi.DatastorePath{Datastore: cl.Datastore(), Path: id}
		if err := cl.MakeDirectory(ctx, folder); err != nil {
			log.Fatal(err)
		}
		dst, _ := folder.Join(id + ".vmdk")
		if err := cache.Deploy(ctx, src, dst, nil); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: deployed, %d bytes fetched so far\n", dst, srv.BytesServed())
	}
	// Output:
	// [datastore1] i-abc/i-abc.vmdk: deployed, 1048576 bytes fetched so far
	// [datastore1] i-def/i-def.vmdk: deployed, 1048576 bytes fetched so far
}

// DescriptorURI drops the last "-flat" of the file name only.
func ExampleDescriptorURI() {
	for _, u := range []string{
		"http://images.example.com/esxi/ubuntu-flat.vmdk",
		"http://images-flat.example.com/x-flat/disk-flat-flat.vmdk",
	} {
		d, err := image.DescriptorURI(u)
		fmt.Println(d, err)
	}
	// Output:
	// http://images.example.com/esxi/ubuntu.vmdk <nil>
	// http://images-flat.example.com/x-flat/disk-flat.vmdk <nil>
}
