// Command capture is the seed's "Creating images" section as a program:
// it creates a temporary VM with an empty disk and an installer ISO,
// powers it on, waits until the guest powers itself off (the operator
// installs the OS on the console meanwhile), downloads the disk pair with
// its md5, destroys the temporary VM and prints the registration.
//
//	ESXI_PASSWORD=... go run ./examples/capture -host 192.168.2.25 \
//	    -thumbprint AB:CD:... -iso ./ubuntu-10.04.2-server-amd64.iso \
//	    -name esxi-1G-image -disk 1024 -out ./esxi_image
//
// -iso takes a local path or an http(s) URL (streamed to the datastore,
// never stored locally). -out writes NAME.vmdk and NAME-flat.vmdk into a
// directory; -put sends them to a WebDAV/HTTP PUT target instead (the
// flat's URL; the descriptor goes beside it). -register with -db DSN
// registers the image in dcmgr's database (vdc-manage image add);
// without it the vdc-manage command is printed.
//
// With --simulate it runs on an embedded simulated ESXi (vcsim): the
// "installer" writes a generated disk and powers the VM off itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	host, user, datastore, portGroup, thumbprint string
	insecure                                     bool
	name, iso, out, put, db, baseURL             string
	diskMB, memoryMB                             int64
	register, simulate                           bool
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: capture [flags]\n\nCreates a temporary VM from an installer ISO and downloads its disk pair with its md5; no subcommands.\nWith -simulate (or no -host) it runs on an embedded simulated ESXi host.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.host, "host", "", "ESXi host (password from ESXI_PASSWORD)")
	fs.StringVar(&o.user, "user", "root", "ESXi user")
	fs.StringVar(&o.datastore, "datastore", "datastore1", "datastore for the temporary VM")
	fs.StringVar(&o.portGroup, "portgroup", "VM Network", "port group of the VM's NIC")
	fs.StringVar(&o.thumbprint, "thumbprint", "", "SHA-256 thumbprint pinning the host's certificate")
	fs.BoolVar(&o.insecure, "insecure", false, "skip TLS verification (prefer -thumbprint)")
	fs.StringVar(&o.name, "name", "esxi-1G-image", "temporary VM name, and the image's file name")
	fs.StringVar(&o.iso, "iso", "", "installer ISO: a local path or an http(s) URL")
	fs.Int64Var(&o.diskMB, "disk", 1024, "disk size in MB")
	fs.Int64Var(&o.memoryMB, "memory", 1024, "memory in MB")
	fs.StringVar(&o.out, "out", "", "directory to write NAME.vmdk and NAME-flat.vmdk into")
	fs.StringVar(&o.put, "put", "", "HTTP PUT (WebDAV) URL of NAME-flat.vmdk, instead of -out")
	fs.StringVar(&o.baseURL, "base-url", "", "where the pair will be served from, for the registration (default: -put's folder)")
	fs.BoolVar(&o.register, "register", false, "register the image in dcmgr's database (needs -db)")
	fs.StringVar(&o.db, "db", "", "dcmgr MySQL DSN for -register, e.g. root@tcp(127.0.0.1:3306)/wakame_dcmgr")
	fs.BoolVar(&o.simulate, "simulate", false, "run against an embedded simulated ESXi")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case !o.simulate && o.host == "":
		return nil, errors.New("-host is required (or --simulate)")
	case !o.simulate && o.iso == "":
		return nil, errors.New("-iso is required (or --simulate)")
	case o.out == "" && o.put == "":
		return nil, errors.New("give -out DIR or -put URL")
	case o.out != "" && o.put != "":
		return nil, errors.New("give -out or -put, not both")
	case o.register && o.db == "":
		return nil, errors.New("-register needs -db (dcmgr's API cannot create images)")
	case o.diskMB <= 0 || o.memoryMB <= 0:
		return nil, errors.New("-disk and -memory must be positive")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = capture(ctx, o, stdout)
	return err
}
