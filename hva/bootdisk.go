package hva

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

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
// instance's folder. Either way a boot disk already in the folder is used
// as it is, and nothing is fetched for it: LocalStoreRun hands launch the
// disk it deployed, so this is for hva-handle's run_local_store arriving
// on its own after an earlier attempt (or after a local-store phase run
// elsewhere) left the disk there.
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
	if errors.Is(err, esxi.ErrExists) { // an earlier attempt, or a separate local-store phase, left it
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
