package esxi

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// DefaultPortGroup is the port group NICs join when Config.PortGroup is
// empty, as on a freshly installed ESXi.
const DefaultPortGroup = "VM Network"

// DefaultDatacenter is the only datacenter a standalone ESXi host has.
const DefaultDatacenter = "ha-datacenter"

// Config says which ESXi host (or vCenter) to drive and how to reach it.
// The zero value is not usable: Host, Datastore, Username and Password are
// required. Validate reports what is missing; Connect validates the
// names against the host before anything else is done.
type Config struct {
	// Host is the ESXi or vCenter address: "esxi1.example.com",
	// "192.0.2.10:443" or a full "https://host/sdk" URL. Credentials in a
	// URL are refused: use Username and Password.
	Host string
	// Datacenter defaults to "ha-datacenter" (a standalone ESXi host); on
	// a vCenter, empty means its only datacenter.
	Datacenter string
	// Datastore is the datastore holding instance folders and the image
	// cache, e.g. "datastore1".
	Datastore string
	// PortGroup is the network NICs join unless a NICSpec says otherwise;
	// default "VM Network".
	PortGroup string
	// ResourcePool is an inventory path or name of the pool VMs are
	// created in (vCenter). Empty means the root pool of HostSystem's
	// cluster or standalone host. It must belong to that cluster or host.
	ResourcePool string
	// HostSystem names the ESXi host within a vCenter that VMs are created
	// on, by name ("esxi1.example.com") or inventory path
	// ("/DC1/host/Cluster1/esxi1.example.com"). One agent drives one
	// host, as Wakame's host node is one hypervisor. It may be empty only
	// when the datacenter has a single host; a bare ESXi host needs none.
	HostSystem string
	// VMFolder is the inventory path or name of the folder VMs are created
	// in (vCenter). Empty means the datacenter's VM folder. Agents that
	// share a datastore should share the folder too: the image cache
	// lists the folder's VMs to know which cached images are in use.
	VMFolder string
	// Username and Password log in. The password is never logged or put
	// in an error message.
	Username string
	Password string
	// Insecure skips TLS certificate verification. Prefer Thumbprint.
	Insecure bool
	// Thumbprint pins the host's certificate by its SHA-256 fingerprint
	// (hex, with or without colons, or openssl's "sha256
	// Fingerprint=..." line; see NormalizeThumbprint). With a pin, a
	// self-signed host is accepted only when its certificate matches.
	Thumbprint string
	// KeepAlive is how often an idle session is touched so that the host
	// does not expire it; default 5 minutes, negative disables.
	KeepAlive time.Duration
	// StallTimeout fails a datastore upload or download that makes no
	// progress for this long (no byte taken or given by the host, or no
	// answer after the last byte), with an error wrapping ErrStalled;
	// default DefaultStallTimeout.
	StallTimeout time.Duration
}

// DefaultStallTimeout is Config.StallTimeout's default: a minute without
// one byte moving is far beyond any pause of a healthy host (a VMFS
// allocation, a busy datastore) and short enough that a dead peer does
// not hold a job and its concurrency slot for long.
const DefaultStallTimeout = time.Minute

func (c Config) stallTimeout() time.Duration {
	if c.StallTimeout <= 0 {
		return DefaultStallTimeout
	}
	return c.StallTimeout
}

// LogValue keeps the password out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.hostForLog()),
		slog.String("datacenter", c.datacenter()),
		slog.String("datastore", c.Datastore),
		slog.String("port_group", c.portGroup()),
		slog.String("username", c.Username),
		slog.Bool("insecure", c.Insecure),
		slog.Bool("pinned", c.Thumbprint != ""),
	)
}

// String describes the configuration without the password.
func (c Config) String() string {
	return fmt.Sprintf("esxi %s@%s dc=%s ds=%s", c.Username, c.hostForLog(), c.datacenter(), c.Datastore)
}

func (c Config) hostForLog() string {
	if u, err := c.URL(); err == nil {
		return u.Host
	}
	return "(invalid host)"
}

func (c Config) datacenter() string {
	if c.Datacenter == "" {
		return DefaultDatacenter
	}
	return c.Datacenter
}

func (c Config) portGroup() string {
	if c.PortGroup == "" {
		return DefaultPortGroup
	}
	return c.PortGroup
}

// URL returns the SDK endpoint, without credentials.
func (c Config) URL() (*url.URL, error) {
	h := strings.TrimSpace(c.Host)
	if h == "" {
		return nil, fmt.Errorf("%w: Host is empty: set the ESXi address (esxi_ipaddress in hva.conf)", ErrInvalidConfig)
	}
	if !strings.Contains(h, "://") {
		h = "https://" + h
	}
	u, err := url.Parse(h)
	if err != nil {
		return nil, fmt.Errorf("%w: Host is not an address or URL", ErrInvalidConfig)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: Host must not carry credentials: use Username and Password", ErrInvalidConfig)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%w: Host scheme %q: use https", ErrInvalidConfig, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%w: Host %q has no host name", ErrInvalidConfig, u.Redacted())
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/sdk"
	}
	return u, nil
}

// hostPort returns the host:port the TLS thumbprint is keyed by.
func (c Config) hostPort() (string, error) {
	u, err := c.URL()
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

// Validate checks the configuration without contacting the host: required
// fields, names usable in datastore paths, and the thumbprint's form.
func (c Config) Validate() error {
	if _, err := c.URL(); err != nil {
		return err
	}
	var missing []string
	if c.Datastore == "" {
		missing = append(missing, "Datastore (esxi_datastore)")
	}
	if c.Username == "" {
		missing = append(missing, "Username (esxi_username)")
	}
	if c.Password == "" {
		missing = append(missing, "Password (esxi_password)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalidConfig, strings.Join(missing, ", "))
	}
	if err := validateDatastoreName(c.Datastore); err != nil {
		return fmt.Errorf("%w: Datastore: %w", ErrInvalidConfig, err)
	}
	if c.Thumbprint != "" {
		if _, err := NormalizeThumbprint(c.Thumbprint); err != nil {
			return err
		}
	}
	return nil
}

// NormalizeThumbprint returns a SHA-256 certificate fingerprint in the
// colon-separated upper-case form govmomi compares with. It accepts 64 hex
// digits in either case, with or without colons, spaces or dashes, and
// openssl's output as is: "sha256 Fingerprint=4C:3D:..." or "SHA256
// Fingerprint=4C3D..." (from openssl x509 -noout -fingerprint -sha256).
func NormalizeThumbprint(tp string) (string, error) {
	s := strings.TrimSpace(tp)
	if head, rest, ok := strings.Cut(s, "="); ok {
		h := strings.ToLower(strings.Join(strings.Fields(head), " "))
		if h != "sha256 fingerprint" && h != "sha-256 fingerprint" {
			return "", fmt.Errorf("%w: Thumbprint (esxi_thumbprint) must be a SHA-256 fingerprint (64 hex digits, colons allowed, or openssl's \"sha256 Fingerprint=...\")", ErrInvalidConfig)
		}
		s = rest
	}
	clean := strings.ToUpper(strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s)))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != 32 {
		return "", fmt.Errorf("%w: Thumbprint (esxi_thumbprint) must be a SHA-256 fingerprint (64 hex digits, colons allowed, or openssl's \"sha256 Fingerprint=...\")", ErrInvalidConfig)
	}
	return fingerprint(b), nil
}

// fingerprint formats a SHA-256 sum as "4C:3D:...".
func fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, x := range sum {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}
