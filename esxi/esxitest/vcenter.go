package esxitest

import (
	"context"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // vCenter's ticket thumbprints are SHA-1
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// Names of the simulated vCenter's inventory (NewVCenter).
const (
	// VCDatacenter is the vCenter's datacenter.
	VCDatacenter = "DC0"
	// VCCluster is the cluster holding the hosts.
	VCCluster = "DC0_C0"
	// VCHosts is how many ESXi hosts the cluster has.
	VCHosts = 2
)

// SDK is the Transfer.Server of a request to the address of Config.Host
// (vCenter's /folder in vCenter mode, the host's in ESX mode).
const SDK = "sdk"

// ticketCookie is the cookie an ESXi host takes a service ticket from.
const ticketCookie = "vmware_cgi_ticket"

// Transfer is one datastore HTTP request (/folder) the simulator served.
type Transfer struct {
	// Server is SDK, or the name of the ESXi host that was reached
	// directly.
	Server string
	Method string
	// URL is the request's path and query, e.g.
	// "/folder/i-1/metadata.iso?dsName=datastore1".
	URL string
	// Ticket says whether a service ticket cookie came with it.
	Ticket bool
}

// vcenter is the state of vCenter mode.
type vcenter struct {
	hosts   []*simHost
	office  *ticketOffice
	tickets map[string]ticketGrant // id -> what it allows; used once
}

// simHost is an ESXi host of the cluster with its own HTTPS server for
// direct datastore transfers.
type simHost struct {
	name       string
	ref        types.ManagedObjectReference
	srv        *httptest.Server
	thumbprint string // SHA-1, as vCenter gives it in tickets
}

// ticketGrant is what a generic service ticket allows: one request of
// method on url.
type ticketGrant struct {
	url    *url.URL
	method string
}

// NewVCenter starts a simulated vCenter for t (see StartVCenter) and
// stops it when t ends.
func NewVCenter(t testing.TB) *Env {
	t.Helper()
	return startFor(t, StartVCenter)
}

// StartVCenter starts vcsim in vCenter mode (simulator.VPX()): datacenter
// VCDatacenter, cluster VCCluster of VCHosts ESXi hosts, one datastore
// "datastore1" mounted on every host (shared, backed by DatastoreDir), the
// "VM Network" port group, and no VMs. Config connects to the vCenter and
// places VMs on the first host; HostConfig gives the Config of an agent for
// another host.
//
// Each host answers datastore transfers on its own HTTPS server, as an
// ESXi host does: /folder with a generic service ticket that vCenter
// issued (AcquireGenericServiceTicket) for that URL and method, used once;
// anything else is 401. The host's address in the model (its management
// IP, 127.0.0.1, and summary.config.port) points there, and the ticket
// carries the server's SHA-1 thumbprint as vCenter's does. vcsim itself
// has no such servers (its hosts' port is 902, where nothing listens).
// Transfers records which server each request reached.
func StartVCenter(ctx context.Context) (*Env, error) { return launch(ctx, (*Env).setupVCenter) }

// setupVCenter makes the Env a vCenter with a cluster of VCHosts hosts.
func (env *Env) setupVCenter(ctx context.Context) error {
	m := simulator.VPX()
	m.Host = 0 // no standalone host
	m.ClusterHost = VCHosts
	m.Datastore = 0
	m.Machine = 0
	m.Portgroup = 0
	m.Pool = 0
	env.vc = &vcenter{tickets: map[string]ticketGrant{}}
	env.vc.office = &ticketOffice{env: env}
	env.vc.office.Self = types.ManagedObjectReference{Type: "EsxitestTicketOffice", Value: "esxitest-ticket-office"}
	if err := env.boot(ctx, m, VCDatacenter); err != nil {
		return err
	}
	m.Map().Put(env.vc.office)
	hosts, err := env.finder().HostSystemList(ctx, VCCluster+"/*")
	if err != nil {
		return fmt.Errorf("list hosts: %w", err)
	}
	if len(hosts) != VCHosts {
		return fmt.Errorf("the model has %d hosts in %s, want %d", len(hosts), VCCluster, VCHosts)
	}
	for _, h := range hosts {
		if err := env.createDatastore(ctx, h); err != nil {
			return err
		}
		sh, err := env.startHost(h)
		if err != nil {
			return err
		}
		env.vc.hosts = append(env.vc.hosts, sh)
	}
	env.Config = env.HostConfig(env.vc.hosts[0].name)
	return nil
}

// startHost starts h's HTTPS server and points h's address at it.
func (e *Env) startHost(h *object.HostSystem) (*simHost, error) {
	sh := &simHost{name: h.Name(), ref: h.Reference()}
	sh.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.serveHost(sh, w, r)
	}))
	sh.srv.StartTLS()
	sum := sha1.Sum(sh.srv.Certificate().Raw) //nolint:gosec // see import
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	sh.thumbprint = strings.Join(parts, ":")
	_, port, _ := net.SplitHostPort(sh.srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	if err := e.setHostPort(sh.ref, p); err != nil {
		sh.srv.Close()
		return nil, err
	}
	return sh, nil
}

