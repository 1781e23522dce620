package esxitest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// Names the simulated host uses.
const (
	Datacenter = "ha-datacenter"
	Datastore  = "datastore1"
	PortGroup  = "VM Network"
	Username   = "root"
	Password   = "esxitest-password"
	adminUser  = "esxitest-admin"
)

// Env is a running simulated ESXi host.
type Env struct {
	// Config connects to the simulator with its certificate pinned.
	Config esxi.Config
	// DatastoreDir is the local directory behind datastore1.
	DatastoreDir string
	// URL is the SDK endpoint, without credentials.
	URL *url.URL
	// Thumbprint is the SHA-256 fingerprint of the simulator's certificate.
	Thumbprint string

	model  *simulator.Model
	server *simulator.Server
	admin  *govmomi.Client
	dc     *object.Datacenter
	home   string

	mu     sync.Mutex
	calls  map[string]int
	last   map[string]any
	faults map[string]*methodFault
	delays map[string]time.Duration
	cut    *countedFault // CutUploads
	stall  *countedFault // StallTransfers
	done   chan struct{} // closed by Close
	closed sync.Once

	ignoreShutdown bool

	transfers []Transfer // datastore HTTP requests, see Transfers
	vc        *vcenter   // vCenter mode (vcenter.go), nil in ESX mode
}

// New starts a simulated host for t and stops it when t ends.
func New(t testing.TB) *Env {
	t.Helper()
	return startFor(t, Start)
}

// Start starts a simulated host. Call Close to stop it.
func Start(ctx context.Context) (*Env, error) { return launch(ctx, (*Env).setupESX) }

// startFor runs start for t, failing t when it fails, and stops the Env
// when t ends.
func startFor(t testing.TB, start func(context.Context) (*Env, error)) *Env {
	t.Helper()
	env, err := start(context.Background())
	if err != nil {
		t.Fatalf("esxitest: %v", err)
	}
	t.Cleanup(env.Close)
	return env
}

// launch makes an Env and runs setup on it; a failed setup closes it.
func launch(ctx context.Context, setup func(*Env, context.Context) error) (*Env, error) {
	env, err := newEnv()
	if err != nil {
		return nil, err
	}
	if err := setup(env, ctx); err != nil {
		env.Close()
		return nil, err
	}
	env.ResetCalls()
	return env, nil
}

// setupESX makes the Env a bare ESXi host.
func (env *Env) setupESX(ctx context.Context) error {
	m := simulator.ESX()
	m.Datastore = 0 // the default one is LocalDS_0 and its VMs hard-code it
	m.Machine = 0
	if err := env.boot(ctx, m, Datacenter); err != nil {
		return err
	}
	host, err := env.finder().DefaultHostSystem(ctx)
	if err != nil {
		return err
	}
	if err := env.createDatastore(ctx, host); err != nil {
		return err
	}
	env.Config = esxi.Config{
		Host:       env.URL.Host,
		Datacenter: Datacenter,
		Datastore:  Datastore,
		PortGroup:  PortGroup,
		Username:   Username,
		Password:   Password,
		Thumbprint: env.Thumbprint,
	}
	return nil
}

// newEnv makes an Env with its home directory and no simulator yet.
func newEnv() (*Env, error) {
	home, err := os.MkdirTemp("", "esxitest-")
	if err != nil {
		return nil, err
	}
	return &Env{
		home:   home,
		calls:  map[string]int{},
		last:   map[string]any{},
		faults: map[string]*methodFault{},
		delays: map[string]time.Duration{},
		done:   make(chan struct{}),
	}, nil
}

