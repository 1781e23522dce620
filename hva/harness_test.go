package hva_test

import (
	"context"
	"log/slog"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

const nodeID = "hva.test"

// harness is a handler on vcsim with an image server and the in-memory
// collector.
type harness struct {
	env *esxitest.Env
	hv  *esxi.Client
	img *imagetest.Server
	col *hvatest.Collector
	ev  *hvatest.Events
	h   *hva.Handler
	ds  string
}

func newHarness(t testing.TB, tune ...func(*hva.Options)) *harness {
	t.Helper()
	env := esxitest.New(t)
	return newHarnessOn(t, env, env.Connect(t), imagetest.NewServer(t, 1<<20), tune...)
}

// newHarnessOn is newHarness on a given simulator, client and image
// server (vcenter_test.go runs agents for two hosts of one vCenter).
func newHarnessOn(t testing.TB, env *esxitest.Env, hv *esxi.Client, img *imagetest.Server, tune ...func(*hva.Options)) *harness {
	t.Helper()
	x := &harness{env: env, col: hvatest.NewCollector(), ev: &hvatest.Events{}}
	x.hv = hv
	x.ds = x.hv.Datastore()
	x.img = img
	opts := hva.Options{
		NodeID:              nodeID,
		Hypervisor:          x.hv,
		Collector:           x.col,
		Events:              x.ev,
		Concurrency:         8,
		SoftPowerOffTimeout: 500 * time.Millisecond,
		Logger:              testLogger(),
		Now:                 func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
	}
	for _, f := range tune {
		f(&opts)
	}
	h, err := hva.New(opts)
	require.NoError(t, err)
	x.h = h
	return x
}

func testLogger() *slog.Logger {
	if os.Getenv("HVA_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// addInstance registers an instance booting from the harness's image.
func (x *harness) addInstance(id, state string, macs ...string) {
	x.addSpec(hvatest.InstanceSpec{ID: id, State: state, MACs: macs})
}

func (x *harness) addSpec(spec hvatest.InstanceSpec) {
	if spec.ImageURI == "" {
		spec.ImageURI, spec.ImageMD5, spec.ImageSize = x.img.FlatURL(), x.img.MD5(), x.img.Size()
	}
	if spec.NodeID == "" {
		spec.NodeID = nodeID
	}
	x.col.AddInstance(hvatest.NewInstance(spec))
}

// launched adds an instance and runs it.
func (x *harness) launched(t testing.TB, id string, macs ...string) {
	t.Helper()
	x.addInstance(id, "initializing", macs...)
	require.NoError(t, x.h.RunLocalStore(context.Background(), id))
	x.col.ResetCalls()
	x.ev.Reset()
}

func (x *harness) path(t testing.TB, elem ...string) esxi.DatastorePath {
	p, err := esxi.DatastorePath{Datastore: x.ds}.Join(elem...)
	require.NoError(t, err)
	return p
}

// exists reports whether a datastore path exists on local disk.
func (x *harness) exists(t testing.TB, elem ...string) bool {
	_, err := os.Stat(x.env.LocalPath(x.path(t, elem...)))
	return err == nil
}

// instanceFiles lists the datastore files outside the image cache.
func (x *harness) instanceFiles() []string {
	var out []string
	for _, f := range x.env.Files() {
		if len(f) > 0 && f[0] != '.' {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func (x *harness) powerState(t testing.TB, name string) esxi.PowerState {
	t.Helper()
	st, err := x.hv.PowerState(context.Background(), name)
	require.NoError(t, err)
	return st
}