// setHostPort sets the port the model says host answers HTTPS on.
func (e *Env) setHostPort(ref types.ManagedObjectReference, port int) error {
	sctx := e.model.Service.Context
	obj, ok := sctx.Map.Get(ref).(*simulator.HostSystem)
	if !ok {
		return fmt.Errorf("host %s not in the simulator's registry", ref)
	}
	sctx.WithLock(obj, func() { obj.Summary.Config.Port = int32(port) })
	return nil
}

// IsVCenter reports whether the Env is in vCenter mode.
func (e *Env) IsVCenter() bool { return e.vc != nil }

// Hosts lists the names of the ESXi hosts (vCenter mode; nil otherwise).
func (e *Env) Hosts() []string {
	if e.vc == nil {
		return nil
	}
	out := make([]string, len(e.vc.hosts))
	for i, h := range e.vc.hosts {
		out[i] = h.name
	}
	return out
}

// HostConfig returns the Config of an agent that places its VMs on the
// named host of the vCenter.
func (e *Env) HostConfig(host string) esxi.Config {
	return esxi.Config{
		Host:       e.URL.Host,
		Datacenter: VCDatacenter,
		HostSystem: host,
		Datastore:  Datastore,
		PortGroup:  PortGroup,
		Username:   Username,
		Password:   Password,
		Thumbprint: e.Thumbprint,
	}
}

// ConnectHost connects an esxi.Client for the named host of the vCenter,
// closed when t ends.
func (e *Env) ConnectHost(t testing.TB, host string, opts ...esxi.Option) *esxi.Client {
	t.Helper()
	c, err := esxi.Connect(context.Background(), e.HostConfig(host), opts...)
	if err != nil {
		t.Fatalf("esxitest: connect to %s: %v", host, err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// HostAddress returns the address ("127.0.0.1:port") where the named
// host answers datastore transfers.
func (e *Env) HostAddress(host string) string {
	if sh := e.simHost(host); sh != nil {
		return sh.srv.Listener.Addr().String()
	}
	return ""
}

// UnreachableHost points the named host's address in the model at a port
// where nothing listens, as a host behind a firewall that only vCenter
// crosses: clients that connect afterwards cannot reach it directly.
func (e *Env) UnreachableHost(host string) error {
	sh := e.simHost(host)
	if sh == nil {
		return fmt.Errorf("no host %q", host)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return e.setHostPort(sh.ref, port)
}

// StopHost closes the named host's HTTPS server: clients already
// connected find it gone.
func (e *Env) StopHost(host string) {
	if sh := e.simHost(host); sh != nil {
		sh.srv.CloseClientConnections()
		sh.srv.Close()
	}
}

func (e *Env) simHost(name string) *simHost {
	if e.vc == nil {
		return nil
	}
	for _, h := range e.vc.hosts {
		if h.name == name {
			return h
		}
	}
	return nil
}

// closeHosts stops the hosts' servers.
func (e *Env) closeHosts() {
	if e.vc == nil {
		return
	}
	for _, h := range e.vc.hosts {
		h.srv.Close()
	}
}

// Transfers returns the datastore requests served since the last
// ResetCalls, in order.
func (e *Env) Transfers() []Transfer {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Transfer(nil), e.transfers...)
}

// recorded wraps a /folder handler so that each request is recorded as
// reaching server.
func (e *Env) recorded(server string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e.record(server, r)
		h(w, r)
	}
}

func (e *Env) record(server string, r *http.Request) {
	_, err := r.Cookie(ticketCookie)
	e.mu.Lock()
	e.transfers = append(e.transfers, Transfer{Server: server, Method: r.Method, URL: r.URL.RequestURI(), Ticket: err == nil})
	e.mu.Unlock()
}

// serveHost is an ESXi host's /folder: a service ticket for this very
// request is required, and ESXi's one datacenter is implied.
func (e *Env) serveHost(sh *simHost, w http.ResponseWriter, r *http.Request) {
	e.record(sh.name, r)
	if !strings.HasPrefix(r.URL.Path, "/folder/") {
		http.NotFound(w, r)
		return
	}
	if dc := r.URL.Query().Get("dcPath"); dc != "" && dc != Datacenter {
		http.NotFound(w, r)
		return
	}
	ck, err := r.Cookie(ticketCookie)
	if err != nil || !e.redeem(ck.Value, sh, r) {
		http.Error(w, "no valid service ticket", http.StatusUnauthorized)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), ticketAuth{}, true))
	if r.Method == http.MethodPut {
		e.serveUpload(w, r)
		return
	}
	e.serveTransfer(w, r)
}