// boot creates the model, serves it with the Env's hooks and logs the
// harness's admin client in; dcName is the datacenter the finder uses.
func (env *Env) boot(ctx context.Context, m *simulator.Model, dcName string) (err error) {
	if err := m.Create(); err != nil {
		return fmt.Errorf("create model: %w", err)
	}
	env.model = m
	m.Service.TLS = new(tls.Config)
	m.Service.HandleFunc("PUT /folder/", env.recorded(SDK, env.serveUpload))
	m.Service.HandleFunc("POST /folder/", env.recorded(SDK, env.serveTransfer))
	m.Service.HandleFunc("GET /folder/", env.recorded(SDK, env.serveTransfer)) // and HEAD
	m.Map().Handler = env.handle
	gate := newTaskGate()
	m.Map().AddHandler(gate)
	m.Service.HandleFunc("POST /sdk", gate.wrap(m.Service.ServeSDK))
	deaf := &deafGuest{}
	deaf.Self = deafGuestRef
	m.Map().Put(deaf)
	env.server = m.Service.NewServer()

	u := *env.server.URL
	u.User = nil
	env.URL = &u
	sum := sha256.Sum256(env.server.Certificate().Raw)
	env.Thumbprint = fmt.Sprintf("%X", sum[:])

	adminURL := u
	adminURL.User = url.UserPassword(adminUser, "admin")
	env.admin, err = govmomi.NewClient(ctx, &adminURL, true)
	if err != nil {
		return fmt.Errorf("admin login: %w", err)
	}
	dc, err := find.NewFinder(env.admin.Client, false).Datacenter(ctx, dcName)
	if err != nil {
		return err
	}
	env.dc = dc
	return nil
}

// createDatastore creates datastore1 on host, backed by DatastoreDir (made
// on the first call). Creating it on several hosts shares it.
func (env *Env) createDatastore(ctx context.Context, host *object.HostSystem) error {
	dsDir := filepath.Join(env.home, Datastore)
	if env.DatastoreDir == "" {
		if err := os.Mkdir(dsDir, 0o700); err != nil {
			return err
		}
		env.DatastoreDir = dsDir
	}
	dss, err := host.ConfigManager().DatastoreSystem(ctx)
	if err != nil {
		return err
	}
	if _, err := dss.CreateLocalDatastore(ctx, Datastore, dsDir); err != nil {
		return fmt.Errorf("create datastore: %w", err)
	}
	return nil
}

// Certificate returns the simulator's TLS certificate, for tests that
// trust it as a CA instead of pinning it.
func (e *Env) Certificate() *x509.Certificate { return e.server.Certificate() }

// Close stops the simulator and removes its files.
func (e *Env) Close() {
	e.closed.Do(func() { close(e.done) })
	if e.admin != nil {
		_ = e.admin.Logout(context.Background())
		e.admin.CloseIdleConnections()
		e.admin = nil
	}
	e.closeHosts()
	if e.server != nil {
		e.server.Close()
		e.server = nil
	}
	if e.model != nil {
		e.model.Remove()
		e.model = nil
	}
	if e.home != "" {
		_ = os.RemoveAll(e.home)
		e.home = ""
	}
}

// Connect connects an esxi.Client with e.Config, closed when t ends.
func (e *Env) Connect(t testing.TB) *esxi.Client {
	t.Helper()
	c, err := esxi.Connect(context.Background(), e.Config)
	if err != nil {
		t.Fatalf("esxitest: connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func (e *Env) finder() *find.Finder {
	f := find.NewFinder(e.admin.Client, false)
	f.SetDatacenter(e.dc)
	return f
}

// Files lists every file under the datastore, as slash-separated paths
// relative to its root, sorted. Folders are not listed.
func (e *Env) Files() []string {
	var out []string
	_ = filepath.WalkDir(e.DatastoreDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(e.DatastoreDir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out
}

// LocalPath returns the local file behind a datastore path.
func (e *Env) LocalPath(p esxi.DatastorePath) string {
	return filepath.Join(e.DatastoreDir, filepath.FromSlash(strings.TrimPrefix(p.Path, "/")))
}

// VMNames lists the VMs on the host, sorted.
func (e *Env) VMNames(ctx context.Context) ([]string, error) {
	f := e.finder()
	vms, err := f.VirtualMachineList(ctx, "*")
	if err != nil {
		if _, ok := err.(*find.NotFoundError); ok {
			return nil, nil
		}
		return nil, err
	}
	names := make([]string, 0, len(vms))
	for _, vm := range vms {
		names = append(names, vm.Name())
	}
	sort.Strings(names)
	return names, nil
}
