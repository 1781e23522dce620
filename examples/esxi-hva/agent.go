package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
	"github.com/esxi-hva/esxi-hva/hva/hvametrics"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/hva/vdcdefaults"
	"github.com/esxi-hva/esxi-hva/image"
)

// defaultBroker is Isono's default broker.
const defaultBroker = "amqp://guest:guest@127.0.0.1:5672/"

// settings resolves the node id and broker: flags, then the environment
// file, then the defaults. A value it uses that is invalid is an error.
func settings(f *flags, log *slog.Logger) (nodeID string, b broker, err error) {
	d, err := vdcdefaults.Load(f.defaults)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if f.set["e"] {
			return "", broker{}, fmt.Errorf("-e %s: %w", f.defaults, err)
		}
	case errors.Is(err, hvaconf.ErrSyntax):
		// Wakame's packaged file ends in shell code: keep what the
		// assignments set and say what was skipped (a bad value of a
		// key the agent uses is refused below).
		log.Warn("environment file: lines skipped", "err", err)
	case err != nil:
		return "", broker{}, fmt.Errorf("-e %s: %w", f.defaults, err)
	}
	for _, w := range d.Warnings {
		log.Warn(w)
	}
	if b, err = brokerSettings(f, d.Vars, log); err != nil {
		return "", broker{}, fmt.Errorf("%s: %w", f.defaults, err)
	}
	id, from := f.id, "-i"
	if id == "" {
		id, from = d.HVAID, "HVA_ID"
	}
	if id == "" {
		if id, err = os.Hostname(); err != nil {
			return "", broker{}, fmt.Errorf("no -i and no host name: %w", err)
		}
		from = "the host name"
	}
	id = strings.TrimPrefix(id, "hva.")
	if !validID(id) {
		return "", broker{}, fmt.Errorf("%s %q: want letters, digits, '-', '_' or '.' (the agent joins as hva.<ID>)", from, id)
	}
	return "hva." + id, b, nil
}

// validID reports whether id can follow "hva." in a node id: Isono puts
// it in queue names and routing keys.
func validID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// serve is the agent: ESXi from hva.conf, Wakame over AMQP, jobs until
// ctx ends. base is the logger without node_id: hva and isono add it.
func serve(ctx context.Context, f *flags, base *slog.Logger) error {
	nodeID, b, err := settings(f, base)
	if err != nil {
		return err
	}
	conf, warnings, err := hvaconf.Load(f.conf)
	if err != nil {
		return fmt.Errorf("-c %s: %w", f.conf, err)
	}
	for _, w := range warnings {
		base.Warn(w)
	}
	if err := conf.Validate(); err != nil {
		return fmt.Errorf("-c %s: %w", f.conf, err)
	}
	var metricsLn net.Listener
	if f.metricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", f.metricsAddr); err != nil {
			return fmt.Errorf("-metrics-addr: %w", err)
		}
		defer metricsLn.Close()
	}
	log := base.With("node_id", nodeID)
	log.Info("starting", "version", versionString(), "esxi", conf.ESXiHost, "datastore", conf.ESXiDatastore, "broker", redactURL(b.URL))

	hv, err := esxi.Connect(ctx, conf.ESXi(), esxi.WithLogger(log))
	if err != nil {
		return err
	}
	defer hv.Close(context.WithoutCancel(ctx))

	node, err := isono.Dial(ctx, isono.Options{URL: b.URL, TLS: b.TLS, NodeID: nodeID, Logger: base})
	if err != nil {
		return err
	}
	defer node.Close()

	m := hvametrics.New()
	m.Watch(node, hv)
	if metricsLn != nil {
		srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
		go func() {
			if err := srv.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server stopped", "err", err)
			}
		}()
		defer srv.Close()
		log.Info("serving /metrics and /healthz", "addr", metricsLn.Addr().String())
	}

	transfers := image.FetchOptions{StallTimeout: conf.TransferStallTimeout}
	cache := image.NewCache(hv, image.CacheOptions{Logger: log, Observer: m.CacheObserver(), Fetch: transfers})
	h, err := hva.New(hva.Options{
		NodeID:              nodeID,
		Hypervisor:          hv,
		Collector:           node.Collector(),
		Events:              node.Events(),
		Images:              cache,
		FullCopies:          !conf.UseLinkedClone,
		Concurrency:         conf.Concurrency,
		SoftPowerOffTimeout: conf.SoftPowerOffTimeout,
		MetadataItems:       conf.MetadataItems,
		TransferProgress:    m.TransferProgress,
		BackupTransfer:      transfers,
		JobDeadlines: hva.JobDeadlines{
			Launch: conf.JobDeadlineLaunch, Backup: conf.JobDeadlineBackup, Other: conf.JobDeadlineOther,
			Cleanup: conf.JobDeadlineCleanup,
		},
		Logger: base,
	})
	if err != nil {
		return err
	}
	go h.Monitor(ctx, 0)
	if conf.ImageCacheBudget > 0 {
		go pruneLoop(ctx, cache, conf.ImageCacheBudget, log)
	}
	return node.ServeHVA(ctx, m.Dispatcher(h), isono.AgentOptions{})
}

// redactURL hides the password of a broker URL for the log. A URL that
// does not parse is not shown at all: its password could be anywhere.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// pruneLoop keeps the image cache within budget, hourly.
func pruneLoop(ctx context.Context, cache *image.Cache, budget int64, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		dropped, err := cache.Prune(ctx, image.PruneOptions{MaxBytes: budget})
		if err != nil && ctx.Err() == nil {
			log.Warn("image cache prune failed", "err", err)
		}
		for _, e := range dropped {
			log.Info("image cache entry pruned", "md5", e.MD5, "bytes", e.Size)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
