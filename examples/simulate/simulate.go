package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/hva/isono/isonotest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

// simImageSize is the generated image's flat size: big enough to see the
// progress bar move, small enough to run in seconds.
const simImageSize = 32 << 20

// world is what --simulate starts.
type world struct {
	out      io.Writer
	log      *slog.Logger
	nodeID   string
	sim      *esxitest.Env
	hv       *esxi.Client
	images   *imagetest.Server
	api      *registrytest.Server
	reg      *registry.Client
	col      *hvatest.Collector
	cache    *image.Cache
	handler  *hva.Handler
	submit   func(ctx context.Context, job string, args ...any) error
	closers  []func()
	transfer *bar
	events   *hvatest.Events
	sum      *summary
}

func (w *world) close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		w.closers[i]()
	}
}

// step runs one named step and prints its time.
func (w *world) step(name string, fn func() error) error {
	fmt.Fprintf(w.out, "-> %s\n", name)
	start := time.Now()
	if err := fn(); err != nil {
		fmt.Fprintf(w.out, "   FAILED after %s: %v\n", time.Since(start).Round(time.Millisecond), err)
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(w.out, "   done in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// summary is what a simulation observed, for its test.
type summary struct {
	OverAMQP     bool
	States       []string // the instance's state after each job
	Hosts        []registry.HostNode
	Images       []registry.Image
	VMsLeft      int
	FolderLeft   bool
	Cached       bool
	FlatRequests int64 // times the image server sent the flat
	Events       []string
}

// simulate walks one instance through the seed's life on embedded parts.
func simulate(ctx context.Context, f *flags, out io.Writer, log *slog.Logger) error {
	_, err := simulateSummary(ctx, f, out, log)
	return err
}

func simulateSummary(ctx context.Context, f *flags, out io.Writer, log *slog.Logger) (*summary, error) {
	w := &world{out: out, log: log, nodeID: "hva." + strings.TrimPrefix(orDefault(f.id, "demo"), "hva."), col: hvatest.NewCollector(), sum: &summary{}}
	defer w.close()
	err := w.walk(ctx, f)
	return w.sum, err
}

func (w *world) walk(ctx context.Context, f *flags) error {
	out := w.out
	start := time.Now()

	broker, useBroker := "", f.broker != ""
	if useBroker {
		var err error
		if broker, err = brokerURL(f.broker); err != nil {
			return err
		}
		// Before anything is served: never answer in a real collector's place.
		if err := w.step("check that nothing serves Wakame's collector queues on vhost "+vhostOf(broker)+" of "+redactURL(broker), func() error {
			return checkBroker(ctx, broker)
		}); err != nil {
			return err
		}
	}
	w.sum.OverAMQP = useBroker
	if err := w.step("start a simulated ESXi host (vcsim), an image server and the registry API", func() error {
		return w.startParts(ctx)
	}); err != nil {
		return err
	}
	if err := w.step(wakameStepName(useBroker, broker), func() error {
		if useBroker {
			return w.startOverAMQP(ctx, broker)
		}
		return w.startInProcess()
	}); err != nil {
		return err
	}
	if err := w.step("vdc-manage host add "+w.nodeID+" --hypervisor esxi; host show", func() error {
		return w.registerHost(ctx)
	}); err != nil {
		return err
	}
	var imgURI string
	if err := w.step("vdc-manage image add local "+w.images.FlatURL()+" --md5sum "+w.images.MD5()+" (verified)", func() (err error) {
		_, imgURI, err = w.registerImage(ctx)
		return err
	}); err != nil {
		return err
	}
	const inst = "i-demo0001"
	w.col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{
		ID: inst, NodeID: w.nodeID, CPUCores: 1, MemoryMB: 512, Hostname: "demo",
		MACs: []string{"525400d0e001"}, ImageURI: imgURI, ImageMD5: w.images.MD5(), ImageSize: w.images.Size(),
		SSHKey: "ssh-rsa AAAAB3NzaC1yc2E demo@esxi-hva",
	}))
	for _, s := range []struct {
		job, state string
		power      esxi.PowerState
	}{
		{"run_local_store", "running", esxi.PoweredOn},
		{"reboot", "running", esxi.PoweredOn},
		{"poweroff", "halted", esxi.PoweredOff},
		{"poweron", "running", esxi.PoweredOn},
		{"terminate", "terminated", ""},
	} {
		if err := w.step("job "+s.job+" "+inst, func() error {
			if err := w.submit(ctx, s.job, inst); err != nil {
				return err
			}
			w.sum.States = append(w.sum.States, w.col.State(inst))
			return w.expect(ctx, inst, s.state, s.power)
		}); err != nil {
			return err
		}
	}
	if err := w.step("verify the end state: no VM, no instance folder, the image cached", func() error {
		return w.verifyEnd(ctx, inst)
	}); err != nil {
		return err
	}
	fmt.Fprintf(out, "all steps passed in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func wakameStepName(broker bool, url string) string {
	if broker {
		return "join Wakame over RabbitMQ at " + redactURL(url) + " (agent + in-Go collector)"
	}
	return "in process: the Wakame side calls the handler directly (no broker touched; -broker to go over AMQP)"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (w *world) startParts(ctx context.Context) error {
	sim, err := esxitest.Start(ctx)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, sim.Close)
	w.sim = sim
	hv, err := esxi.Connect(ctx, sim.Config, esxi.WithLogger(w.log))
	if err != nil {
		return err
	}
	w.closers = append(w.closers, func() { hv.Close(context.Background()) })
	w.hv = hv
	images, err := imagetest.Start(simImageSize, imagetest.WithName("ubuntu-lucid-esxi"))
	if err != nil {
		return err
	}
	w.closers = append(w.closers, images.Close)
	w.images = images
	w.api = registrytest.Start()
	w.closers = append(w.closers, w.api.Close)
	w.reg, err = registry.NewClient(w.api.URL, registry.WithLogger(w.log))
	if err != nil {
		return err
	}
	w.cache = image.NewCache(hv, image.CacheOptions{Logger: w.log})
	w.transfer = newBar(w.out, "image")
	fmt.Fprintf(w.out, "   ESXi %s (datastore %s), images at %s, dcmgr API at %s\n", sim.Config.Host, hv.Datastore(), images.URL(), w.api.URL)
	return nil
}

func (w *world) newHandler(col hva.Collector, ev hva.Events) error {
	h, err := hva.New(hva.Options{
		NodeID: w.nodeID, Hypervisor: w.hv, Collector: col, Events: ev, Images: w.cache, Logger: w.log,
		SoftPowerOffTimeout: 5 * time.Second,
		TransferProgress: func(_, _ string, p image.Progress) {
			w.transfer.update(p.Done, p.Total, p.Rate)
		},
	})
	w.handler = h
	return err
}

func (w *world) startInProcess() error {
	w.events = &hvatest.Events{}
	if err := w.newHandler(w.col, w.events); err != nil {
		return err
	}
	w.submit = func(ctx context.Context, job string, args ...any) error {
		return w.handler.Dispatch(ctx, hva.EndpointHVA, job, args)
	}
	return nil
}

func (w *world) startOverAMQP(ctx context.Context, broker string) error {
	wakame, err := isonotest.Start(ctx, broker, w.col, w.log)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, func() { wakame.Close() })
	node, err := isono.Dial(ctx, isono.Options{URL: broker, NodeID: w.nodeID, Logger: w.log})
	if err != nil {
		return err
	}
	if err := w.newHandler(node.Collector(), node.Events()); err != nil {
		node.Close()
		return err
	}
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- node.ServeHVA(sctx, w.handler, isono.AgentOptions{}) }()
	w.closers = append(w.closers, func() {
		stop()
		if err := <-served; err != nil {
			w.log.Warn("agent shutdown", "err", err)
		}
		node.Close()
	})
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := wakame.WaitOnline(wctx, w.nodeID); err != nil {
		return err
	}
	fmt.Fprintf(w.out, "   %s is online (heartbeat received by node-collector)\n", w.nodeID)
	w.submit = func(ctx context.Context, job string, args ...any) error {
		return wakame.Submit(ctx, hva.EndpointHVA, w.nodeID, job, args...)
	}
	return nil
}