// ticketAuth marks a request that a host let in with a service ticket
// (see authorized).
type ticketAuth struct{}

// redeem uses up the ticket id when it was issued for this request on sh.
func (e *Env) redeem(id string, sh *simHost, r *http.Request) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.vc.tickets[id]
	if !ok {
		return false
	}
	delete(e.vc.tickets, id)
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return g.url.Host == sh.srv.Listener.Addr().String() &&
		g.url.EscapedPath() == r.URL.EscapedPath() &&
		g.url.Query().Encode() == r.URL.Query().Encode() &&
		strings.EqualFold(g.method, "http"+method)
}

// override points m at the object that answers it instead of the
// simulator's, if any. It returns nil: the simulator looks m.This up.
func (e *Env) override(m *simulator.Method) mo.Reference {
	if e.vc != nil && m.Name == "AcquireGenericServiceTicket" {
		// vcsim answers a SessionManager reference with a per-session copy of
		// its own: the office has a type of its own and the call is pointed at it.
		m.This = e.vc.office.Self
	}
	return nil
}

// ticketOffice issues generic service tickets as vCenter does, recording
// what each allows so the hosts can check them; vcsim's own issues ids
// that nothing checks.
type ticketOffice struct {
	mo.SessionManager
	env *Env
}

// AcquireGenericServiceTicket is called by the simulator by reflection.
func (o *ticketOffice) AcquireGenericServiceTicket(req *types.AcquireGenericServiceTicket) soap.HasFault {
	body := &methods.AcquireGenericServiceTicketBody{}
	spec, ok := req.Spec.(*types.SessionManagerHttpServiceRequestSpec)
	if !ok {
		body.Fault_ = simulator.Fault("only HTTP service tickets", &types.InvalidArgument{InvalidProperty: "spec"})
		return body
	}
	u, err := url.Parse(spec.Url)
	if err != nil {
		body.Fault_ = simulator.Fault(err.Error(), &types.InvalidArgument{InvalidProperty: "spec.url"})
		return body
	}
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	id := hex.EncodeToString(raw)
	ticket := types.SessionManagerGenericServiceTicket{Id: id, HostName: u.Hostname()}
	e := o.env
	e.mu.Lock()
	e.vc.tickets[id] = ticketGrant{url: u, method: spec.Method}
	for _, h := range e.vc.hosts {
		if h.srv.Listener.Addr().String() == u.Host {
			ticket.SslThumbprint = h.thumbprint
		}
	}
	e.mu.Unlock()
	body.Res = &types.AcquireGenericServiceTicketResponse{Returnval: ticket}
	return body
}
