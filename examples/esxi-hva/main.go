// Command esxi-hva is a Wakame-vdc hypervisor agent (HVA) for VMware
// ESXi, the Go replacement of Wakame's Ruby ESXi HVA, and the starting
// point to copy for a custom agent. Its flags follow Ruby's bin/hva:
//
//	esxi-hva -i esxi1 -s amqp://192.168.2.1:5672/ -c /etc/wakame-vdc/hva.conf
//
// It reads the ESXi settings from hva.conf (config.esxi_ipaddress,
// esxi_datacenter, esxi_datastore, esxi_username, esxi_password, ...),
// the broker and node id from /etc/default/wakame-vdc when present (flags
// win), joins Wakame as node hva.<ID> over AMQP and runs the jobs it is
// sent until SIGINT or SIGTERM, then stops taking jobs and lets the
// running ones finish.
//
// It is the program operators install: it links no simulator and no test
// code (examples/simulate is the demo on embedded parts). -version prints
// the module version and VCS revision it was built from.
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
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		stop()
		os.Exit(1)
	}
}

// fatal reports the error that stops the agent on stderr, in the log's
// format (one JSON object under -log-format json), and returns it.
func fatal(f *flags, log *slog.Logger, stderr io.Writer, err error) error {
	if log == nil {
		if f != nil && strings.EqualFold(f.logFormat, "json") {
			log = slog.New(slog.NewJSONHandler(stderr, nil))
		} else {
			fmt.Fprintln(stderr, "esxi-hva:", err)
			return err
		}
	}
	log.Error("esxi-hva stopped", "err", err)
	return err
}

// flags are the agent's command line.
type flags struct {
	id, server, conf, defaults string
	logLevel, logFormat        string
	metricsAddr                string
	version                    bool
	set                        map[string]bool
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("esxi-hva", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: esxi-hva [flags]

The Wakame-vdc hypervisor agent for VMware ESXi. It has no subcommands:
it joins Wakame as hva.<ID> and runs the jobs it is sent until SIGTERM.
The simulation on embedded parts is a program of its own: go run ./examples/simulate

flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.id, "i", "", "node id suffix: the agent joins as hva.<ID> (default: HVA_ID of -e, else the host name)")
	fs.StringVar(&f.server, "s", "", "AMQP broker, amqp://HOST:PORT/ or amqps://HOST:PORT/ (default: AMQP_URL, else AMQP_SERVER/AMQP_PORT of -e, else amqp://127.0.0.1:5672/); credentials from AMQP_USER and AMQP_PASSWORD or AMQP_PASSWORD_FILE of -e, never on the command line")
	fs.StringVar(&f.conf, "c", "/etc/wakame-vdc/hva.conf", "hva.conf with the config.esxi_* settings")
	fs.StringVar(&f.defaults, "e", "/etc/default/wakame-vdc", "environment file, read when present (flags win)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "text or json")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve /metrics (Prometheus) and /healthz on this address, e.g. 127.0.0.1:9464 (default: off)")
	fs.BoolVar(&f.version, "version", false, "print the version and VCS revision, then exit")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q (esxi-hva has no subcommands)", fs.Args())
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, nil
}

func newLogger(f *flags, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("-log-level %q: %w", f.logLevel, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(f.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", f.logFormat)
}

// run is the program; it returns nil on -h, -version and a clean stop,
// and the error it has already reported otherwise.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fatal(f, nil, stderr, err)
	}
	if f.version {
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	log, err := newLogger(f, stderr)
	if err != nil {
		return fatal(f, nil, stderr, err)
	}
	if err := serve(ctx, f, log); err != nil {
		return fatal(f, log, stderr, err)
	}
	return nil
}
