package hva

// Instance is the part of the collector's get_instance hash a job needs,
// decoded by DecodeInstance: only the fields some job reads. Raw keeps
// the whole hash.
type Instance struct {
	ID         string // uuid, "i-xxxxxxxx"
	AccountID  string
	State      string // e.g. "initializing", "running", "halted"
	Hostname   string
	CPUCores   int    // 1 to MaxCPUCores
	MemorySize int    // MB, 1 to MaxMemoryMB
	UserData   string // at most MaxUserData bytes
	// BootVolumeID is the volume whose disk is the boot disk.
	BootVolumeID string
	// InstanceType is request_params.instance_spec_id, or the image's
	// instance_model_name.
	InstanceType string
	Image        Image
	Vifs         []Vif    // ordered by device index
	Volumes      []Volume // ordered by id
	HostNode     *HostNode
	SSHKey       *SSHKey
	IPs          []string // the instance's IPv4 addresses
	NATIPs       []string
	Raw          map[string]any
}

// Image is the instance's machine image and where its disk pair lives.
type Image struct {
	ID                string // "wmi-..."
	InstanceModelName string
	// URI is the flat file's URI (current Wakame: backup_object.uri; the
	// 2012 shape: source.uri). Empty when the image has none.
	URI string
	// MD5 is the flat's md5 (backup_object.checksum, or md5sum).
	MD5 string
	// Size is the flat's size in bytes when known (backup_object.size).
	Size int64
}

// Vif is a virtual interface of the instance.
type Vif struct {
	ID             string // "vif-..."
	MAC            string // 12 lowercase hex digits, as Wakame stores it
	DeviceIndex    int
	SecurityGroups []string
	IPv4           *IPv4Lease // nil without an IP lease
}

// IPv4Lease is a vif's address and network.
type IPv4Lease struct {
	Address    string
	NATAddress string
	Network    *Network
}

// Network is the network of a lease.
type Network struct {
	IPv4Network string // e.g. "10.0.0.0"
	Prefix      int
	Gateway     string
	DNSServer   string
	Metric      int
}

// Volume is one of the instance's volumes, or the answer of get_volume.
type Volume struct {
	ID      string // "vol-..."
	State   string
	Size    int64 // bytes
	IsLocal bool
}

// HostNode is the node the instance is placed on.
type HostNode struct {
	NodeID string // "hva.esxi1"
}

// SSHKey is the instance's key pair.
type SSHKey struct {
	ID        string // "ssh-..."
	PublicKey string
}

// BackupObject is the answer of get_backup_object: where a backup goes.
type BackupObject struct {
	ID string
	// URI is the object's full URI: the backup storage's base_uri plus
	// the object key (or the collector's uri field when it sends one).
	URI string
}

// NIC is the answer of get_nic.
type NIC struct {
	ID         string
	MAC        string
	InstanceID string
}
