package hva

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hashicorp/go-multierror"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// getInstance asks the collector for the instance and decodes it.
func (h *Handler) getInstance(ctx context.Context, id string) (*Instance, error) {
	if err := esxi.ValidateID(id); err != nil {
		return nil, fmt.Errorf("%w: instance id: %w", ErrBadArgs, err)
	}
	raw, err := h.col.GetInstance(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get_instance %s: %w", id, err)
	}
	inst, err := decodeInstanceFor(id, raw)
	if err != nil {
		return nil, fmt.Errorf("get_instance %s: %w", id, err)
	}
	return inst, nil
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
	node, sg := "/vnic_destroyed", "/vnic_left"
	if up {
		node, sg = "/vnic_created", "/vnic_joined"
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
	h.publish(ctx, "hva/instance_terminated", inst.ID)
	h.publish(ctx, h.nodeID(inst)+"/instance_terminated", inst.ID)
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
		if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol("deleting")}); err != nil {
			merr = multierror.Append(merr, err)
			continue
		}
		if err := h.updateVolume(ctx, v.ID, map[string]any{"state": Symbol("deleted"), "deleted_at": h.opts.Now().UTC()}, "hva/volume_deleted"); err != nil {
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

// bootDiskPath is "[ds] <id>/<id>.vmdk".
func (h *Handler) bootDiskPath(id string) (esxi.DatastorePath, error) {
	if err := esxi.ValidateID(id); err != nil {
		return esxi.DatastorePath{}, err
	}
	return esxi.DatastorePath{Datastore: h.hv.Datastore()}.Join(id, id+".vmdk")
}

// bootDisk is an instance's boot disk as a launch attaches it: an
// existing pair at path, or (linked clones) a child of parent that
// CreateVM makes.
type bootDisk struct {
	path    esxi.DatastorePath
	parent  *esxi.DatastorePath
	release func() // lets the image cache prune the base again
}

// done releases what the boot disk holds.
func (b *bootDisk) done() {
	if b != nil && b.release != nil {
		b.release()
	}
}

// linked reports whether launches make linked clones.
func (h *Handler) linked() (BaseStore, bool) {
	bs, ok := h.opts.Images.(BaseStore)
	return bs, ok && !h.opts.FullCopies
}

// deployBootDisk prepares the instance's boot disk. With linked clones it
// makes sure the image is in the cache and holds it there; the disk itself
// is made with the VM. Otherwise it copies the image pair into the
// instance's folder. Either way a boot disk already in the folder (put
// there by local-store's run_local_store, or by an earlier attempt) is
// used as it is, and nothing is fetched for it.
func (h *Handler) deployBootDisk(ctx context.Context, log *slog.Logger, inst *Instance) (*bootDisk, error) {
	dst, err := h.bootDiskPath(inst.ID)
	if err != nil {
		return nil, err
	}
	src, err := imageSource(inst)
	if err != nil {
		return nil, err
	}
	if err := h.hv.MakeDirectory(ctx, dst.Dir()); err != nil && !errors.Is(err, esxi.ErrExists) {
		return nil, err
	}
	if bs, ok := h.linked(); ok {
		if _, err := h.hv.Stat(ctx, dst); err == nil {
			log.Info("boot disk already deployed", "path", dst.String())
			return &bootDisk{path: dst}, nil
		} else if !errors.Is(err, esxi.ErrNotFound) {
			return nil, err
		}
		log.Info("preparing the base of a linked clone", "image_uri", redact.String(src.URI), "md5", src.MD5, "dst", dst.String())
		e, release, err := bs.Acquire(ctx, src, h.progressLogger(ctx, log))
		if err != nil {
			return nil, fmt.Errorf("deploy image for %s: %w", inst.ID, err)
		}
		if err := checkLinkedSize(inst, e.Size); err != nil {
			release()
			return nil, err
		}
		base := e.Descriptor
		return &bootDisk{path: dst, parent: &base, release: release}, nil
	}
	log.Info("deploying image", "image_uri", redact.String(src.URI), "md5", src.MD5, "dst", dst.String())
	err = h.opts.Images.Deploy(ctx, src, dst, h.progressLogger(ctx, log))
	if errors.Is(err, esxi.ErrExists) { // local-store's run_local_store did it
		log.Info("boot disk already deployed", "path", dst.String())
		return &bootDisk{path: dst}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deploy image for %s: %w", inst.ID, err)
	}
	return &bootDisk{path: dst}, nil
}

// checkLinkedSize refuses a boot volume larger than its image: a linked
// clone has its base's size, and a delta disk cannot be grown.
func checkLinkedSize(inst *Instance, imageSize int64) error {
	for _, v := range inst.Volumes {
		if v.ID == inst.BootVolumeID && v.Size > imageSize && imageSize > 0 {
			return fmt.Errorf("%w: boot volume %s of %s is %d bytes, larger than its image's %d: a linked clone has its base's size and a delta disk cannot grow; use an image of the volume's size, or set use_linked_clone = false in hva.conf",
				ErrUnsupported, v.ID, inst.ID, v.Size, imageSize)
		}
	}
	return nil
}

// uploadMetadataCD builds the metadata CD and uploads it as
// "[ds] <id>/metadata.iso".
func (h *Handler) uploadMetadataCD(ctx context.Context, log *slog.Logger, inst *Instance) (esxi.DatastorePath, error) {
	dst, err := esxi.DatastorePath{Datastore: h.hv.Datastore()}.Join(inst.ID, "metadata.iso")
	if err != nil {
		return dst, err
	}
	r, size, err := h.metadataCD(inst)
	if err != nil {
		return dst, fmt.Errorf("build metadata CD for %s: %w", inst.ID, err)
	}
	if err := h.hv.Upload(ctx, dst, r, size); err != nil {
		return dst, err
	}
	log.Info("metadata CD uploaded", "path", dst.String(), "bytes", size)
	return dst, nil
}
