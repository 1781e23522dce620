package esxi

import (
	"context"
	"io"
	"time"
)

// Hypervisor is what a Wakame job needs from an ESXi host: VMs by name
// (the instance id), their power, devices and the files on the datastore.
// *Client implements it over govmomi; tests may substitute their own.
//
// Every method takes a context; cancelling it abandons the call (and, for
// transfers, stops them mid-stream). Errors wrap the sentinels of this
// package (ErrNotFound, ErrInvalidPowerState, ...) and name the operation.
type Hypervisor interface {
	VMs
	Files
	// Close ends the session with the host. The Hypervisor is unusable
	// afterwards.
	Close(ctx context.Context) error
}

// VMs creates, destroys and drives virtual machines by name.
type VMs interface {
	// CreateVM creates a powered-off VM from spec in the datastore folder
	// named after it. A VM with the same name is ErrExists. A failed
	// create leaves no folder or file behind that was not there before.
	CreateVM(ctx context.Context, spec VMSpec) (*VMInfo, error)
	// DestroyVM powers the VM off when needed, destroys it and deletes
	// its folder. A VM that does not exist is not an error.
	DestroyVM(ctx context.Context, name string) error
	// VM describes the named VM, or ErrNotFound.
	VM(ctx context.Context, name string) (*VMInfo, error)
	// ListVMs describes every VM on the host.
	ListVMs(ctx context.Context) ([]VMInfo, error)

	// PowerOn, PowerOff and Reset are the hard power verbs. Asking for
	// the state the VM is already in is ErrInvalidPowerState.
	PowerOn(ctx context.Context, name string) error
	PowerOff(ctx context.Context, name string) error
	Reset(ctx context.Context, name string) error
	// Reboot asks the guest to reboot through VMware Tools when they run,
	// and resets the VM otherwise.
	Reboot(ctx context.Context, name string) error
	// SoftPowerOff asks the guest to shut down and waits up to timeout for
	// it to be off; then it powers the VM off hard. forced reports whether
	// the hard power-off was needed.
	SoftPowerOff(ctx context.Context, name string, timeout time.Duration) (forced bool, err error)
	// PowerState returns the VM's power state.
	PowerState(ctx context.Context, name string) (PowerState, error)

	// AttachDisk adds a disk to the VM (running or not). When spec.SizeMB
	// is positive and the file does not exist, a new thin disk is made.
	AttachDisk(ctx context.Context, name string, spec DiskSpec) error
	// DetachDisk removes the disk backed by path from the VM, keeping the
	// file.
	DetachDisk(ctx context.Context, name string, path DatastorePath) error
	// AttachNIC adds a NIC with the given MAC address.
	AttachNIC(ctx context.Context, name string, spec NICSpec) error
	// DetachNIC removes the NIC with the given MAC address.
	DetachNIC(ctx context.Context, name string, mac string) error
	// InsertCDROM backs the VM's CD-ROM with an ISO on the datastore,
	// adding a CD-ROM drive when the VM has none.
	InsertCDROM(ctx context.Context, name string, iso DatastorePath) error
	// EjectCDROM empties the VM's CD-ROM drive.
	EjectCDROM(ctx context.Context, name string) error
}

