package hva

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/internal/joinerr"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// BackupImage is local-store-handle's backup_image(instance, backup
// object, image): the instance's boot disk pair is read from the
// datastore, its md5 computed while it streams to the backup object's URI
// (the backup storage's base_uri + object_key, by HTTP PUT as to WebDAV;
// the descriptor goes beside it without "-flat"). The backup object goes
// creating -> available with its checksum, size and progress, and the
// image creating -> available. On failure both are marked deleted.
//
// It accepts an instance "running" or "halted", as Wakame does, but its VM
// must be powered off: ESXi locks the disk of a running VM. A running VM
// gives ErrInvalidState and nothing changes.
func (h *Handler) BackupImage(ctx context.Context, instID, boID, imageID string) error {
	return h.job(ctx, backupSpec(jobBackupImage), instID, func(ctx context.Context, log *slog.Logger) error {
		if err := esxi.ValidateID(imageID); err != nil {
			return fmt.Errorf("%w: image id: %w", ErrBadArgs, err)
		}
		inst, bo, err := h.backupPrecheck(ctx, backupSpec(jobBackupImage), instID, boID)
		if err != nil {
			return err
		}
		disk, err := h.bootDiskPath(instID)
		if err != nil {
			return err
		}
		if err := h.col.UpdateImage(ctx, imageID, map[string]any{"state": Symbol(objCreating)}); err != nil {
			return fmt.Errorf("update_image %s: %w", imageID, err)
		}
		err = h.backup(ctx, log, inst, bo, disk)
		if err == nil {
			if err = h.col.UpdateImage(ctx, imageID, map[string]any{"state": Symbol(objAvailable)}); err != nil {
				err = fmt.Errorf("update_image %s: %w", imageID, err)
			}
		}
		if err != nil {
			ctx, cancel := h.cleanupContext(ctx)
			defer cancel()
			err = joinerr.Join(err, h.col.UpdateImage(ctx, imageID, map[string]any{"state": Symbol(objDeleted), "deleted_at": h.opts.Now().UTC()}))
		}
		return err
	})
}

// BackupVolume is local-store-handle's backup_volume(instance, volume,
// backup object): as BackupImage, for one of the instance's volumes
// ("available" or "attached"; the boot volume is the boot disk).
func (h *Handler) BackupVolume(ctx context.Context, instID, volID, boID string) error {
	return h.job(ctx, backupSpec(jobBackupVolume), instID, func(ctx context.Context, log *slog.Logger) error {
		inst, bo, err := h.backupPrecheck(ctx, backupSpec(jobBackupVolume), instID, boID)
		if err != nil {
			return err
		}
		var vol *Volume
		for i := range inst.Volumes {
			if inst.Volumes[i].ID == volID {
				vol = &inst.Volumes[i]
			}
		}
		if vol == nil {
			return fmt.Errorf("%s: %w: volume %s is not one of %s's", jobBackupVolume, ErrBadArgs, volID, instID)
		}
		if vol.State != volAvailable && vol.State != volAttached {
			return &StateError{Job: jobBackupVolume, Object: volID, State: vol.State, Want: []string{volAvailable, volAttached}}
		}
		disk, err := h.volumePath(instID, volID)
		if volID == inst.BootVolumeID || (err == nil && len(inst.Volumes) == 1) {
			disk, err = h.bootDiskPath(instID)
		}
		if err != nil {
			return err
		}
		return h.backup(ctx, log, inst, bo, disk)
	})
}

// backupSpec is the spec of a local-store-handle backup job: it accepts
// an instance "running" or "halted".
func backupSpec(name string) jobSpec {
	return jobSpec{endpoint: EndpointLocalStore, name: name, accept: []string{stateRunning, stateHalted}}
}

// backupPrecheck reads the instance and backup object and checks the
// states, changing nothing.
func (h *Handler) backupPrecheck(ctx context.Context, spec jobSpec, instID, boID string) (*Instance, *BackupObject, error) {
	inst, err := h.getInstance(ctx, instID)
	if err != nil {
		return nil, nil, err
	}
	if err := spec.check(instID, inst.State); err != nil {
		return nil, nil, err
	}
	st, err := h.hv.PowerState(ctx, instID)
	if err != nil {
		return nil, nil, err
	}
	if st == esxi.PoweredOn {
		return nil, nil, &StateError{Job: spec.name, Object: instID, State: "VM " + string(st), Want: []string{"VM powered off (ESXi locks a running VM's disk)"}}
	}
	bo, err := ask(ctx, "get_backup_object", "backup object", boID, h.col.GetBackupObject, DecodeBackupObject,
		func(bo *BackupObject) string { return bo.ID })
	if err != nil {
		return nil, nil, err
	}
	return inst, bo, nil
}