func (w *world) registerHost(ctx context.Context) error {
	// Isono's node_states row: the heartbeat made the node online.
	w.api.SetNodeState(w.nodeID, "online")
	reg, err := w.reg.RegisterHost(ctx, registry.HostSpec{NodeID: w.nodeID, UUID: "hn-demo", Hypervisor: "esxi", Arch: "x86_64", CPUCores: 4, MemoryMB: 8192})
	if err != nil {
		return err
	}
	hosts, err := w.reg.Hosts(ctx)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		fmt.Fprintf(w.out, "   %s  node %s  %s/%s  %d cores %d MB  %s\n", h.ID, h.NodeID, h.Hypervisor, h.Arch, h.OfferingCPUCores, h.OfferingMemorySize, h.Status)
	}
	if !reg.Created {
		return errors.New("the host was already registered")
	}
	return nil
}

// registerImage verifies the pair's md5 by streaming it, then records the
// backup storage, backup object and image, as vdc-manage does.
func (w *world) registerImage(ctx context.Context) (registry.Image, string, error) {
	pair, err := registry.PairFromFlat(w.images.FlatURL())
	if err != nil {
		return registry.Image{}, "", err
	}
	verify := newBar(w.out, "md5")
	begin := time.Now()
	if err := registry.VerifyMD5(ctx, nil, w.images.FlatURL(), w.images.MD5(), w.images.Size(), func(done, total int64) {
		verify.update(done, total, float64(done)/time.Since(begin).Seconds())
	}); err != nil {
		return registry.Image{}, "", err
	}
	base := w.images.URL() + "/"
	bs, err := w.reg.CreateBackupStorage(ctx, registry.BackupStorageFields{DisplayName: "images", StorageType: "webdav", BaseURI: base})
	if err != nil {
		return registry.Image{}, "", err
	}
	size := w.images.Size()
	bo, err := w.reg.CreateBackupObject(ctx, registry.BackupObjectFields{
		BackupStorageID: bs.ID, AccountID: registry.DefaultAccount, ObjectKey: w.images.FlatName(), Size: &size, AllocationSize: &size,
		Checksum: w.images.MD5(), DisplayName: w.images.DescriptorName(),
	})
	if err != nil {
		return registry.Image{}, "", err
	}
	img := w.api.AddImage(registry.Image{UUID: "wmi-lucid", BackupObjectID: bo.ID, DisplayName: "ubuntu-lucid-esxi", Arch: "x86_64",
		BootDevType: 2, FileFormat: "vmdk", OSType: "linux", IsCacheable: true, InstanceModelName: "esxi.small"})
	fmt.Fprintf(w.out, "   %s -> %s (%s, %d bytes, md5 %s); descriptor %s\n", img.ID, bo.ID, bs.ID, size, w.images.MD5(), pair.DescriptorURI)
	return img, pair.BaseURI + pair.ObjectKey, nil
}

