// Package esxitest runs vcsim, govmomi's ESXi simulator, shaped like a
// freshly installed ESXi host for tests and embedded defaults: ESX mode,
// datacenter "ha-datacenter", one datastore "datastore1" backed by a local
// directory, the "VM Network" port group, and no VMs.
//
// New(t) starts one per test and removes it at cleanup; Start does the
// same without a testing.T (for example programs). The Env hands back an
// esxi.Config (TLS pinned to the simulator's certificate), the datastore's
// directory on local disk so tests can check what is really there, and
// hooks to inject faults: fail a method once or N times, delay a method,
// cut an HTTP upload after N bytes, stall a transfer, and terminate the
// client's sessions.
// LastRequest shows what the client asked where the simulator does not
// act on it.
//
// NewVCenter(t) (StartVCenter) is the vCenter mode: simulator.VPX() with
// one cluster of two ESXi hosts sharing datastore1. Config places VMs on
// the first host, HostConfig and ConnectHost on any. Each host answers
// datastore transfers on an HTTPS server of its own that takes only
// vCenter's generic service tickets (vcsim has none: its hosts'
// addresses lead nowhere, and it checks no ticket); Transfers records
// which server each /folder request reached, UnreachableHost and StopHost
// cut a host off for fallback tests.
//
// Where vcsim differs from a real host in ways that break tests, the Env
// smooths it over; each place, what vcsim gets wrong there and why:
//   - Datastore files (/folder) are served by the Env from DatastoreDir:
//     vcsim's own handler copies its Datastore object without the lock on
//     every request, which races (go test -race) with a concurrent
//     CreateVM adding the VM to that object. Sequential use is fine.
//   - Simulator tasks run one at a time (taskgate.go): vcsim runs each
//     task in a goroutine and some of its code reads objects unlocked
//     while a task adds or removes VMs, which -race reports.
//   - CopyVirtualDisk_Task runs without the client's destination spec:
//     with one, vcsim parses and rewrites every copied file as a
//     descriptor, the flat included, leaving a 163-byte text where the
//     data was (ESXi writes a thin copy). LastRequest keeps the spec.
//   - CopyVirtualDisk_Task of a VM's delta child (a linked clone) copies
//     the chain's base (chain.go): vcsim does not model delta disks (a
//     child is an empty flat whose descriptor does not name its parent),
//     where ESXi's copy consolidates the chain into what the guest sees.
//   - ShutdownGuest can be made to do nothing (IgnoreShutdown), as a hung
//     guest would; vcsim always powers off.
//
// A test that must see stock vcsim, as integrators run it, uses
// simulator.ESX() directly (see hva's stock-vcsim lifecycle test): the
// linked-clone launch path needs none of the above.
//
// Where vcsim is laxer than a real host, the Env is as strict as the host,
// so that the client's handling of refusals is tested:
//   - Login succeeds only with Username and Password: vcsim takes any
//     non-empty pair; a wrong one gets ESXi's InvalidLogin fault.
//   - Datastore transfers (/folder) need the cookie of a live session:
//     vcsim's handler ignores it; without one, or after the session was
//     terminated or expired, the answer is ESXi's 401 Unauthorized.
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
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

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
	cut    *uploadCut
	stall  *transferStall
	done   chan struct{} // closed by Close
	closed sync.Once

	ignoreShutdown bool

	transfers []Transfer // datastore HTTP requests, see Transfers
	vc        *vcenter   // vCenter mode (vcenter.go), nil in ESX mode
}

type methodFault struct {
	remaining int // -1: forever
	fault     types.BaseMethodFault
}

// New starts a simulated host for t and stops it when t ends.
func New(t testing.TB) *Env {
	t.Helper()
	env, err := Start(context.Background())
	if err != nil {
		t.Fatalf("esxitest: %v", err)
	}
	t.Cleanup(env.Close)
	return env
}

