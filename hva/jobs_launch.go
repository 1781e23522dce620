package hva

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hashicorp/go-multierror"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// RunLocalStore is hva-handle's run_local_store: it boots an instance in
// state "initializing" from its image. The image pair is deployed into
// the instance's folder (from the datastore cache when its md5 is there),
// the metadata CD is uploaded beside it, the VM is created with the
// instance's NICs, disk and CD-ROM and powered on; the instance becomes
// "running" and hva/instance_started, the vnic events and the volume
// events are published.
//
// A failure at any step rolls back: the VM is destroyed, the instance's
// folder and local volumes are deleted, the instance is finalized and the
// terminated events are published. The returned error is the first cause,
// with every cleanup error aggregated after it.
//
// A redelivered job for an instance that is already running with its VM
// powered on succeeds without doing anything.
func (h *Handler) RunLocalStore(ctx context.Context, id string) error {
	spec := jobSpec{name: jobRunLocalStore, accept: []string{stateInitializing}, relaunch: true}
	return h.instanceJob(ctx, spec, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		if pending := volumesNotAvailable(inst); len(pending) > 0 {
			// As Wakame does: the job succeeds and waits for
			// wait_volumes_available to submit it again.
			log.Warn("volumes not available yet; not booting", "volumes", pending)
			return nil
		}
		return h.launch(ctx, log, inst, nil)
	})
}

// alreadyRunning reports whether inst is running with its VM powered on:
// a redelivered launch then has nothing to do.
func (h *Handler) alreadyRunning(ctx context.Context, inst *Instance) (bool, error) {
	if inst.State != stateRunning {
		return false, nil
	}
	st, err := h.hv.PowerState(ctx, inst.ID)
	if errors.Is(err, esxi.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return st == esxi.PoweredOn, nil
}

// launch is the boot path shared by both run_local_store jobs; it rolls
// back on failure. disk is the boot disk an earlier phase prepared, or
// nil.
func (h *Handler) launch(ctx context.Context, log *slog.Logger, inst *Instance, disk *bootDisk) (err error) {
	defer func() {
		if err != nil {
			err = h.rollbackLaunch(ctx, log, inst, err)
		}
	}()
	for _, v := range inst.Volumes {
		if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol(volAttaching)}, evVolumeAttaching); err != nil {
			return err
		}
	}
	if disk == nil {
		if disk, err = h.deployBootDisk(ctx, log, inst); err != nil {
			return err
		}
	}
	defer disk.done() // once the VM exists, its disk chain keeps the base
	iso, err := h.uploadMetadataCD(ctx, log, inst)
	if err != nil {
		return err
	}
	spec := esxi.VMSpec{
		Name:       inst.ID,
		CPUs:       inst.CPUCores,
		MemoryMB:   int64(inst.MemorySize),
		CDROM:      &iso,
		Annotation: fmt.Sprintf("Wakame-vdc instance %s (esxi-hva)", inst.ID),
	}
	if disk.parent != nil {
		spec.BootChild = &esxi.ChildDisk{Path: disk.path, Parent: *disk.parent}
	} else {
		spec.Disks = []esxi.DatastorePath{disk.path}
	}
	for _, vif := range inst.Vifs {
		spec.NICs = append(spec.NICs, esxi.NICSpec{MAC: vif.MAC})
	}
	log.Info("creating VM", "cpus", spec.CPUs, "memory_mb", spec.MemoryMB, "nics", len(spec.NICs))
	if _, err := h.hv.CreateVM(ctx, spec); err != nil {
		return err
	}
	if err := h.hv.PowerOn(ctx, inst.ID); err != nil {
		return err
	}
	if err := h.updateInstance(ctx, inst.ID, map[string]any{"state": Symbol(stateRunning)}, evInstanceStarted); err != nil {
		return err
	}
	h.publishVnics(ctx, inst, true)
	for _, v := range inst.Volumes {
		if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol(volAttached), "attached_at": h.opts.Now().UTC()}, evVolumeAttached); err != nil {
			return err
		}
	}
	return nil
}

