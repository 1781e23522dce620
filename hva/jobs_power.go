package hva

import (
	"context"
	"errors"
	"log/slog"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

// Terminate is hva-handle's terminate: for a "running" or "halted"
// instance (any state with force) it sets "shuttingdown", destroys the VM
// (powered on or off: the Ruby ESXi driver fails on a VM that is already
// off and never destroys it), deletes its folder and local volumes, and
// always finalizes the instance with the terminated events, even when the
// destroy failed (whose error is then returned). Terminating an instance
// whose VM is already gone succeeds.
func (h *Handler) Terminate(ctx context.Context, id string, force bool) error {
	spec := jobSpec{name: jobTerminate, accept: []string{stateRunning, stateHalted}}
	if force {
		spec.accept = nil
	}
	return h.instanceJob(ctx, spec, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		if err := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateShuttingDown)}); err != nil {
			return err
		}
		destroyErr := h.removeInstanceFiles(ctx, inst)
		if destroyErr != nil {
			log.Error("destroy failed; finalizing anyway", "err", destroyErr)
		}
		volErr := h.deleteLocalVolumes(ctx, inst)
		finCtx, cancel := h.cleanupContext(ctx)
		defer cancel()
		finErr := h.finalize(finCtx, inst)
		return joinerr.Join(destroyErr, volErr, finErr)
	})
}

// Cleanup is hva-handle's cleanup, used by HA: for any instance not yet
// "terminated" it destroys the VM and its folder and publishes only the
// terminated events; it changes no state in the collector but the local
// volumes'.
func (h *Handler) Cleanup(ctx context.Context, id string) error {
	return h.instanceJob(ctx, jobSpec{name: jobCleanup, refuse: stateTerminated}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		err := joinerr.Join(h.removeInstanceFiles(ctx, inst), h.deleteLocalVolumes(ctx, inst))
		h.publishTerminated(ctx, inst)
		return err
	})
}

// Stop is hva-handle's stop: for a "running" instance it sets "stopping",
// destroys the VM, then reports the instance "stopped" without a host,
// publishes the terminated and vnic events, and marks every volume
// deleted (hva/volume_deleted), as Wakame does.
func (h *Handler) Stop(ctx context.Context, id string) error {
	return h.instanceJob(ctx, jobSpec{name: jobStop, accept: []string{stateRunning}}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		if err := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateStopping)}); err != nil {
			return err
		}
		destroyErr := h.removeInstanceFiles(ctx, inst)
		ctx, cancel := h.cleanupContext(ctx)
		defer cancel()
		stopErr := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateStopped), "host_node_id": nil})
		h.publishTerminated(ctx, inst)
		h.publishVnics(ctx, inst, false)
		var volErr error
		for _, v := range inst.Volumes {
			volErr = joinerr.Join(volErr, h.updateVolume(ctx, v.ID, map[string]any{
				"state": Symbol(volDeleted), "instance_id": nil, "detached_at": h.opts.Now().UTC(),
			}, evVolumeDeleted))
		}
		return joinerr.Join(destroyErr, stopErr, volErr)
	})
}

// Reboot is hva-handle's reboot: a guest reboot through VMware Tools when
// they run, else a reset (the Ruby driver always powers off and on). The
// instance's state does not change.
func (h *Handler) Reboot(ctx context.Context, id string) error {
	return h.instanceJob(ctx, jobSpec{name: jobReboot, accept: []string{stateRunning}}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		return h.hv.Reboot(ctx, id)
	})
}

// PowerOff is hva-handle's poweroff: the VM is powered off for real (the
// Ruby ESXi driver leaves it running), the instance becomes "halted",
// hva/instance_turnedoff and the vnic_destroyed events are published. It
// accepts "running" and "halting" (the API sets halting before it submits
// the job); a VM already off is not an error.
func (h *Handler) PowerOff(ctx context.Context, id string) error {
	return h.instanceJob(ctx, jobSpec{name: jobPowerOff, accept: []string{stateRunning, stateHalting}}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		if err := h.hv.PowerOff(ctx, id); err != nil && !errors.Is(err, esxi.ErrInvalidPowerState) {
			return err
		}
		if err := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateHalted)}, evInstanceTurnedOff); err != nil {
			return err
		}
		h.publishVnics(ctx, inst, false)
		return nil
	})
}

// SoftPowerOff is hva-handle's soft_poweroff: the guest is asked to shut
// down, and powered off hard after Options.SoftPowerOffTimeout. Unlike
// Wakame's handler, which leaves the state to the instance monitor, the
// instance is reported "halted" (hva/instance_turnedoff) once the VM is
// observed off. It accepts "running" and "halting".
func (h *Handler) SoftPowerOff(ctx context.Context, id string) error {
	return h.instanceJob(ctx, jobSpec{name: jobSoftPowerOff, accept: []string{stateRunning, stateHalting}}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) error {
		forced, err := h.hv.SoftPowerOff(ctx, id, h.opts.SoftPowerOffTimeout)
		if err != nil && !errors.Is(err, esxi.ErrInvalidPowerState) {
			return err
		}
		if forced {
			log.Warn("guest did not shut down in time; powered off hard", "timeout", h.opts.SoftPowerOffTimeout)
		}
		h.publishVnics(ctx, inst, false)
		return h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateHalted)}, evInstanceTurnedOff)
	})
}

// PowerOn is hva-handle's poweron: the instance goes "starting", the
// metadata CD is rebuilt (the instance may have changed), the VM is
// powered on, and the instance becomes "running" with
// hva/instance_turnedon and vnic_created. It accepts "halted" and
// "starting". On failure the instance is put back to "halted" with
// hva/instance_turnedoff.
func (h *Handler) PowerOn(ctx context.Context, id string) error {
	return h.instanceJob(ctx, jobSpec{name: jobPowerOn, accept: []string{stateHalted, stateStarting}}, id, func(ctx context.Context, log *slog.Logger, inst *Instance) (err error) {
		if err := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateStarting)}); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				ctx, cancel := h.cleanupContext(ctx)
				defer cancel()
				if rerr := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateHalted)}, evInstanceTurnedOff); rerr != nil {
					err = joinerr.Join(err, rerr)
				}
			}
		}()
		if _, err := h.uploadMetadataCD(ctx, log, inst); err != nil {
			return err
		}
		if err := h.hv.PowerOn(ctx, id); err != nil && !errors.Is(err, esxi.ErrInvalidPowerState) {
			return err
		}
		if err := h.updateInstance(ctx, id, map[string]any{"state": Symbol(stateRunning)}, evInstanceTurnedOn); err != nil {
			return err
		}
		h.publishVnics(ctx, inst, true)
		return nil
	})
}
