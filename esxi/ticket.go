package esxi

import (
	"context"
	"crypto/sha1" //nolint:gosec // vCenter gives host thumbprints as SHA-1; compared, not trusted alone
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// directRetryAfter is how long datastore transfers go through vCenter
// after the ESXi host could not be reached directly, before the host is
// tried again.
const directRetryAfter = 5 * time.Minute

// directDialTimeout bounds the connection (TCP and TLS) to the host for a
// direct transfer; past it the transfer goes through vCenter.
const directDialTimeout = 10 * time.Second

// ticketCookie is the cookie an ESXi host reads a generic service ticket
// from.
const ticketCookie = "vmware_cgi_ticket"

// hostTransfer sends datastore transfers straight to the ESXi host a
// vCenter client places VMs on, as govc does: for each transfer vCenter
// issues a generic service ticket for the host's /folder URL and method,
// and the host accepts the ticket as a cookie. The bytes then never pass
// through vCenter's /folder proxy.
//
// The host's certificate is pinned to the thumbprint vCenter sends with
// the ticket (over the session that Config's TLS settings verified);
// without one it is verified as vCenter's is (roots, Config.Thumbprint or
// Insecure).
type hostTransfer struct {
	base     url.URL // https://address:port of the host
	hostname string  // for certificate verification without a pin
	soap     *soap.Client
	pin      atomic.Pointer[string] // thumbprint from the last ticket

	mu        sync.Mutex
	downUntil time.Time // transfers go through vCenter until then
	warned    bool      // the fallback was logged at Warn
}

// resolveHostTransfer finds the address that the placement host answers
// HTTPS on: its management IP (or inventory name) and the port vCenter
// connects to it on.
func (c *Client) resolveHostTransfer(ctx context.Context) error {
	var h mo.HostSystem
	props := []string{"name", "summary.config.port", "config.virtualNicManagerInfo.netConfig"}
	if err := c.host.Properties(ctx, c.host.Reference(), props, &h); err != nil {
		return wrapErr("find host address", c.host.InventoryPath, err)
	}
	addr := h.Name
	if ip := managementIP(&h); ip != "" {
		addr = ip
	}
	port := h.Summary.Config.Port
	if port <= 0 {
		port = 443
	}
	ht := &hostTransfer{
		base:     url.URL{Scheme: "https", Host: net.JoinHostPort(addr, strconv.Itoa(int(port)))},
		hostname: addr,
	}
	ht.soap = soap.NewClient(&ht.base, c.cfg.Insecure)
	t := ht.soap.DefaultTransport()
	roots, insecure, cfgPin := c.rootCAs, c.cfg.Insecure, c.cfg.Thumbprint
	t.TLSClientConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Verification is done by VerifyConnection below, which knows the
		// pin of the latest ticket.
		InsecureSkipVerify: true, //nolint:gosec // see verifyHost
		VerifyConnection: func(cs tls.ConnectionState) error {
			if insecure {
				return nil
			}
			return ht.verifyHost(cs, roots, cfgPin)
		},
	}
	tuneTransport(t)
	dial := t.DialTLSContext
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		// A host behind a firewall that drops packets would hold each
		// transfer for the dialer's full timeout before the fallback.
		ctx, cancel := context.WithTimeout(ctx, directDialTimeout)
		defer cancel()
		return dial(ctx, network, addr)
	}
	c.direct = ht
	return nil
}

// managementIP returns the address of the host's selected management
// VMkernel NIC, or "".
func managementIP(h *mo.HostSystem) string {
	if h.Config == nil || h.Config.VirtualNicManagerInfo == nil {
		return ""
	}
	for _, nc := range h.Config.VirtualNicManagerInfo.NetConfig {
		if nc.NicType != string(types.HostVirtualNicManagerNicTypeManagement) {
			continue
		}
		for _, cand := range nc.CandidateVnic {
			for _, key := range nc.SelectedVnic {
				if cand.Key == key && cand.Spec.Ip != nil && net.ParseIP(cand.Spec.Ip.IpAddress) != nil {
					return cand.Spec.Ip.IpAddress
				}
			}
		}
	}
	return ""
}

// verifyHost checks the host's certificate: against the ticket's
// thumbprint when vCenter gave one, else against the configured pin, else
// against the roots.
func (ht *hostTransfer) verifyHost(cs tls.ConnectionState, roots *x509.CertPool, cfgPin string) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("%w: host sent no certificate", ErrTLS)
	}
	leaf := cs.PeerCertificates[0]
	if p := ht.pin.Load(); p != nil && *p != "" {
		return matchThumbprint(leaf, *p)
	}
	if cfgPin != "" {
		return matchThumbprint(leaf, cfgPin)
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: ht.hostname, Roots: roots, Intermediates: inter}); err != nil {
		return fmt.Errorf("%w: host %s: %w", ErrTLS, ht.hostname, err)
	}
	return nil
}

// matchThumbprint compares the certificate with a SHA-1 (vCenter's
// tickets) or SHA-256 thumbprint, colons allowed.
func matchThumbprint(cert *x509.Certificate, tp string) error {
	want, err := hex.DecodeString(strings.NewReplacer(":", "", " ", "", "-", "").Replace(tp))
	if err != nil {
		return fmt.Errorf("%w: malformed host thumbprint", ErrTLS)
	}
	var got []byte
	switch len(want) {
	case sha1.Size:
		s := sha1.Sum(cert.Raw) //nolint:gosec // see import
		got = s[:]
	case sha256.Size:
		s := sha256.Sum256(cert.Raw)
		got = s[:]
	default:
		return fmt.Errorf("%w: host thumbprint of %d bytes", ErrTLS, len(want))
	}
	if string(got) != string(want) {
		return fmt.Errorf("%w: host certificate does not match the thumbprint vCenter gave", ErrTLS)
	}
	return nil
}