// rollbackLaunch undoes a failed launch and returns cause with every
// cleanup error appended.
func (h *Handler) rollbackLaunch(ctx context.Context, log *slog.Logger, inst *Instance, cause error) error {
	ctx, cancel := h.cleanupContext(ctx) // a cancelled job still cleans up
	defer cancel()
	log.Warn("launch failed; rolling back", "err", cause)
	merr := &multierror.Error{Errors: []error{cause}}
	if err := h.removeInstanceFiles(ctx, inst); err != nil {
		merr = multierror.Append(merr, fmt.Errorf("rollback: %w", err))
	}
	if err := h.deleteLocalVolumes(ctx, inst); err != nil {
		merr = multierror.Append(merr, fmt.Errorf("rollback: %w", err))
	}
	if err := h.finalize(ctx, inst); err != nil {
		merr = multierror.Append(merr, fmt.Errorf("rollback: %w", err))
	}
	if len(merr.Errors) == 1 {
		return cause
	}
	return merr
}

// removeInstanceFiles destroys the VM when it exists and deletes the
// instance's folder.
func (h *Handler) removeInstanceFiles(ctx context.Context, inst *Instance) error {
	if err := h.hv.DestroyVM(ctx, inst.ID); err != nil {
		return err
	}
	folder, err := h.instanceFolder(inst.ID)
	if err != nil {
		return err
	}
	if err := h.hv.Delete(ctx, folder); err != nil && !errors.Is(err, esxi.ErrNotFound) {
		return err
	}
	return nil
}

func volumesNotAvailable(inst *Instance) []string {
	var out []string
	for _, v := range inst.Volumes {
		if v.State != volAvailable {
			out = append(out, v.ID+"="+v.State)
		}
	}
	return out
}

// RunVolStore is hva-handle's run_vol_store. ESXi has no shared volumes
// here: the job fails with ErrUnsupported and rolls the launch back, as
// Wakame's handler does for a failed launch.
func (h *Handler) RunVolStore(ctx context.Context, id string) error {
	spec := jobSpec{name: jobRunVolStore, accept: []string{statePending, stateFailingOver}}
	return h.instanceJob(ctx, spec, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		cause := fmt.Errorf("%s %s: %w: boot from a shared (iSCSI/NFS) volume; use a local boot image", jobRunVolStore, id, ErrUnsupported)
		return h.rollbackLaunch(ctx, log, inst, cause)
	})
}

// WaitVolumesAvailable is hva-handle's wait_volumes_available: when every
// volume is available it boots the instance (in this process, where
// Wakame submits run_local_store again); when the instance is terminated
// or a volume deleted it finalizes the instance; otherwise it waits.
func (h *Handler) WaitVolumesAvailable(ctx context.Context, id string) error {
	var boot bool
	err := h.instanceJob(ctx, jobSpec{name: jobWaitVolumesAvailable}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		deleted := false
		for _, v := range inst.Volumes {
			deleted = deleted || v.State == volDeleted
		}
		switch {
		case len(volumesNotAvailable(inst)) == 0:
			boot = true
		case inst.State == stateTerminated || deleted:
			return h.col.FinalizeInstance(ctx, id, h.opts.Now().UTC())
		default:
			log.Info("waiting for volumes", "volumes", volumesNotAvailable(inst))
		}
		return nil
	})
	if err != nil || !boot {
		return err
	}
	return h.RunLocalStore(ctx, id)
}

// LocalStoreRun is local-store-handle's run_local_store, the first phase
// of a local boot: for an instance in "pending" or "failingover" it sets
// "initializing", deploys the boot volume from the image's backup object,
// marks the volumes available (hva/volume_available), then boots the
// instance as RunLocalStore does. A failure deletes the volumes and
// terminates the instance.
func (h *Handler) LocalStoreRun(ctx context.Context, id string) error {
	spec := jobSpec{endpoint: EndpointLocalStore, name: jobRunLocalStore, accept: []string{statePending, stateFailingOver}, relaunch: true}
	return h.instanceJob(ctx, spec, id, func(ctx context.Context, log *slog.Logger, inst *Instance) (err error) {
		if err := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateInitializing)}); err != nil {
			return err
		}
		inst.State = stateInitializing
		disk, err := h.deployBootDisk(ctx, log, inst)
		if err != nil {
			return h.rollbackLaunch(ctx, log, inst, err)
		}
		defer disk.done()
		for i, v := range inst.Volumes {
			if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol(volAvailable)}, evVolumeAvailable); err != nil {
				return h.rollbackLaunch(ctx, log, inst, err)
			}
			inst.Volumes[i].State = volAvailable
		}
		return h.launch(ctx, log, inst, disk)
	})
}
