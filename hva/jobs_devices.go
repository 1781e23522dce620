package hva

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

// volumePath is "[ds] <instance id>/<volume id>.vmdk": a local volume is
// a disk of its own in the instance's folder.
func (h *Handler) volumePath(instID, volID string) (esxi.DatastorePath, error) {
	if err := joinerr.Join(esxi.ValidateID(instID), esxi.ValidateID(volID)); err != nil {
		return esxi.DatastorePath{}, err
	}
	return esxi.DatastorePath{Datastore: h.hv.Datastore()}.Join(instID, volID+".vmdk")
}

func (h *Handler) getVolume(ctx context.Context, volID string) (*Volume, error) {
	return ask(ctx, "get_volume", "volume", volID, h.col.GetVolume, DecodeVolume,
		func(v *Volume) string { return v.ID })
}

// mbCeil rounds a byte count up to whole MiB, at least 1.
func mbCeil(bytes int64) int64 {
	mb := (bytes + (1<<20 - 1)) >> 20
	if mb < 1 {
		mb = 1
	}
	return mb
}

// Attach is hva-handle's attach: an "available" local volume becomes a
// new thin disk in the instance's folder, hot-added to its VM; the volume
// goes attaching -> attached with hva/volume_attached. On failure the
// volume is put back to available (hva/volume_available).
func (h *Handler) Attach(ctx context.Context, instID, volID string) error {
	return h.instanceJob(ctx, jobSpec{name: jobAttach}, instID, func(ctx context.Context, log *slog.Logger, _ *Instance) (err error) {
		vol, err := h.getVolume(ctx, volID)
		if err != nil {
			return err
		}
		if vol.State != volAvailable {
			return &StateError{Job: jobAttach, Object: volID, State: vol.State, Want: []string{volAvailable}}
		}
		path, err := h.volumePath(instID, volID)
		if err != nil {
			return err
		}
		if err := h.updateVolume(ctx, volID, map[string]any{"state": Symbol(volAttaching), "attached_at": nil}); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				ctx, cancel := h.cleanupContext(ctx)
				defer cancel()
				if rerr := h.updateVolume(ctx, volID, map[string]any{"state": Symbol(volAvailable)}, evVolumeAvailable); rerr != nil {
					err = joinerr.Join(err, rerr)
				}
			}
		}()
		if err := h.hv.AttachDisk(ctx, instID, esxi.DiskSpec{Path: path, SizeMB: mbCeil(vol.Size)}); err != nil {
			return err
		}
		if err := h.col.UpdateVolume(ctx, volID, map[string]any{"state": Symbol(volAttached), "attached_at": h.opts.Now().UTC()}); err != nil {
			return fmt.Errorf("update_volume %s: %w", volID, err)
		}
		h.publish(ctx, evVolumeAttached, instID, volID)
		return nil
	})
}

// Detach is hva-handle's detach: an "attached" volume's disk is removed
// from the VM (its file stays, for a later attach), and the volume goes
// detaching -> available with hva/volume_detached.
func (h *Handler) Detach(ctx context.Context, instID, volID string) error {
	return h.instanceJob(ctx, jobSpec{name: jobDetach}, instID, func(ctx context.Context, log *slog.Logger, _ *Instance) error {
		vol, err := h.getVolume(ctx, volID)
		if err != nil {
			return err
		}
		if vol.State != volAttached {
			return &StateError{Job: jobDetach, Object: volID, State: vol.State, Want: []string{volAttached}}
		}
		path, err := h.volumePath(instID, volID)
		if err != nil {
			return err
		}
		if err := h.updateVolume(ctx, volID, map[string]any{"state": Symbol(volDetaching), "detached_at": nil}); err != nil {
			return err
		}
		if err := h.hv.DetachDisk(ctx, instID, path); err != nil && !errors.Is(err, esxi.ErrNotFound) {
			return err
		}
		if err := h.col.UpdateVolume(ctx, volID, map[string]any{"state": Symbol(volAvailable), "instance_id": nil, "detached_at": h.opts.Now().UTC()}); err != nil {
			return fmt.Errorf("update_volume %s: %w", volID, err)
		}
		h.publish(ctx, evVolumeDetached, instID, volID)
		return nil
	})
}

// DeleteVolume is local-store-handle's delete_volume: the volume's disk
// pair is deleted from the instance's folder (a missing one is fine) and
// the volume becomes deleted with hva/volume_deleted.
func (h *Handler) DeleteVolume(ctx context.Context, instID, volID string) error {
	return h.job(ctx, jobSpec{endpoint: EndpointLocalStore, name: jobDeleteVolume}, instID, func(ctx context.Context, log *slog.Logger) error {
		path, err := h.volumePath(instID, volID)
		if err != nil {
			return err
		}
		flat, _ := path.Dir().Join(volID + "-flat.vmdk")
		for _, p := range []esxi.DatastorePath{path, flat} {
			if err := h.hv.Delete(ctx, p); err != nil && !errors.Is(err, esxi.ErrNotFound) {
				return err
			}
		}
		return h.updateVolume(ctx, volID, map[string]any{"state": Symbol(volDeleted), "deleted_at": h.opts.Now().UTC()}, evVolumeDeleted)
	})
}

// AttachNIC is hva-handle's attach_nic: the vif (looked up with the
// collector's get_nic) gets a NIC with its MAC hot-added to its instance's
// VM. Wakame's dc_network and port arguments name Linux bridges and are
// not used on ESXi.
func (h *Handler) AttachNIC(ctx context.Context, vifID string) error {
	vif, instID, err := h.getNIC(ctx, vifID)
	if err != nil {
		return err
	}
	return h.job(ctx, jobSpec{name: jobAttachNIC}, instID, func(ctx context.Context, log *slog.Logger) error {
		err := h.hv.AttachNIC(ctx, instID, esxi.NICSpec{MAC: vif.MAC})
		if errors.Is(err, esxi.ErrExists) {
			return nil // redelivered
		}
		if err != nil {
			return err
		}
		h.publish(ctx, h.opts.NodeID+evNodeVnicCreated, vifID)
		return nil
	})
}

// DetachNIC is hva-handle's detach_nic: the vif's NIC is hot-removed.
func (h *Handler) DetachNIC(ctx context.Context, vifID string) error {
	vif, instID, err := h.getNIC(ctx, vifID)
	if err != nil {
		return err
	}
	return h.job(ctx, jobSpec{name: jobDetachNIC}, instID, func(ctx context.Context, log *slog.Logger) error {
		err := h.hv.DetachNIC(ctx, instID, vif.MAC)
		if errors.Is(err, esxi.ErrNotFound) {
			return nil // already gone
		}
		if err != nil {
			return err
		}
		h.publish(ctx, h.opts.NodeID+evNodeVnicDestroyed, vifID)
		return nil
	})
}
