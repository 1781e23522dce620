package hva

// Job names, as Wakame's endpoints name them (the job argument of
// Dispatch). Both endpoints have a run_local_store: hva-handle's boots an
// instance whose volumes are ready (RunLocalStore), local-store-handle's
// deploys them first (LocalStoreRun); a log line tells them apart by its
// endpoint.
const (
	jobRunLocalStore        = "run_local_store"
	jobRunVolStore          = "run_vol_store"
	jobWaitVolumesAvailable = "wait_volumes_available"
	jobTerminate            = "terminate"
	jobCleanup              = "cleanup"
	jobStop                 = "stop"
	jobReboot               = "reboot"
	jobPowerOff             = "poweroff"
	jobSoftPowerOff         = "soft_poweroff"
	jobPowerOn              = "poweron"
	jobAttach               = "attach"
	jobDetach               = "detach"
	jobAttachNIC            = "attach_nic"
	jobDetachNIC            = "detach_nic"
	jobDeleteVolume         = "delete_volume"
	jobBackupImage          = "backup_image"
	jobBackupVolume         = "backup_volume"
)

// Instance states, as Wakame's Instance model names them.
const (
	statePending      = "pending"
	stateFailingOver  = "failingover"
	stateInitializing = "initializing"
	stateRunning      = "running"
	stateHalting      = "halting"
	stateHalted       = "halted"
	stateStarting     = "starting"
	stateStopping     = "stopping"
	stateStopped      = "stopped"
	stateShuttingDown = "shuttingdown"
	stateTerminated   = "terminated"
)

// Instance statuses (the monitor's view), as Wakame's Instance model
// names them.
const (
	statusOnline  = "online"
	statusOffline = "offline"
)

// Volume states, as Wakame's Volume model names them.
const (
	volAvailable = "available"
	volAttaching = "attaching"
	volAttached  = "attached"
	volDetaching = "detaching"
	volDeleting  = "deleting"
	volDeleted   = "deleted"
)

// Backup object and image states, as Wakame's models name them.
const (
	objCreating  = "creating"
	objAvailable = "available"
	objDeleted   = "deleted"
)

// Events the jobs publish.
const (
	evInstanceStarted    = "hva/instance_started"
	evInstanceTurnedOn   = "hva/instance_turnedon"
	evInstanceTurnedOff  = "hva/instance_turnedoff"
	evVolumeAvailable    = "hva/volume_available"
	evVolumeAttaching    = "hva/volume_attaching"
	evVolumeAttached     = "hva/volume_attached"
	evVolumeDetached     = "hva/volume_detached"
	evVolumeDeleted      = "hva/volume_deleted"
	evInstanceTerminated = "hva/instance_terminated"
	evFaultInstance      = "hva/fault_instance"

	evNodeInstanceTerminated = "/instance_terminated" // after the node id
	evNodeVnicCreated        = "/vnic_created"        // after the node id
	evNodeVnicDestroyed      = "/vnic_destroyed"      // after the node id
	evGroupVnicJoined        = "/vnic_joined"         // after a security group
	evGroupVnicLeft          = "/vnic_left"           // after a security group
)
