package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/image"
)

// defaultBroker is Isono's default broker.
const defaultBroker = "amqp://guest:guest@127.0.0.1:5672/"

// settings resolves the node id and broker: flags, then the environment
// file, then the defaults.
func settings(f *flags, log *slog.Logger) (nodeID, broker string, err error) {
	d, err := hvaconf.LoadDefaults(f.defaults)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if f.set["e"] {
			return "", "", fmt.Errorf("-e %s: %w", f.defaults, err)
		}
	case errors.Is(err, hvaconf.ErrSyntax):
		// Wakame's packaged file ends in shell code: keep what the
		// assignments set and say what was skipped.
		log.Warn("environment file: lines skipped", "err", err)
	case err != nil:
		return "", "", err
	default:
		for _, w := range d.Warnings {
			log.Warn(w)
		}
	}
	id := f.id
	if id == "" {
		id = d.HVAID
	}
	if id == "" {
		if id, err = os.Hostname(); err != nil {
			return "", "", fmt.Errorf("no -i and no host name: %w", err)
		}
	}
	broker = f.server
	if broker == "" && d.AMQPServer != "" {
		broker = d.AMQPURL()
	}
	if broker == "" {
		broker = defaultBroker
	}
	return "hva." + strings.TrimPrefix(id, "hva."), broker, nil
}

// serve is the agent: ESXi from hva.conf, Wakame over AMQP, jobs until
// ctx ends.
func serve(ctx context.Context, f *flags, log *slog.Logger) error {
	nodeID, broker, err := settings(f, log)
	if err != nil {
		return err
	}
	conf, warnings, err := hvaconf.Load(f.conf)
	if err != nil {
		return fmt.Errorf("-c %s: %w", f.conf, err)
	}
	for _, w := range warnings {
		log.Warn(w)
	}
	if err := conf.Validate(); err != nil {
		return fmt.Errorf("-c %s: %w", f.conf, err)
	}
	log = log.With("node_id", nodeID)
	log.Info("starting", "esxi", conf.ESXiHost, "datastore", conf.ESXiDatastore, "broker", redactURL(broker))

	hv, err := esxi.Connect(ctx, conf.ESXi(), esxi.WithLogger(log))
	if err != nil {
		return err
	}
	defer hv.Close(context.WithoutCancel(ctx))

	node, err := isono.Dial(ctx, isono.Options{URL: broker, NodeID: nodeID, Logger: log})
	if err != nil {
		return err
	}
	defer node.Close()

	cache := image.NewCache(hv, image.CacheOptions{Logger: log})
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
		Logger:              log,
	})
	if err != nil {
		return err
	}
	go h.Monitor(ctx, 0)
	if conf.ImageCacheBudget > 0 {
		go pruneLoop(ctx, cache, conf.ImageCacheBudget, log)
	}
	return node.ServeHVA(ctx, h, isono.AgentOptions{})
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
