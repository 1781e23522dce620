package hva

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// getInstance asks the collector for the instance and decodes it.
func (h *Handler) getInstance(ctx context.Context, id string) (*Instance, error) {
	return ask(ctx, "get_instance", "instance", id, h.col.GetInstance, DecodeInstance,
		func(inst *Instance) string { return inst.ID })
}

// updateInstance sends update_instance and then publishes events with the
// instance id, as Wakame's update_instance_state does.
func (h *Handler) updateInstance(ctx context.Context, id string, fields map[string]any, events ...string) error {
	if err := h.col.UpdateInstance(ctx, id, fields); err != nil {
		return fmt.Errorf("update_instance %s: %w", id, err)
	}
	for _, e := range events {
		h.publish(ctx, e, id)
	}
	return nil
}

// updateVolume sends update_volume and publishes events with the volume
// id.
func (h *Handler) updateVolume(ctx context.Context, volID string, fields map[string]any, events ...string) error {
	if err := h.col.UpdateVolume(ctx, volID, fields); err != nil {
		return fmt.Errorf("update_volume %s: %w", volID, err)
	}
	for _, e := range events {
		h.publish(ctx, e, volID)
	}
	return nil
}

// publish sends an event; a failure is logged, not returned, as events
// are notifications (Wakame's publish is fire-and-forget too).
func (h *Handler) publish(ctx context.Context, event string, args ...any) {
	if err := h.ev.Publish(ctx, event, args...); err != nil {
		h.log.Warn("publish event failed", "event", event, "err", err)
	}
}

// nodeID is the node the instance's events are scoped to.
func (h *Handler) nodeID(inst *Instance) string {
	if inst.HostNode != nil && inst.HostNode.NodeID != "" {
		return inst.HostNode.NodeID
	}
	return h.opts.NodeID
}

// publishVnics publishes vnic_created/joined (up) or vnic_destroyed/left.
func (h *Handler) publishVnics(ctx context.Context, inst *Instance, up bool) {
	node, sg := evNodeVnicDestroyed, evGroupVnicLeft
	if up {
		node, sg = evNodeVnicCreated, evGroupVnicJoined
	}
	for _, vif := range inst.Vifs {
		h.publish(ctx, h.nodeID(inst)+node, vif.ID)
		for _, g := range vif.SecurityGroups {
			h.publish(ctx, g+sg, vif.ID)
		}
	}
}

// finalize tells the collector the instance is gone and publishes the
// terminated and vnic events.
func (h *Handler) finalize(ctx context.Context, inst *Instance) error {
	h.publishVnics(ctx, inst, false)
	err := h.col.FinalizeInstance(ctx, inst.ID, h.opts.Now().UTC())
	h.publishTerminated(ctx, inst)
	if err != nil {
		return fmt.Errorf("finalize_instance %s: %w", inst.ID, err)
	}
	return nil
}

func (h *Handler) publishTerminated(ctx context.Context, inst *Instance) {
	h.publish(ctx, evInstanceTerminated, inst.ID)
	h.publish(ctx, h.nodeID(inst)+evNodeInstanceTerminated, inst.ID)
}

// deleteLocalVolumes moves every local volume through deleting to
// deleted; their files live in the instance's folder, which the caller
// removes.
func (h *Handler) deleteLocalVolumes(ctx context.Context, inst *Instance) error {
	var merr *multierror.Error
	for _, v := range inst.Volumes {
		if !v.IsLocal {
			continue
		}
		if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol(volDeleting)}); err != nil {
			merr = multierror.Append(merr, err)
			continue
		}
		if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol(volDeleted), "deleted_at": h.opts.Now().UTC()}, evVolumeDeleted); err != nil {
			merr = multierror.Append(merr, err)
		}
	}
	return merr.ErrorOrNil()
}

// instanceFolder is "[ds] <id>".
func (h *Handler) instanceFolder(id string) (esxi.DatastorePath, error) {
	if err := esxi.ValidateID(id); err != nil {
		return esxi.DatastorePath{}, err
	}
	return esxi.DatastorePath{Datastore: h.hv.Datastore()}.Join(id)
}
