package hvaconf

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// Config is what esxi-hva takes from hva.conf, with defaults applied.
// Printing it (fmt, %#v, slog, encoding/json) shows ESXiPassword as "***".
type Config struct {
	ESXiHost       string   // esxi_ipaddress: host name or address of the ESXi host or vCenter
	ESXiDatacenter string   // esxi_datacenter (default "ha-datacenter")
	ESXiDatastore  string   // esxi_datastore (default "datastore1")
	ESXiUsername   string   // esxi_username (default "root", as in Wakame)
	ESXiPassword   Password // esxi_password (no default; never printed)
	ESXiInsecure   bool     // esxi_insecure: skip TLS verification (default false)
	ESXiThumbprint string   // esxi_thumbprint: pinned SHA-256 certificate thumbprint (esxi-hva's own)
	ESXiPortGroup  string   // esxi_portgroup: port group for VM NICs (esxi-hva's own, default "VM Network")
	// When esxi_ipaddress is a vCenter (esxi-hva's own keys; a bare ESXi
	// host needs none): ESXiHostSystem (esxi_host_system) is the ESXi host
	// this agent creates its VMs on, by name or inventory path, required
	// when the datacenter has several (one agent per host, as Wakame's host
	// node is one hypervisor); ESXiResourcePool (esxi_resource_pool) and
	// ESXiVMFolder (esxi_vm_folder) default to the host's root pool and the
	// datacenter's VM folder. Set esxi_datacenter to the vCenter's
	// datacenter too.
	ESXiHostSystem   string
	ESXiResourcePool string
	ESXiVMFolder     string
	VMDataDir        string // vm_data_dir: Wakame's local instance directory
	EdgeNetworking   string // edge_networking (default "netfilter", as in Wakame; ESXi has none)
	// ImageCacheBudget (image_cache_budget, esxi-hva's own) is the datastore
	// space the image cache may use, in bytes (default
	// DefaultImageCacheBudget); 0 means no limit. The value
	// is an integer or a string with a unit: "512M", "10G", "10GiB" (powers
	// of 1024) or "10GB" (powers of 1000).
	ImageCacheBudget int64
	// UseLinkedClone (use_linked_clone, esxi-hva's own, named as Nova's
	// VMware driver names it) boots each instance from a linked clone of
	// the cached image: a thin delta child made in constant time whatever
	// the image's size (default true). false gives each instance a thin
	// full copy of the image instead.
	UseLinkedClone bool
	// Concurrency (concurrency, esxi-hva's own) is how many jobs on
	// different instances run at once (default 4, at least 1).
	Concurrency int
	// SoftPowerOffTimeout (soft_poweroff_timeout, esxi-hva's own) is how long
	// soft_poweroff waits for the guest before powering off hard: seconds
	// as a number, or a Go duration string such as "2m" (default 120s).
	SoftPowerOffTimeout time.Duration
	// MetadataItems (metadata_items, esxi-hva's own) are extra files for the
	// metadata CD, path => content, written as a Ruby hash:
	//   config.metadata_items = { "extra-hosts/fluent.local" => "192.168.1.101" }
	// Paths are relative, '/'-separated and without "." or ".." parts.
	MetadataItems map[string]string
	// JobDeadlineLaunch, JobDeadlineBackup and JobDeadlineOther
	// (job_deadline_launch, job_deadline_backup, job_deadline_other,
	// esxi-hva's own) bound how long a job of each kind may run before it
	// is cancelled and rolled back, and JobDeadlineCleanup
	// (job_deadline_cleanup) how long that rollback may take: seconds as a
	// number, or a Go duration string such as "3h". Defaults:
	// hva.DefaultLaunchDeadline (3h), hva.DefaultBackupDeadline (3h),
	// hva.DefaultOtherDeadline (15m), hva.DefaultCleanupDeadline (10m); 0
	// takes the default.
	JobDeadlineLaunch  time.Duration
	JobDeadlineBackup  time.Duration
	JobDeadlineOther   time.Duration
	JobDeadlineCleanup time.Duration
	// TransferStallTimeout (transfer_stall_timeout, esxi-hva's own) fails
	// an image, datastore or backup transfer that moves no byte for this
	// long (a GET is retried): seconds or a duration string (default 60s).
	TransferStallTimeout time.Duration
}

