// Package hva is the job handler of an esxi-hva agent: it runs every job
// Wakame-vdc sends a hypervisor agent (HVA) on an ESXi host, and is
// transport-agnostic — hva/isono carries the jobs over AMQP, tests and
// embedded programs call the Handler directly.
//
// # Jobs
//
// A Handler has one method per Wakame job, and Dispatch routes a job by
// its endpoint ("hva-handle", "local-store-handle") and name:
//
//	hva-handle:         run_local_store, run_vol_store, wait_volumes_available,
//	                    terminate, cleanup, stop, reboot, poweroff,
//	                    soft_poweroff, poweron, attach, detach,
//	                    attach_nic, detach_nic
//	local-store-handle: run_local_store, delete_volume, backup_image,
//	                    backup_volume
//
// Each job accepts the states, makes the transitions and publishes the
// events of Wakame's Ruby handler (dcmgr/lib/dcmgr/rpc/hva_handler.rb),
// except where that handler or its ESXi driver is wrong:
//
//   - terminate destroys the VM whether it is powered on or off (the Ruby
//     ESXi driver's PowerOff fails on a VM that is off, so Destroy never
//     runs), and succeeds when the VM is already gone;
//   - poweroff, poweron and soft_poweroff really change the VM's power
//     state (the Ruby ESXi driver leaves them as no-ops);
//   - soft_poweroff falls back to a hard power-off after
//     Options.SoftPowerOffTimeout and reports "halted" once the VM is off
//     (Wakame leaves that to its instance monitor);
//   - reboot uses a guest reboot when VMware Tools run, a reset otherwise;
//   - reboot, poweroff, soft_poweroff and poweron check the instance's
//     state (running; running or halting; halted or starting), which the
//     Ruby handler does not: a job in the wrong state changes nothing;
//   - wait_volumes_available boots the instance in process instead of
//     submitting run_local_store again, and local-store's run_local_store
//     continues into the boot the same way;
//   - run_vol_store fails with ErrUnsupported: ESXi has no shared volumes
//     here.
//
// A job on an instance in the wrong state returns a *StateError
// (errors.Is(err, ErrInvalidState)) and changes nothing.
//
// # Launch and rollback
//
// run_local_store deploys the instance's image pair into "[ds] <id>/"
// (package image: md5 verified while streaming, cached on the datastore;
// the boot disk is a linked clone of the cached image unless
// Options.FullCopies asks for thin full copies),
// uploads the metadata CD as "[ds] <id>/metadata.iso", creates the VM with
// the instance's NICs (fixed MACs), the disk and the CD-ROM, powers it on,
// reports "running" and publishes hva/instance_started and the vnic and
// volume events. Any failure rolls back: the VM is destroyed if it exists,
// the folder and local volumes are deleted, the instance is finalized and
// the terminated events are published. The error returned is the first
// cause, followed by every cleanup error (go-multierror). Cancelling the
// job's context stops it at the next step and rolls back.
//
// Every job runs under a deadline by kind (Options.JobDeadlines: launch and
// backup 3h, others 15m), counted once it holds its instance and a
// concurrency slot; past it the job is cancelled and rolled back like any
// failure, with an error wrapping ErrDeadline, and its slot goes to the
// next job. The rollback, and whatever else a failed job still owes (a
// state put back), runs on a clock of its own, JobDeadlines.Cleanup
// (10m), so that it too ends when the host or collector stops answering.
// Transfers fail sooner when a peer stops moving bytes (the
// stall watchdogs of packages image and esxi). Instance, volume and other
// ids must pass esxi.ValidateID, so none can name the agent's own folders.
//
// # Concurrency
//
// Jobs on one instance run one at a time, in arrival order; jobs on
// different instances run concurrently up to Options.Concurrency (the Ruby
// HVA runs all hva-handle jobs serially).
//
// # Metadata
//
// MetadataItems builds the instance's metadata items (Wakame's AWS-style
// tree: ami-id, instance-id, local-ipv4, the per-MAC network items, the
// public key, ...); the launch writes them under meta-data/ with
// user-data at the root into a metadata CD (volume META_CD holding a FAT
// image labelled METADATA, built in memory by internal/metadrive, no root
// and no external programs) that the guest's wakame-init reads. Each file
// holds its value and a newline, as Ruby's puts writes it (no second
// newline when the value already ends with one). The FAT image is sized to
// its content with room to spare (2 MiB for a typical instance, growing
// with user-data) rather than the Ruby HVA's fixed 10 MiB, since it is
// uploaded on every launch and power-on.
//
// # The rest of the agent
//
// hva/hvatest is an in-memory Collector and Events sink; hva/isono carries
// jobs, collector RPCs and events over Wakame's AMQP protocol; hva/hvaconf
// reads the operator's hva.conf and /etc/default/wakame-vdc.
package hva