// backup streams disk to the backup object and reports it; on failure
// the backup object is marked deleted.
func (h *Handler) backup(ctx context.Context, log *slog.Logger, inst *Instance, bo *BackupObject, disk esxi.DatastorePath) (err error) {
	if err := h.col.UpdateBackupObject(ctx, bo.ID, map[string]any{"state": Symbol(objCreating)}); err != nil {
		return fmt.Errorf("update_backup_object %s: %w", bo.ID, err)
	}
	defer func() {
		if err != nil {
			ctx, cancel := h.cleanupContext(ctx)
			defer cancel()
			if rerr := h.col.UpdateBackupObject(ctx, bo.ID, map[string]any{"state": Symbol(objDeleted), "deleted_at": h.opts.Now().UTC()}); rerr != nil {
				err = joinerr.Join(err, fmt.Errorf("rollback: update_backup_object %s: %w", bo.ID, rerr))
			}
		}
	}()
	log.Info("backing up disk", "disk", disk.String(), "backup_object", bo.ID, "uri", redact.String(bo.URI))
	logProgress := h.progressLogger(ctx, log)
	var (
		mu      sync.Mutex
		lastPct = -1.0
		lastAt  time.Time
	)
	progress := func(p image.Progress) {
		logProgress(p)
		if p.Total <= 0 {
			return
		}
		pct := 100 * float64(p.Done) / float64(p.Total)
		mu.Lock()
		send := pct >= 100 || (pct-lastPct >= 1 && time.Since(lastAt) >= time.Second)
		if send {
			lastPct, lastAt = pct, time.Now()
		}
		mu.Unlock()
		if send {
			if err := h.col.UpdateBackupObject(ctx, bo.ID, map[string]any{"progress": pct}); err != nil {
				log.Warn("update_backup_object progress failed", "err", err)
			}
		}
	}
	src, cleanup, err := h.exportable(ctx, log, inst.ID, disk)
	if err != nil {
		return fmt.Errorf("back up %s: %w", disk, err)
	}
	defer cleanup()
	got, err := image.PutPair(ctx, h.hv, src, bo.URI, h.opts.BackupTransfer, progress)
	if err != nil {
		return fmt.Errorf("back up %s to %s: %w", disk, redact.String(bo.URI), err)
	}
	if err := h.col.UpdateBackupObject(ctx, bo.ID, map[string]any{"checksum": got.MD5, "size": got.Size, "allocation_size": got.Size}); err != nil {
		return fmt.Errorf("update_backup_object %s: %w", bo.ID, err)
	}
	if err := h.col.UpdateBackupObject(ctx, bo.ID, map[string]any{"state": Symbol(objAvailable)}); err != nil {
		return fmt.Errorf("update_backup_object %s: %w", bo.ID, err)
	}
	log.Info("backup done", "backup_object", bo.ID, "md5", got.MD5, "bytes", got.Size)
	return nil
}

// exportable returns the disk a backup streams: disk itself, or, when it
// is a delta child (a linked clone), a consolidated copy of its chain
// beside it (what the guest sees: ESXi's disk copy merges the chain),
// which cleanup deletes.
func (h *Handler) exportable(ctx context.Context, log *slog.Logger, instID string, disk esxi.DatastorePath) (esxi.DatastorePath, func(), error) {
	vm, err := h.hv.VM(ctx, instID)
	if err != nil {
		return disk, nil, err
	}
	if len(vm.Parents[disk]) == 0 {
		return disk, func() {}, nil
	}
	tmp, err := disk.Dir().Join(instID + "-export.vmdk")
	if err != nil {
		return disk, nil, err
	}
	tmpFlat, err := disk.Dir().Join(instID + "-export-flat.vmdk")
	if err != nil {
		return disk, nil, err
	}
	cleanup := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for _, p := range []esxi.DatastorePath{tmp, tmpFlat} {
			if err := h.hv.Delete(ctx, p); err != nil && !errors.Is(err, esxi.ErrNotFound) {
				log.Warn("deleting the consolidated copy failed", "path", p.String(), "err", err)
			}
		}
	}
	cleanup() // an earlier backup's leftover
	log.Info("consolidating the linked clone for export", "disk", disk.String(), "parents", len(vm.Parents[disk]), "copy", tmp.String())
	if err := h.hv.CopyDisk(ctx, disk, tmp); err != nil {
		cleanup()
		return disk, nil, fmt.Errorf("consolidate %s: %w", disk, err)
	}
	if err := renameExtent(ctx, h.hv, tmp, tmpFlat.Base()); err != nil {
		cleanup()
		return disk, nil, fmt.Errorf("consolidate %s: %w", disk, err)
	}
	return tmp, cleanup, nil
}

// renameExtent makes the descriptor p name flat as its extent, when a
// copy kept the source's name (ESXi renames it; vcsim does not).
func renameExtent(ctx context.Context, files esxi.Files, p esxi.DatastorePath, flat string) error {
	var buf bytes.Buffer
	if _, err := files.Download(ctx, p, &limitWriter{w: &buf, n: image.MaxDescriptorSize}); err != nil {
		return err
	}
	d, err := image.ParseDescriptor(buf.Bytes())
	if err != nil {
		return err
	}
	if d.Extent.File == flat {
		return nil
	}
	b := d.Rename(flat)
	return files.Upload(ctx, p, bytes.NewReader(b), int64(len(b)))
}

// limitWriter fails after n bytes.
type limitWriter struct {
	w *bytes.Buffer
	n int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, fmt.Errorf("%w: more than %d bytes", image.ErrInvalidDescriptor, image.MaxDescriptorSize)
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}
