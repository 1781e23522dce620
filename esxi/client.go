package esxi

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Client is the govmomi implementation of Hypervisor. It holds one session
// with the host, shared by every call and safe for concurrent use: the
// session is kept alive while idle, and a call that fails because the
// session was lost (NotAuthenticated) logs in again and is retried once.
// Close logs out.
type Client struct {
	cfg    Config
	log    *slog.Logger
	url    *url.URL
	soap   *soap.Client
	vim    *vim25.Client
	sm     *session.Manager
	logins atomic.Int64

	loginMu sync.Mutex // serializes re-logins
	closed  atomic.Bool
	stop    chan struct{}
	wg      sync.WaitGroup

	dc       *object.Datacenter
	ds       *object.Datastore
	vmFolder *object.Folder
	pool     *object.ResourcePool
	host     *object.HostSystem
	browser  *object.HostDatastoreBrowser
	direct   *hostTransfer // vCenter: transfers straight to the host
	rootCAs  *x509.CertPool

	netMu    sync.Mutex
	networks map[string]object.NetworkReference
}

var _ Hypervisor = (*Client)(nil)

// Option adjusts how Connect builds a Client.
type Option func(*options)

type options struct {
	logger  *slog.Logger
	rootCAs *x509.CertPool
}

// WithLogger sets the logger; default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithRootCAs verifies the host's certificate against pool instead of the
// system's roots (a private CA).
func WithRootCAs(pool *x509.CertPool) Option { return func(o *options) { o.rootCAs = pool } }

// Connect validates cfg, logs in, and resolves the datacenter, datastore,
// port group and resource pool it names, failing with ErrInvalidConfig
// when one does not exist. The returned Client must be closed.
func Connect(ctx context.Context, cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	u, err := cfg.URL()
	if err != nil {
		return nil, err
	}
	sc := soap.NewClient(u, cfg.Insecure)
	if err := configureTLS(sc, cfg, o.rootCAs); err != nil {
		return nil, err
	}
	tuneTransport(sc.DefaultTransport())
	c := &Client{
		cfg:      cfg,
		log:      o.logger.With("esxi_host", u.Host),
		url:      u,
		soap:     sc,
		stop:     make(chan struct{}),
		networks: make(map[string]object.NetworkReference),
		rootCAs:  o.rootCAs,
	}
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		sc.CloseIdleConnections()
		return nil, wrapConnectErr(u, err)
	}
	// Logins go straight to the host; every other call goes through the
	// re-login round tripper.
	raw := *vc
	raw.RoundTripper = sc
	c.sm = session.NewManager(&raw)
	vc.RoundTripper = &reloginRoundTripper{c: c, next: sc}
	c.vim = vc
	if err := c.login(ctx); err != nil {
		sc.CloseIdleConnections()
		return nil, err
	}
	if err := c.resolve(ctx); err != nil {
		_ = c.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	c.startKeepAlive()
	c.log.Debug("esxi session established", "config", cfg)
	return c, nil
}

// configureTLS sets verification: a thumbprint pins the certificate (and
// nothing else is trusted), Insecure skips verification, otherwise the
// system's roots or the given pool verify the chain.
func configureTLS(sc *soap.Client, cfg Config, roots *x509.CertPool) error {
	t := sc.DefaultTransport()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	tc := t.TLSClientConfig
	tc.MinVersion = tls.VersionTLS12
	switch {
	case cfg.Thumbprint != "":
		want, err := NormalizeThumbprint(cfg.Thumbprint)
		if err != nil {
			return err
		}
		tc.InsecureSkipVerify = true // replaced by the pin below
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return fmt.Errorf("%w: host sent no certificate", ErrTLS)
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if got := fingerprint(sum[:]); got != want {
				return fmt.Errorf("%w: the host's certificate has the SHA-256 fingerprint %s, which does not match the pinned %s. "+
					"If the host's certificate was replaced (check on the host: openssl x509 -in /etc/vmware/ssl/rui.crt -noout -fingerprint -sha256), "+
					"set in hva.conf: %s", ErrTLS, got, want, thumbprintLine(got))
			}
			return nil
		}
	case cfg.Insecure:
		tc.InsecureSkipVerify = true
	default:
		tc.InsecureSkipVerify = false
		if roots != nil {
			tc.RootCAs = roots
		}
	}
	return nil
}

func wrapConnectErr(u *url.URL, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "certificate") || strings.Contains(msg, "thumbprint") || strings.Contains(msg, "x509") {
		if !errors.Is(err, ErrTLS) {
			err = fmt.Errorf("%w: %w. %s", ErrTLS, err, untrustedAdvice(u))
		}
	}
	return &OpError{Op: "connect", Object: u.Host, Err: err}
}

// login logs in with the configured credentials. Errors never carry the
// password.
func (c *Client) login(ctx context.Context) error {
	err := c.sm.Login(ctx, url.UserPassword(c.cfg.Username, c.cfg.Password))
	if err != nil {
		err = stripSecret(err, c.cfg.Password)
		if isInvalidLogin(err) {
			return &OpError{Op: "login", Object: c.cfg.Username + "@" + c.url.Host, Err: fmt.Errorf("%w: %w (check esxi_username and esxi_password; retrying will not help)", ErrAuth, err)}
		}
		if soap.IsSoapFault(err) {
			return &OpError{Op: "login", Object: c.cfg.Username + "@" + c.url.Host, Err: fmt.Errorf("%w (check esxi_username and esxi_password)", err)}
		}
		return wrapConnectErr(c.url, err)
	}
	c.logins.Add(1)
	return nil
}

// stripSecret removes any occurrence of secret from err's message.
func stripSecret(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "********"))
}

