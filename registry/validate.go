package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	hypervisors = []string{"dummy", "kvm", "lxc", "esxi", "openvz"}
	arches      = []string{"x86", "x86_64"}
)

// Hypervisors returns the hypervisors dcmgr supports
// (dcmgr/lib/dcmgr/constants/host_node.rb); the slice is the caller's.
func Hypervisors() []string { return slices.Clone(hypervisors) }

// Arches returns the architectures dcmgr supports; the slice is the caller's.
func Arches() []string { return slices.Clone(arches) }

// Canonical UUID prefixes.
const (
	PrefixHostNode      = "hn"
	PrefixBackupStorage = "bkst"
	PrefixBackupObject  = "bo"
	PrefixImage         = "wmi"
	PrefixAccount       = "a"
)

// Defaults vdc-manage applies when an option is not given.
const (
	DefaultAccount    = "a-shpoolxx"
	DefaultArch       = "x86_64"
	DefaultHypervisor = "kvm"
	DefaultCPUCores   = 1
	DefaultMemoryMB   = 1024
	// DefaultServiceType is dcmgr.conf's default service type.
	DefaultServiceType = "std"
)

// HostSpec is `vdc-manage host add NODE_ID [options]`.
type HostSpec struct {
	// NodeID is the agent's Isono id, "hva." + its -i value: "hva.esxi1".
	NodeID string
	// UUID is optional; "hn-esxi1" and "esxi1" both store "esxi1".
	UUID        string
	DisplayName string
	// CPUCores and MemoryMB are the offering; zero means vdc-manage's
	// default (1 core, 1024 MB), negative is refused.
	CPUCores int
	MemoryMB int
	// DiskSpaceMB is offering_disk_space_mb (0 by default).
	DiskSpaceMB int
	// Hypervisor is one of Hypervisors(); empty means "kvm" as in vdc-manage.
	Hypervisor string
	// Arch is "x86" or "x86_64" (the default).
	Arch string
	// Force registers a node Isono has never seen (vdc-manage --force).
	Force bool
}

var (
	nodeIDRe  = regexp.MustCompile(`^hva[-.][A-Za-z0-9_.\-]+$`)
	uuidRe    = regexp.MustCompile(`^\w+$`)
	md5Re     = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	accountRe = regexp.MustCompile(`^a-\w+$`)
)

// Normalize validates s and returns it with vdc-manage's defaults applied
// and the UUID without its prefix. It does no I/O. A refused field is a
// *ValidationError.
func (s HostSpec) Normalize() (HostSpec, error) { return s.normalized() }

// normalized returns s with defaults applied, or a *ValidationError.
func (s HostSpec) normalized() (HostSpec, error) {
	if !nodeIDRe.MatchString(s.NodeID) {
		return s, invalid("node id", s.NodeID, `must start with "hva." or "hva-" followed by the agent id (e.g. hva.esxi1)`)
	}
	if len(s.NodeID) > 80 {
		return s, invalid("node id", s.NodeID, "is longer than 80 characters (node_states.node_id)")
	}
	if s.Hypervisor == "" {
		s.Hypervisor = DefaultHypervisor
	}
	if !slices.Contains(hypervisors, s.Hypervisor) {
		return s, invalid("hypervisor", s.Hypervisor, "is not supported; use one of %s", strings.Join(hypervisors, ", "))
	}
	if s.Arch == "" {
		s.Arch = DefaultArch
	}
	if !slices.Contains(arches, s.Arch) {
		return s, invalid("arch", s.Arch, "is not supported; use x86 or x86_64")
	}
	if s.CPUCores == 0 {
		s.CPUCores = DefaultCPUCores
	}
	if s.CPUCores < 0 {
		return s, invalid("cpu cores", fmt.Sprint(s.CPUCores), "must be positive")
	}
	if s.MemoryMB == 0 {
		s.MemoryMB = DefaultMemoryMB
	}
	if s.MemoryMB < 0 {
		return s, invalid("memory size", fmt.Sprint(s.MemoryMB), "must be positive (MB)")
	}
	if s.DiskSpaceMB < 0 {
		return s, invalid("disk space", fmt.Sprint(s.DiskSpaceMB), "must not be negative (MB)")
	}
	u, err := trimOptionalUUID(PrefixHostNode, s.UUID)
	if err != nil {
		return s, err
	}
	s.UUID = u
	return s, nil
}