// TransferHost returns the address ("host:port") datastore transfers go
// to directly, or "" when they go through the address of Config.Host (a
// bare ESXi host, or a vCenter without a placement host).
func (c *Client) TransferHost() string {
	if c.direct == nil {
		return ""
	}
	return c.direct.base.Host
}

// useDirect reports whether the next transfer should try the host.
func (c *Client) useDirect() bool {
	if c.direct == nil {
		return false
	}
	c.direct.mu.Lock()
	defer c.direct.mu.Unlock()
	return time.Now().After(c.direct.downUntil)
}

// directFailed sends transfers through vCenter for a while, and says so:
// at Warn the first time, then at Debug.
func (c *Client) directFailed(err error) {
	ht := c.direct
	ht.mu.Lock()
	ht.downUntil = time.Now().Add(directRetryAfter)
	first := !ht.warned
	ht.warned = true
	ht.mu.Unlock()
	msg := "esxi host unreachable for datastore transfers; they go through vCenter's /folder instead"
	args := []any{"transfer_host", ht.base.Host, "retry_after", directRetryAfter, "err", err}
	if first {
		c.log.Warn(msg, args...)
		return
	}
	c.log.Debug(msg, args...)
}

// hostURL returns the host's /folder URL for a path on the datastore.
// ESXi has one datacenter, so no dcPath is sent.
func (c *Client) hostURL(path string) *url.URL {
	u := c.direct.base
	u.Path = "/folder/" + path
	u.RawQuery = url.Values{"dsName": {c.cfg.Datastore}}.Encode()
	return &u
}

// ticket asks vCenter for a generic service ticket for method on u.
func (c *Client) ticket(ctx context.Context, u *url.URL, method string) (*http.Cookie, error) {
	if method == "" {
		method = http.MethodGet
	}
	req := types.AcquireGenericServiceTicket{
		This: *c.vim.ServiceContent.SessionManager,
		Spec: &types.SessionManagerHttpServiceRequestSpec{
			Url:    u.String(),
			Method: "http" + method[:1] + strings.ToLower(method[1:]),
		},
	}
	res, err := methods.AcquireGenericServiceTicket(ctx, c.vim, &req)
	if err != nil {
		return nil, fmt.Errorf("acquire service ticket: %w", err)
	}
	tp := res.Returnval.SslThumbprint
	c.direct.pin.Store(&tp)
	return &http.Cookie{Name: ticketCookie, Value: res.Returnval.Id}, nil
}

// traceConnected returns ctx with a trace that sets connected once a
// connection to the server is established: before that, nothing of the
// request (its body included) has been sent, so it may be retried
// elsewhere.
func traceConnected(ctx context.Context, connected *atomic.Bool) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
}

// putFolder sends body to the datastore: straight to the ESXi host when
// the client has one, through Config.Host's /folder otherwise or when the
// host cannot be reached (then nothing of body was read).
func (c *Client) putFolder(ctx context.Context, path string, body io.Reader, param soap.Upload) error {
	_, err := viaHost(ctx, c, path, param.Method, func(ctx context.Context, u *url.URL, ticket *http.Cookie) (struct{}, error) {
		p := param
		p.Ticket, p.Close = ticket, true
		return struct{}{}, c.direct.soap.Upload(ctx, body, u, &p)
	}, func() (struct{}, error) {
		return struct{}{}, c.ds.Upload(ctx, body, path, &param)
	})
	return err
}

// getFolder opens a datastore file for reading, from the ESXi host when
// the client has one (falling back as putFolder does).
func (c *Client) getFolder(ctx context.Context, path string) (io.ReadCloser, error) {
	param := soap.DefaultDownload
	return viaHost(ctx, c, path, param.Method, func(ctx context.Context, u *url.URL, ticket *http.Cookie) (io.ReadCloser, error) {
		p := param
		p.Ticket, p.Close = ticket, true
		rc, _, err := c.direct.soap.Download(ctx, u, &p)
		return rc, err
	}, func() (io.ReadCloser, error) {
		rc, _, err := c.ds.Download(ctx, path, &param)
		return rc, err
	})
}

// viaHost runs direct against the ESXi host's own /folder URL with a
// ticket for method when the client has a host to go to, and fallback
// (through Config.Host) otherwise, or when the ticket or the connection
// to the host failed before anything was sent. An error after the
// connection was made is direct's to return: the request may have
// consumed its body.
func viaHost[T any](ctx context.Context, c *Client, path, method string,
	direct func(context.Context, *url.URL, *http.Cookie) (T, error), fallback func() (T, error)) (T, error) {
	if c.useDirect() {
		u := c.hostURL(path)
		ticket, err := c.ticket(ctx, u, method)
		if err == nil {
			var connected atomic.Bool
			var v T
			if v, err = direct(traceConnected(ctx, &connected), u, ticket); err == nil || connected.Load() {
				return v, err
			}
		}
		if ctx.Err() != nil {
			var zero T
			return zero, err
		}
		c.directFailed(err)
	}
	return fallback()
}

// closeDirect drops the idle connections to the host.
func (c *Client) closeDirect() {
	if c.direct != nil {
		c.direct.soap.CloseIdleConnections()
	}
}
