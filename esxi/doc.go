// Package esxi drives a VMware ESXi host (or a vCenter) for esxi-hva: the
// Hypervisor interface holds what a Wakame job needs (VMs by name, power
// verbs with a soft power-off that falls back to a hard one, disks, NICs,
// CD-ROM, datastore files), and Client implements it with govmomi.
//
// # Sessions
//
// A Client logs in once and every call shares that session; it is safe
// for concurrent use. While idle the session is touched every
// Config.KeepAlive so the host does not expire it. A call that the host
// answers with NotAuthenticated (the session expired or an administrator
// ended it) logs in again, once for all the callers that saw it, and is
// retried once. Close logs out. (Wakame's Ruby driver logs in on every
// call and never logs out.)
//
// # TLS
//
// The host's certificate is verified against the system's roots (or
// WithRootCAs) by default. Config.Thumbprint pins a self-signed host by
// its SHA-256 fingerprint: then only that certificate is accepted, even
// one a CA would vouch for. Config.Insecure turns verification off and is
// never the default. The pin covers datastore transfers too, which use
// the same HTTP client.
//
// # Names and paths
//
// Instance ids and file names become datastore paths; ValidateName
// refuses anything that could escape a folder or confuse ESXi's
// "[datastore] path" syntax, and DatastorePath.Join applies it. Ids that
// callers choose (instances, volumes: a VM's name is its folder's) pass
// the stricter ValidateID: letters, digits, '-', '_' and '.', at most 80
// bytes, never starting with a dot, so that no id can name the agent's
// own folders (".esxi-hva": the image cache). CreateVM, DestroyVM and
// every lookup by VM name apply it. The
// datastore, datacenter, port group and resource pool named by Config are
// resolved by Connect, so an unknown name fails there with
// ErrInvalidConfig instead of reaching the host inside a VM spec.
//
// # vCenter
//
// Config.Host may be a vCenter. Then a Client drives one ESXi host of it
// (Config.HostSystem; one agent per host, as Wakame's host node is one
// hypervisor): CreateVM names that host, so VMs land there and not where
// DRS would put them, in Config.ResourcePool (default the host's root
// pool, which must be of the host's cluster) and Config.VMFolder (default
// the datacenter's VM folder). Connect checks that the host has the
// datastore and the port group. Datastore uploads and downloads go
// straight to the host, as govc's do: for each one vCenter issues a
// generic service ticket (AcquireGenericServiceTicket) for the host's
// /folder URL and method, and the host's certificate is pinned to the
// thumbprint that comes with the ticket. When the host cannot be reached
// (no connection was made), the transfer goes through vCenter's /folder
// instead, logged at Warn once, and the host is tried again after five
// minutes. ListVMs lists the folder's VMs, every host's: agents sharing a
// datastore should share the folder, so that the image cache sees every
// linked clone of its entries.
//
// # Devices
//
// VMs are created with CreateVM device specs (a paravirtual SCSI
// controller for the disks, an IDE CD-ROM backed by an ISO, e1000 or
// vmxnet3 NICs with fixed MACs, addressType manual) and changed with
// ReconfigVM; no .vmx file is ever edited. Disks are detached with an
// empty file operation, so their files stay. DestroyVM deletes every disk
// still attached: callers must attach per-VM disks only (package image
// does). A per-VM disk may be a linked clone (VMSpec.BootChild, ChildDisk):
// a thin delta child made with the VM over a shared parent, which Destroy
// leaves in place (only the child is the VM's). VMInfo.Parents shows each
// disk's chain. A child cannot leave its parent's datastore, and this
// client works on one datastore: a parent elsewhere is ErrBadName.
//
// # Errors
//
// Errors are *OpError values naming the operation and the VM or path
// ("power on i-abc123: ..."), wrapping the govmomi fault and, where one
// applies, a sentinel: ErrNotFound, ErrExists, ErrInvalidPowerState,
// ErrToolsUnavailable, ErrBadName, ErrInvalidConfig, ErrTLS.
package esxi