// expect checks the instance's state in the collector and its VM's power
// state ("" for no VM).
func (w *world) expect(ctx context.Context, id, state string, power esxi.PowerState) error {
	if got := w.col.State(id); got != state {
		return fmt.Errorf("instance %s is %q, want %q", id, got, state)
	}
	st, err := w.hv.PowerState(ctx, id)
	switch {
	case power == "" && errors.Is(err, esxi.ErrNotFound):
		fmt.Fprintf(w.out, "   instance %s, VM gone\n", state)
		return nil
	case err != nil:
		return err
	case st != power:
		return fmt.Errorf("VM %s is %s, want %s", id, st, power)
	}
	fmt.Fprintf(w.out, "   instance %s, VM %s\n", state, st)
	return nil
}

func (w *world) verifyEnd(ctx context.Context, id string) error {
	vms, err := w.hv.ListVMs(ctx)
	if err != nil {
		return err
	}
	w.sum.VMsLeft = len(vms)
	w.sum.FlatRequests = w.images.FlatRequests()
	if w.events != nil {
		w.sum.Events = w.events.Names()
	}
	if w.sum.Hosts, err = w.reg.Hosts(ctx); err != nil {
		return err
	}
	w.sum.Images = w.api.Images()
	if len(vms) != 0 {
		return fmt.Errorf("%d VMs left on the host", len(vms))
	}
	folder, err := esxi.DatastorePath{Datastore: w.hv.Datastore()}.Join(id)
	if err != nil {
		return err
	}
	if _, err := w.hv.Stat(ctx, folder); !errors.Is(err, esxi.ErrNotFound) {
		w.sum.FolderLeft = true
		return fmt.Errorf("the instance folder %s is still there (%v)", folder, err)
	}
	entries, err := w.cache.Entries(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.MD5 == w.images.MD5() {
			w.sum.Cached = true
			fmt.Fprintf(w.out, "   cached: %s (%d bytes, from %s)\n", e.Flat, e.Size, e.Source)
			fmt.Fprintf(w.out, "   the image server sent the flat %d time(s)\n", w.images.FlatRequests())
			return nil
		}
	}
	return fmt.Errorf("the image %s is not in the cache", w.images.MD5())
}
