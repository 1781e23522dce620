// Command quickstart creates a VM with a fixed MAC on an ESXi host, powers
// it on, shows it, and destroys it. With no flags it runs against an
// embedded simulated host (vcsim), so it works on any machine:
//
//	go run ./examples/quickstart
//
// Against a real host (the password is read from ESXI_PASSWORD, never
// from a flag, so it stays out of the process list):
//
//	ESXI_PASSWORD=... go run ./examples/quickstart -host esxi1.example.com \
//	    -user root -datastore datastore1 -thumbprint AB:CD:...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: quickstart [flags]\n\nCreates a VM, powers it on, shows it and destroys it; no subcommands.\nWith no -host it runs on an embedded simulated ESXi host.\n\nflags:\n")
		fs.PrintDefaults()
	}
	host := fs.String("host", "", "ESXi host; empty runs an embedded simulator")
	user := fs.String("user", "root", "ESXi user (password from ESXI_PASSWORD)")
	datastore := fs.String("datastore", "datastore1", "datastore for the VM's folder")
	portGroup := fs.String("portgroup", esxi.DefaultPortGroup, "port group for the NIC")
	thumbprint := fs.String("thumbprint", "", "SHA-256 thumbprint pinning the host's certificate")
	insecure := fs.Bool("insecure", false, "skip TLS verification (prefer -thumbprint)")
	name := fs.String("name", "i-quickstart", "VM name")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	cfg := esxi.Config{Host: *host, Datastore: *datastore, PortGroup: *portGroup, Username: *user,
		Password: os.Getenv("ESXI_PASSWORD"), Thumbprint: *thumbprint, Insecure: *insecure}
	if *host == "" {
		sim, err := esxitest.Start(ctx)
		if err != nil {
			return fmt.Errorf("start simulator: %w", err)
		}
		defer sim.Close()
		cfg = sim.Config
		fmt.Fprintln(out, "using an embedded simulated ESXi host at", cfg.Host)
	}
	hv, err := esxi.Connect(ctx, cfg, esxi.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	if err != nil {
		return err
	}
	defer hv.Close(context.WithoutCancel(ctx))

	start := time.Now()
	vm, err := hv.CreateVM(ctx, esxi.VMSpec{Name: *name, CPUs: 1, MemoryMB: 256,
		NICs: []esxi.NICSpec{{MAC: "52:54:00:12:34:56"}}})
	if err != nil {
		return err
	}
	defer func() {
		if err := hv.DestroyVM(context.WithoutCancel(ctx), vm.Name); err != nil {
			fmt.Fprintln(out, "destroy:", err)
			return
		}
		fmt.Fprintf(out, "destroyed %s\n", vm.Name)
	}()
	if err := hv.PowerOn(ctx, vm.Name); err != nil {
		return err
	}
	info, err := hv.VM(ctx, vm.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created and powered on %s in %s: %s, %d CPU, %d MB, NIC %s on %q, folder %s\n",
		info.Name, time.Since(start).Round(time.Millisecond), info.PowerState, info.CPUs, info.MemoryMB,
		info.NICs[0].MAC, info.NICs[0].PortGroup, info.Folder)
	return nil
}
