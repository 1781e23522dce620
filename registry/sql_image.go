package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// YAML values dcmgr's serialization plugin writes for empty columns.
const (
	yamlEmptyHash  = "--- {}\n"
	yamlEmptyArray = "--- []\n"
)

func storageType(baseURI string) string {
	if strings.HasPrefix(baseURI, "file:") {
		return "local"
	}
	return "webdav"
}

// RegisterImage validates spec, HEADs both files of the pair and learns the
// flat's size, optionally streams the flat to verify its md5, and then, in
// one transaction: reuses the backup storage whose base_uri is the pair's
// directory or creates one (webdav for http(s), local for file), reuses a
// backup object with the same storage and object key when its checksum and
// size match (a mismatch is a *ConflictError) or creates it, and creates the
// image (boot_dev_type 2 = local, state available, file_format raw). The
// same registration twice is a no-op; nothing is written when a step fails.
func (s *SQL) RegisterImage(ctx context.Context, spec ImageSpec) (ImageRegistration, error) {
	p, err := spec.normalized()
	if err != nil {
		return ImageRegistration{}, err
	}
	sc, err := s.Schema(ctx)
	if err != nil {
		return ImageRegistration{}, fmt.Errorf("register image %s: %w", p.pair.FlatURI, err)
	}
	size, err := probe(ctx, s.hc, p.pair)
	if err != nil {
		return ImageRegistration{}, fmt.Errorf("register image %s: %w", p.pair.FlatURI, err)
	}
	if p.Verify {
		if err := VerifyMD5(ctx, s.hc, p.pair.FlatURI, p.MD5, size, p.Progress); err != nil {
			return ImageRegistration{}, fmt.Errorf("register image: %w", err)
		}
	}
	reg := ImageRegistration{Pair: p.pair, Size: size}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.registerImageTx(ctx, tx, sc, p, size)
		reg = r
		return err
	})
	if err != nil {
		// Ids of rows the rollback removed would mislead; a conflict
		// names the existing record itself.
		return ImageRegistration{Pair: p.pair, Size: size}, fmt.Errorf("register image %s: %w", p.pair.FlatURI, err)
	}
	reg.Pair, reg.Size = p.pair, size
	if reg.Created {
		s.log.InfoContext(ctx, "registry: image registered", "image", reg.ImageID, "backup_object", reg.BackupObjectID, "backup_storage", reg.BackupStorageID)
	}
	return reg, nil
}

