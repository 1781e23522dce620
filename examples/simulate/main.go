// Command simulate walks one Wakame instance through the seed's whole
// life on embedded parts, the README's main command:
//
//	go run ./examples/simulate
//
// It starts a simulated ESXi host (vcsim), an image server with a
// generated VMDK pair and dcmgr's registry API, registers the host and the
// image, then runs run_local_store, reboot, poweroff, poweron and
// terminate on one instance, printing each step with its time, and checks
// that nothing is left but the cached image.
//
// By default the Wakame side (collector and job submitter) runs in
// process: no broker is needed and none is touched. With -broker the jobs
// go over AMQP, on a virtual host of the simulation's own
// ("esxi-hva-simulate" unless the URL names another), and the simulation
// refuses to start when something already consumes a collector queue
// there: it never answers in a real Wakame collector's place.
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
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(1)
	}
}

// flags are the simulation's command line.
type flags struct {
	id, broker string
	logLevel   slog.Level
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: simulate [flags]\n\nOne instance's whole life on a simulated ESXi; no subcommands.\nIn process unless -broker names a broker.\n\nflags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.id, "i", "demo", "node id suffix: the simulated agent joins as hva.<ID>")
	fs.StringVar(&f.broker, "broker", "", "run the jobs over this RabbitMQ, amqp://USER:PASS@HOST:PORT/[VHOST]; vhost "+
		simVhost+" unless VHOST is given (create it first); empty: in process, no broker")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelWarn, "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return f, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: f.logLevel}))
	return simulate(ctx, f, stdout, log)
}