// trimOptionalUUID is TrimUUID for a UUID the user may leave out: "" stays
// "" (one is generated later).
func trimOptionalUUID(prefix, uuid string) (string, error) {
	if uuid == "" {
		return "", nil
	}
	return TrimUUID(prefix, uuid)
}

// TrimUUID turns a UUID given by a user into the stored form, as vdc-manage
// does: a leading "prefix-" is removed, and what remains must be word
// characters ([A-Za-z0-9_]), 1 to 255 of them. TrimUUID("hn", "hn-esxi1")
// is "esxi1"; TrimUUID("hn", "wmi-x") fails.
func TrimUUID(prefix, uuid string) (string, error) {
	u := strings.TrimPrefix(uuid, prefix+"-")
	if len(u) > 255 || !uuidRe.MatchString(u) {
		return "", invalid(prefix+" uuid", uuid, "UUID syntax invalid: want %s-<letters, digits, _> (at most 255)", prefix)
	}
	return u, nil
}

// Canonical returns "prefix-uuid" for a stored uuid.
func Canonical(prefix, uuid string) string { return prefix + "-" + uuid }

// ImageSpec is the registration of a VMDK pair by its flat URI and md5:
// `vdc-manage image add local URI --md5sum ...` of 2012, or the
// backupstorage/backupobject/image add triple of current Wakame.
type ImageSpec struct {
	// FlatURI is the URI of NAME-flat.vmdk (http, https or file); the
	// descriptor NAME.vmdk must sit next to it.
	FlatURI string
	// MD5 is the flat file's md5, 32 hex digits.
	MD5 string
	// AccountID owns the image; empty means "a-shpoolxx".
	AccountID string
	// Public makes the image visible to every account.
	Public      bool
	Description string
	// DisplayName defaults to the descriptor's file name.
	DisplayName string
	// Arch defaults to "x86_64".
	Arch string
	// UUID optionally fixes the image's UUID ("wmi-lucid" or "lucid").
	UUID string
	// Verify streams the whole flat file and compares its md5 before
	// writing anything; Progress, when set, is called as bytes arrive.
	Verify   bool
	Progress func(done, total int64)
}

// imagePlan is a validated ImageSpec and what follows from its URI.
type imagePlan struct {
	ImageSpec
	pair Pair
}

// Normalize validates s and returns it with defaults applied (lower-case
// md5, account a-shpoolxx, arch x86_64, display name from the descriptor,
// UUID without its prefix) and the pair its URI names. It does no I/O. A
// refused field is a *ValidationError.
func (s ImageSpec) Normalize() (ImageSpec, Pair, error) {
	p, err := s.normalized()
	return p.ImageSpec, p.pair, err
}

func (s ImageSpec) normalized() (imagePlan, error) {
	p := imagePlan{ImageSpec: s}
	pair, err := PairFromFlat(s.FlatURI)
	if err != nil {
		return p, err
	}
	p.pair = pair
	if len(pair.BaseURI) > 255 || len(pair.ObjectKey) > 255 {
		return p, invalid("flat uri", s.FlatURI, "directory and file name must each fit in 255 characters (backup_storages.base_uri, backup_objects.object_key)")
	}
	if !md5Re.MatchString(s.MD5) {
		return p, invalid("md5", s.MD5, "must be 32 hex digits")
	}
	p.MD5 = strings.ToLower(s.MD5)
	if p.AccountID == "" {
		p.AccountID = DefaultAccount
	}
	if !accountRe.MatchString(p.AccountID) {
		return p, invalid("account id", p.AccountID, `must look like "a-shpoolxx"`)
	}
	if p.Arch == "" {
		p.Arch = DefaultArch
	}
	if !slices.Contains(arches, p.Arch) {
		return p, invalid("arch", p.Arch, "is not supported; use x86 or x86_64")
	}
	if p.DisplayName == "" {
		p.DisplayName = pair.DescriptorName()
	}
	if len(p.DisplayName) > 255 {
		return p, invalid("display name", p.DisplayName, "is longer than 255 characters")
	}
	u, err := trimOptionalUUID(PrefixImage, p.UUID)
	if err != nil {
		return p, err
	}
	p.UUID = u
	return p, nil
}