// Logins reports how many times the client has logged in: 1 after
// Connect, plus one per re-established session.
func (c *Client) Logins() int64 { return c.logins.Load() }

// Config returns the configuration the client was made with.
func (c *Client) Config() Config { return c.cfg }

// Vim25 returns the underlying govmomi client, for calls this package does
// not offer. It shares the client's session.
func (c *Client) Vim25() *vim25.Client { return c.vim }

// Datastore returns the configured datastore's name.
func (c *Client) Datastore() string { return c.cfg.Datastore }

// Close stops the keepalive and logs out. It is safe to call twice.
func (c *Client) Close(ctx context.Context) error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(c.stop)
	c.wg.Wait()
	err := c.sm.Logout(ctx)
	c.soap.CloseIdleConnections()
	c.closeDirect()
	if err != nil && !isNotAuthenticated(err) {
		return wrapErr("logout", c.url.Host, err)
	}
	return nil
}

// startKeepAlive touches the session while idle so the host does not
// expire it; a lost session is re-established by the round tripper.
func (c *Client) startKeepAlive() {
	every := c.cfg.KeepAlive
	if every == 0 {
		every = 5 * time.Minute
	}
	if every < 0 {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if _, err := methods.GetCurrentTime(ctx, c.vim); err != nil {
					c.log.Warn("esxi keepalive failed", "err", err)
				}
				cancel()
			}
		}
	}()
}

// reloginRoundTripper retries a call once after logging in again when the
// host answers NotAuthenticated (the session expired or was terminated).
type reloginRoundTripper struct {
	c    *Client
	next soap.RoundTripper
}

func (r *reloginRoundTripper) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	if r.c.closed.Load() {
		if _, isLogout := req.(*methods.LogoutBody); !isLogout {
			return ErrClosed
		}
	}
	cookie := r.c.soap.SessionCookie()
	err := r.next.RoundTrip(ctx, req, res)
	if err == nil || !isNotAuthenticated(err) {
		return err
	}
	switch req.(type) {
	case *methods.LoginBody, *methods.LogoutBody:
		return err
	}
	if rerr := r.c.relogin(ctx, cookie); rerr != nil {
		return fmt.Errorf("session lost and login again failed: %w", rerr)
	}
	// The failed answer was decoded into res (its fault included): clear
	// it before decoding the retry's answer.
	if v := reflect.ValueOf(res); v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().Set(reflect.Zero(v.Elem().Type()))
	}
	return r.next.RoundTrip(ctx, req, res)
}

// relogin logs in again unless another goroutine already did since the
// failed call was sent (the session cookie changed).
func (r *Client) relogin(ctx context.Context, stale *soap.HeaderElement) error {
	r.loginMu.Lock()
	defer r.loginMu.Unlock()
	if cur := r.soap.SessionCookie(); cur != nil && (stale == nil || cur.Value != stale.Value) {
		return nil
	}
	r.log.Info("esxi session lost; logging in again")
	return r.login(ctx)
}

// isInvalidLogin reports whether the host refused the credentials.
func isInvalidLogin(err error) bool {
	if soap.IsSoapFault(err) {
		switch soap.ToSoapFault(err).VimFault().(type) {
		case types.InvalidLogin, *types.InvalidLogin:
			return true
		}
	}
	if soap.IsVimFault(err) {
		if _, ok := soap.ToVimFault(err).(*types.InvalidLogin); ok {
			return true
		}
	}
	return false
}

func isNotAuthenticated(err error) bool {
	if err == nil {
		return false
	}
	if soap.IsSoapFault(err) {
		if _, ok := soap.ToSoapFault(err).VimFault().(types.NotAuthenticated); ok {
			return true
		}
	}
	if soap.IsVimFault(err) {
		if _, ok := soap.ToVimFault(err).(*types.NotAuthenticated); ok {
			return true
		}
	}
	return strings.Contains(err.Error(), "NotAuthenticated")
}

// resolve finds the objects cfg names, with errors that say which name is
// wrong. Names are checked here so that no later call sends an unknown
// name to the host (vcsim panics on some).
func (c *Client) resolve(ctx context.Context) error {
	f := find.NewFinder(c.vim, false)
	dc, err := c.findDatacenter(ctx, f)
	if err != nil {
		return err
	}
	c.dc = dc
	f.SetDatacenter(dc)
	ds, err := f.Datastore(ctx, c.cfg.Datastore)
	if err != nil {
		return fmt.Errorf("%w: datastore %q not found in %s (esxi_datastore)", ErrInvalidConfig, c.cfg.Datastore, c.cfg.datacenter())
	}
	c.ds = ds
	folders, err := dc.Folders(ctx)
	if err != nil {
		return wrapErr("find folders", c.cfg.datacenter(), err)
	}
	if _, err := c.network(ctx, c.cfg.portGroup()); err != nil {
		return err
	}
	if err := c.resolvePlacement(ctx, f, folders.VmFolder); err != nil {
		return err
	}
	b, err := ds.Browser(ctx)
	if err != nil {
		return wrapErr("datastore browser", c.cfg.Datastore, err)
	}
	c.browser = b
	return nil
}

// network returns the port group named name, looked up once.
func (c *Client) network(ctx context.Context, name string) (object.NetworkReference, error) {
	c.netMu.Lock()
	defer c.netMu.Unlock()
	if n, ok := c.networks[name]; ok {
		return n, nil
	}
	f := find.NewFinder(c.vim, false)
	f.SetDatacenter(c.dc)
	n, err := f.Network(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%w: network (port group) %q not found in %s", ErrInvalidConfig, name, c.cfg.datacenter())
	}
	c.networks[name] = n
	return n, nil
}