// Start starts a simulated host. Call Close to stop it.
func Start(ctx context.Context) (env *Env, err error) {
	env, err = newEnv()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			env.Close()
		}
	}()
	m := simulator.ESX()
	m.Datastore = 0 // the default one is LocalDS_0 and its VMs hard-code it
	m.Machine = 0
	if err := env.boot(ctx, m, Datacenter); err != nil {
		return env, err
	}
	host, err := env.finder().DefaultHostSystem(ctx)
	if err != nil {
		return env, err
	}
	if err := env.createDatastore(ctx, host); err != nil {
		return env, err
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
	env.ResetCalls()
	return env, nil
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

// handle runs before every SOAP method the simulator serves: it counts
// calls and applies the delays and faults tests asked for.
func (e *Env) handle(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	// The simulator looks the target up again after this hook, by
	// m.This: pointing it at deafGuest swaps the implementation.
	l, isLogin := m.Body.(*types.Login)
	if isLogin && l.UserName == adminUser {
		return nil, nil
	}
	e.mu.Lock()
	e.calls[m.Name]++
	e.last[m.Name] = m.Body
	if req, ok := m.Body.(*types.CopyVirtualDisk_Task); ok && req.DestSpec != nil {
		// vcsim applies a destination spec by parsing and rewriting
		// every copied file as a descriptor, the flat included, which
		// leaves a 163-byte text where the data was. The client's spec
		// is kept for LastRequest; the simulator copies without it.
		kept := *req
		e.last[m.Name] = &kept
		req.DestSpec = nil
	}
	if req, ok := m.Body.(*types.CopyVirtualDisk_Task); ok {
		if base := chainBase(ctx, req.SourceName); base != "" {
			req.SourceName = base // see chainBase
		}
	}
	delay := e.delays[m.Name]
	var fault types.BaseMethodFault
	if f := e.faults[m.Name]; f != nil && f.remaining != 0 {
		fault = f.fault
		if f.remaining > 0 {
			f.remaining--
		}
	}
	deaf := e.ignoreShutdown && m.Name == "ShutdownGuest"
	e.mu.Unlock()
	if fault == nil && isLogin {
		fault = checkLogin(l)
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	if fault == nil && deaf {
		m.This = deafGuestRef
	}
	return e.override(m), fault
}

// Calls returns how many times method (a SOAP method name such as
// "Login" or "CreateVM_Task") was called since the last ResetCalls. The
// harness's own calls are not counted.
func (e *Env) Calls(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method]
}

// ResetCalls sets every call count to zero and forgets the requests.
func (e *Env) ResetCalls() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = map[string]int{}
	e.last = map[string]any{}
	e.transfers = nil
}

// LastRequest returns the body of the last call of method since
// ResetCalls (a *types.CopyVirtualDisk_Task for "CopyVirtualDisk_Task",
// say), or nil: for tests of what the client asks that the simulator
// does not act on.
func (e *Env) LastRequest(method string) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last[method]
}

// FailMethod makes the next times calls of method fail with fault (a
// generic SystemError when nil); times < 0 fails every call until
// ClearFaults.
func (e *Env) FailMethod(method string, times int, fault types.BaseMethodFault) {
	if fault == nil {
		fault = &types.SystemError{RuntimeFault: types.RuntimeFault{}, Reason: "injected by esxitest"}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[method] = &methodFault{remaining: times, fault: fault}
}

// DelayMethod delays every call of method by d (0 removes the delay).
func (e *Env) DelayMethod(method string, d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.delays[method] = d
}

// ClearFaults removes every fault, delay and upload cut.
func (e *Env) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = map[string]*methodFault{}
	e.delays = map[string]time.Duration{}
	e.cut = nil
	e.stall = nil
	e.ignoreShutdown = false
}

// TerminateSessions ends every client session but the harness's own, as
// an administrator or an expiry would. Clients see NotAuthenticated on
// their next call.
func (e *Env) TerminateSessions(ctx context.Context) error {
	var sm mo.SessionManager
	pc := e.admin.PropertyCollector()
	ref := *e.admin.ServiceContent.SessionManager
	if err := pc.RetrieveOne(ctx, ref, []string{"sessionList", "currentSession"}, &sm); err != nil {
		return err
	}
	var keys []string
	for _, s := range sm.SessionList {
		if s.UserName != adminUser && (sm.CurrentSession == nil || s.Key != sm.CurrentSession.Key) {
			keys = append(keys, s.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := methods.TerminateSession(ctx, e.admin.Client, &types.TerminateSession{This: ref, SessionId: keys})
	return err
}

// SetToolsRunning marks VMware Tools as running (or not) in the named VM,
// which decides whether RebootGuest works.
func (e *Env) SetToolsRunning(ctx context.Context, vmName string, running bool) error {
	f := e.finder()
	vm, err := f.VirtualMachine(ctx, vmName)
	if err != nil {
		return err
	}
	status := types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
	if running {
		status = types.VirtualMachineToolsRunningStatusGuestToolsRunning
	}
	sctx := e.model.Service.Context
	obj := sctx.Map.Get(vm.Reference())
	if obj == nil {
		return fmt.Errorf("vm %s not in the simulator's registry", vmName)
	}
	sctx.WithLock(obj, func() {
		sctx.Map.Update(sctx, obj, []types.PropertyChange{{Name: "guest.toolsRunningStatus", Val: string(status)}})
	})
	return nil
}

// IgnoreShutdown makes the guests ignore (true) or obey (false, the
// default) ShutdownGuest: the request succeeds but the VM stays on, as
// with a hung guest. Tests use it to exercise soft power-off timeouts.
func (e *Env) IgnoreShutdown(ignore bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ignoreShutdown = ignore
}

// deafGuestRef names the object that stands in for a hung guest.
var deafGuestRef = types.ManagedObjectReference{Type: "VirtualMachine", Value: "esxitest-deaf-guest"}

// deafGuest answers ShutdownGuest without doing anything.
type deafGuest struct{ mo.VirtualMachine }

// ShutdownGuest is called by the simulator by reflection.
func (*deafGuest) ShutdownGuest(*simulator.Context, *types.ShutdownGuest) soap.HasFault {
	return &methods.ShutdownGuestBody{Res: &types.ShutdownGuestResponse{}}
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