func (s *SQL) registerImageTx(ctx context.Context, tx *sql.Tx, sc Schema, p imagePlan, size int64) (ImageRegistration, error) {
	var reg ImageRegistration
	now := s.now()

	// Backup storage for the directory.
	var bkstID int64
	var bkstUUID string
	err := tx.QueryRowContext(ctx, `SELECT id, uuid FROM backup_storages
 WHERE base_uri = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`, p.pair.BaseURI).Scan(&bkstID, &bkstUUID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		bkstUUID, err = s.insertUUID(ctx, tx, "backup storage", "backup_storages", PrefixBackupStorage, "", func(u string) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO backup_storages
 (uuid, display_name, storage_type, description, base_uri, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?)`, u, truncate(p.pair.BaseURI, 255), storageType(p.pair.BaseURI),
				"registered by esxi-hva registry", p.pair.BaseURI, now, now)
			if err != nil {
				return err
			}
			bkstID, err = res.LastInsertId()
			return err
		})
		if err != nil {
			return reg, err
		}
		reg.StorageCreated = true
	case err != nil:
		return reg, fmt.Errorf("look up backup storage for %s: %w", p.pair.BaseURI, err)
	}
	reg.BackupStorageID = Canonical(PrefixBackupStorage, bkstUUID)

	// Backup object for the flat file.
	var boUUID, boChecksum string
	var boSize int64
	err = tx.QueryRowContext(ctx, `SELECT uuid, checksum, size FROM backup_objects
 WHERE backup_storage_id = ? AND object_key = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`,
		bkstID, p.pair.ObjectKey).Scan(&boUUID, &boChecksum, &boSize)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		boUUID, err = s.insertUUID(ctx, tx, "backup object", "backup_objects", PrefixBackupObject, "", func(u string) error {
			// source_volume_id (0015) is NOT NULL without a default:
			// '' for an object no volume was backed up into.
			cols, vals := "", ""
			if sc.imageDisks {
				cols, vals = ", source_volume_id", ", ''"
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO backup_objects
 (account_id, uuid, display_name, service_type, backup_storage_id, size, allocation_size,
  container_format, status, state, object_key, checksum, description, progress,
  created_at, updated_at`+cols+`)
 VALUES (?, ?, ?, ?, ?, ?, ?, 'none', 0, 'available', ?, ?, ?, 0, ?, ?`+vals+`)`,
				p.AccountID, u, p.DisplayName, DefaultServiceType, bkstID, size, size,
				p.pair.ObjectKey, p.MD5, nullIfEmpty(p.Description), now, now)
			return err
		})
		if err != nil {
			return reg, err
		}
	case err != nil:
		return reg, fmt.Errorf("look up backup object %s: %w", p.pair.ObjectKey, err)
	default:
		var d fieldDiffs
		d.add("checksum", boChecksum, p.MD5)
		d.add("size", strconv.FormatInt(boSize, 10), strconv.FormatInt(size, 10))
		if len(d) > 0 {
			return reg, &ConflictError{Kind: "backup object", ID: Canonical(PrefixBackupObject, boUUID), Fields: d}
		}
	}
	reg.BackupObjectID = Canonical(PrefixBackupObject, boUUID)

	// Image for the backup object.
	var im struct {
		uuid, account, display, arch string
		desc                         sql.NullString
		public                       bool
	}
	err = tx.QueryRowContext(ctx, `SELECT uuid, account_id, display_name, arch, description, is_public FROM images
 WHERE backup_object_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`, reg.BackupObjectID).
		Scan(&im.uuid, &im.account, &im.display, &im.arch, &im.desc, &im.public)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return reg, fmt.Errorf("look up image of %s: %w", reg.BackupObjectID, err)
	default:
		reg.ImageID = Canonical(PrefixImage, im.uuid)
		var d fieldDiffs
		if p.UUID != "" {
			d.add("uuid", reg.ImageID, Canonical(PrefixImage, p.UUID))
		}
		d.add("account id", im.account, p.AccountID)
		d.add("display name", im.display, p.DisplayName)
		d.add("arch", im.arch, p.Arch)
		d.add("description", im.desc.String, p.Description)
		d.add("public", strconv.FormatBool(im.public), strconv.FormatBool(p.Public))
		if len(d) > 0 {
			return reg, &ConflictError{Kind: "image", ID: reg.ImageID, Fields: d}
		}
		return reg, nil
	}
	imUUID, err := s.insertUUID(ctx, tx, "image", "images", PrefixImage, p.UUID, func(u string) error {
		args := []any{p.AccountID, u, now, now, p.Arch, nullIfEmpty(p.Description), p.Public,
			yamlEmptyHash, reg.BackupObjectID, DefaultServiceType, p.DisplayName}
		// volumes and vifs (0015, NOT NULL) and os_type (0020).
		cols, vals := "", ""
		if sc.imageDisks {
			cols, vals = ", volumes, vifs, os_type", ", ?, ?, 'linux'"
			args = append(args, yamlEmptyArray, yamlEmptyArray)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO images
 (account_id, uuid, created_at, updated_at, boot_dev_type, arch, description, is_public, state,
  features, backup_object_id, file_format, root_device, is_cacheable, instance_model_name,
  parent_image_id, service_type, display_name`+cols+`)
 VALUES (?, ?, ?, ?, 2, ?, ?, ?, 'available', ?, ?, 'raw', NULL, 0, '', NULL, ?, ?`+vals+`)`, args...)
		return err
	})
	if err != nil {
		return reg, err
	}
	reg.ImageID = Canonical(PrefixImage, imUUID)
	reg.Created = true
	return reg, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