// Default values of Config.
const (
	DefaultESXiDatacenter      = "ha-datacenter"
	DefaultESXiDatastore       = "datastore1"
	DefaultESXiUsername        = "root"
	DefaultESXiPortGroup       = "VM Network"
	DefaultEdgeNetworking      = "netfilter"
	DefaultConcurrency         = 4
	DefaultSoftPowerOffTimeout = 120 * time.Second
	// DefaultImageCacheBudget is 100 GiB: a dozen or more of the usual 2
	// to 8 GiB images with room to spare, and at most a tenth of the
	// datastores ESXi hosts are usually installed with (1 TB and up), so
	// that the cache never crowds out the instances' disks. Unused
	// entries beyond it are pruned, oldest first.
	DefaultImageCacheBudget = 100 << 30
	// Job deadlines, as in package hva (which hvaconf does not import).
	DefaultJobDeadlineLaunch  = 3 * time.Hour
	DefaultJobDeadlineBackup  = 3 * time.Hour
	DefaultJobDeadlineOther   = 15 * time.Minute
	DefaultJobDeadlineCleanup = 10 * time.Minute
	// DefaultTransferStallTimeout: a minute without a byte is far beyond
	// any pause of a healthy peer, and short enough that a dead one does
	// not hold a job's slot for long (esxi.DefaultStallTimeout).
	DefaultTransferStallTimeout = time.Minute
)

// DefaultConfig returns the Config of an hva.conf that sets nothing.
func DefaultConfig() Config {
	return Config{
		ESXiDatacenter:       DefaultESXiDatacenter,
		ESXiDatastore:        DefaultESXiDatastore,
		ESXiUsername:         DefaultESXiUsername,
		ESXiPortGroup:        DefaultESXiPortGroup,
		EdgeNetworking:       DefaultEdgeNetworking,
		UseLinkedClone:       true,
		Concurrency:          DefaultConcurrency,
		SoftPowerOffTimeout:  DefaultSoftPowerOffTimeout,
		ImageCacheBudget:     DefaultImageCacheBudget,
		JobDeadlineLaunch:    DefaultJobDeadlineLaunch,
		JobDeadlineBackup:    DefaultJobDeadlineBackup,
		JobDeadlineOther:     DefaultJobDeadlineOther,
		JobDeadlineCleanup:   DefaultJobDeadlineCleanup,
		TransferStallTimeout: DefaultTransferStallTimeout,
	}
}

// Load parses the hva.conf at path and returns its Config and warnings.
// A missing file returns an error wrapping fs.ErrNotExist.
func Load(path string) (Config, []string, error) {
	f, err := ParseFile(path)
	if err != nil {
		return Config{}, nil, err
	}
	return f.Config()
}

// ESXi returns the connection settings in the form the esxi package takes.
// A bare IPv6 address in esxi_ipaddress is bracketed ("[fe80::1]") so that
// it is not read as host:port.
func (c Config) ESXi() esxi.Config {
	host := c.ESXiHost
	if ip := net.ParseIP(host); ip != nil && strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return esxi.Config{
		Host:         host,
		Datacenter:   c.ESXiDatacenter,
		Datastore:    c.ESXiDatastore,
		PortGroup:    c.ESXiPortGroup,
		HostSystem:   c.ESXiHostSystem,
		ResourcePool: c.ESXiResourcePool,
		VMFolder:     c.ESXiVMFolder,
		Username:     c.ESXiUsername,
		Password:     string(c.ESXiPassword),
		Insecure:     c.ESXiInsecure,
		Thumbprint:   c.ESXiThumbprint,
		StallTimeout: c.TransferStallTimeout,
	}
}

// Validate reports what a connection to ESXi cannot do without (host,
// datastore, username, password, a usable host and thumbprint form), as
// esxi.Config.Validate does; errors.Is(err, esxi.ErrInvalidConfig). Config
// does not call it, so that a program may run on an embedded simulator
// with an hva.conf that names no host.
func (c Config) Validate() error {
	if err := c.ESXi().Validate(); err != nil {
		return fmt.Errorf("hva.conf: %w", err)
	}
	return nil
}

// validThumbprint accepts what esxi.Config takes: 32 bytes in hex,
// optionally separated by colons, spaces or dashes, or openssl's
// "sha256 Fingerprint=..." output.
func validThumbprint(tp string) bool {
	_, err := esxi.NormalizeThumbprint(tp)
	return err == nil
}