// Files reads and writes files on the configured datastore.
type Files interface {
	// Datastore returns the name of the datastore the client works on.
	Datastore() string
	// MakeDirectory creates a folder and its parents. An existing folder is
	// ErrExists, which makes MakeDirectory usable as a lock.
	MakeDirectory(ctx context.Context, p DatastorePath) error
	// Upload streams r into the file p, replacing it. size is the number
	// of bytes r yields, or -1 when unknown. Nothing is buffered whole.
	Upload(ctx context.Context, p DatastorePath, r io.Reader, size int64) error
	// Download streams the file p into w and returns the bytes written.
	Download(ctx context.Context, p DatastorePath, w io.Writer) (int64, error)
	// Stat describes a file or folder, or ErrNotFound.
	Stat(ctx context.Context, p DatastorePath) (FileInfo, error)
	// ListDir lists a folder's entries.
	ListDir(ctx context.Context, p DatastorePath) ([]FileInfo, error)
	// CopyDisk copies the virtual disk pair whose descriptor is src
	// (name.vmdk + name-flat.vmdk) to dst, a descriptor path, as a thin
	// disk.
	CopyDisk(ctx context.Context, src, dst DatastorePath) error
	// MoveDisk moves a virtual disk pair.
	MoveDisk(ctx context.Context, src, dst DatastorePath) error
	// MoveFile moves a file or folder; an existing destination is
	// ErrExists.
	MoveFile(ctx context.Context, src, dst DatastorePath) error
	// Delete removes a file or a folder with all it holds. A missing one
	// is ErrNotFound.
	Delete(ctx context.Context, p DatastorePath) error
}

// PowerState is a VM's power state, as vSphere names it.
type PowerState string

// Power states.
const (
	PoweredOn  PowerState = "poweredOn"
	PoweredOff PowerState = "poweredOff"
	Suspended  PowerState = "suspended"
)

// NICAdapter is the virtual NIC model.
type NICAdapter string

// NIC models. E1000 is the default: every guest has a driver for it.
const (
	E1000   NICAdapter = "e1000"
	VMXNET3 NICAdapter = "vmxnet3"
)

// VMSpec describes a VM to create.
type VMSpec struct {
	// Name is the VM's name and its folder's name on the datastore; for
	// Wakame, the instance id. Validated with ValidateID.
	Name string
	// CPUs and MemoryMB size the VM; both must be positive.
	CPUs     int
	MemoryMB int64
	// GuestID is vSphere's guest OS identifier; default "otherLinux64Guest".
	GuestID string
	// NICs are added in order; the first is the guest's eth0.
	NICs []NICSpec
	// BootChild, when set, is the boot disk: a new thin delta child of
	// a parent disk (a linked clone), created with the VM and attached
	// first.
	BootChild *ChildDisk
	// Disks are existing virtual disks (descriptor paths) attached in
	// order to a paravirtual SCSI controller, after BootChild; without
	// BootChild the first is the boot disk.
	Disks []DatastorePath
	// CDROM, when set, is an ISO on the datastore for the CD-ROM drive.
	CDROM *DatastorePath
	// Annotation is free text shown in the vSphere client.
	Annotation string
}

// NICSpec describes a virtual NIC.
type NICSpec struct {
	// MAC is the fixed address ("52:54:00:12:34:56"; dashes or none also
	// accepted). It is set with addressType manual so ESXi keeps it.
	MAC string
	// Adapter defaults to E1000.
	Adapter NICAdapter
	// PortGroup defaults to Config.PortGroup.
	PortGroup string
}

// DiskSpec describes a disk to attach.
type DiskSpec struct {
	// Path is the descriptor's datastore path.
	Path DatastorePath
	// SizeMB, when positive, creates a new thin disk of that size if Path
	// does not exist yet.
	SizeMB int64
}

// VMInfo describes a VM as the host sees it.
type VMInfo struct {
	Name         string
	PowerState   PowerState
	ToolsRunning bool
	CPUs         int
	MemoryMB     int64
	// Folder is the datastore folder holding the VM's files.
	Folder DatastorePath
	NICs   []NICInfo
	Disks  []DatastorePath
	// Parents holds, for each of Disks that is a delta child (a linked
	// clone), its ancestors, nearest first; standalone disks are absent.
	Parents map[DatastorePath][]DatastorePath
	// CDROM is the ISO backing the CD-ROM, or nil when it is empty or
	// absent.
	CDROM *DatastorePath
}

// NICInfo describes one of a VM's NICs.
type NICInfo struct {
	MAC         string
	AddressType string
	Adapter     NICAdapter
	PortGroup   string
}

// FileInfo describes a datastore file or folder.
type FileInfo struct {
	Path    DatastorePath
	Size    int64
	ModTime time.Time
	IsDir   bool
}
