package registrytest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/registry"
)

// RegisterImage stands in, in memory, for what registry.SQL.RegisterImage
// writes to dcmgr's database (the Web API cannot create images): it
// validates the spec, HEADs both files of the pair, verifies the md5 when
// asked, then reuses or creates the backup storage for the pair's
// directory, the backup object and the image. The same registration twice
// is a no-op; a different md5 or different image fields are a
// *registry.ConflictError. Programs running on the fake alone (the
// examples' embedded mode) use it in place of the SQL backend.
func (s *Server) RegisterImage(ctx context.Context, spec registry.ImageSpec) (registry.ImageRegistration, error) {
	spec, pair, err := spec.Normalize()
	if err != nil {
		return registry.ImageRegistration{}, err
	}
	size, err := registry.ProbePair(ctx, http.DefaultClient, pair)
	if err != nil {
		return registry.ImageRegistration{}, fmt.Errorf("register image %s: %w", pair.FlatURI, err)
	}
	if spec.Verify {
		if err := registry.VerifyMD5(ctx, http.DefaultClient, pair.FlatURI, spec.MD5, size, spec.Progress); err != nil {
			return registry.ImageRegistration{}, fmt.Errorf("register image: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reg := registry.ImageRegistration{Pair: pair, Size: size}
	now := registry.Time{Time: s.now()}

	st := storageKind.first(s, func(b registry.BackupStorage) bool {
		return b.BaseURI == pair.BaseURI && b.DeletedAt.IsZero()
	})
	var newStorage *registry.BackupStorage
	if st != nil {
		reg.BackupStorageID = st.v.UUID
	} else {
		typ := "webdav"
		if strings.HasPrefix(pair.BaseURI, "file:") {
			typ = "local"
		}
		id := registry.Canonical(registry.PrefixBackupStorage, newUUID())
		newStorage = &registry.BackupStorage{ID: id, UUID: id, DisplayName: pair.BaseURI, StorageType: typ,
			BaseURI: pair.BaseURI, Description: "registered by esxi-hva registry", CreatedAt: now, UpdatedAt: now}
		reg.BackupStorageID = id
		reg.StorageCreated = true
	}

	bo := objectKind.first(s, func(b registry.BackupObject) bool {
		return b.BackupStorageID == reg.BackupStorageID && b.ObjectKey == pair.ObjectKey && b.DeletedAt.IsZero()
	})
	var newObject *registry.BackupObject
	if bo != nil {
		reg.BackupObjectID = bo.v.UUID
		var d diffs
		d.add("checksum", bo.v.Checksum, spec.MD5)
		d.add("size", strconv.FormatInt(bo.v.Size, 10), strconv.FormatInt(size, 10))
		if len(d) > 0 {
			return reg, &registry.ConflictError{Kind: "backup object", ID: bo.v.UUID, Fields: d}
		}
	} else {
		id := registry.Canonical(registry.PrefixBackupObject, newUUID())
		newObject = &registry.BackupObject{ID: id, UUID: id, AccountID: spec.AccountID,
			State: "available", Size: size, AllocationSize: size, BackupStorageID: reg.BackupStorageID,
			BackupStorage: registry.ObjectRef{ID: reg.BackupStorageID}, ObjectKey: pair.ObjectKey, Checksum: spec.MD5,
			Description: spec.Description, DisplayName: spec.DisplayName, ServiceType: registry.DefaultServiceType,
			CreatedAt: now, UpdatedAt: now}
		reg.BackupObjectID = id
	}

	if im := imageKind.first(s, func(im registry.Image) bool {
		return im.BackupObjectID == reg.BackupObjectID && im.DeletedAt.IsZero()
	}); im != nil {
		reg.ImageID = im.v.UUID
		return reg, imageConflict(im.v, spec)
	}
	u := spec.UUID
	if u == "" {
		u = newUUID()
	}
	imageID := registry.Canonical(registry.PrefixImage, u)
	if imageKind.first(s, func(im registry.Image) bool { return im.UUID == imageID }) != nil {
		return reg, &registry.ConflictError{Kind: "image", ID: imageID, Reason: "(duplicate UUID)"}
	}
	// Everything checked: store the rows together, as one transaction would.
	if newStorage != nil {
		storageKind.add(s, *newStorage)
	}
	if newObject != nil {
		objectKind.add(s, *newObject)
	}
	imageKind.add(s, registry.Image{ID: imageID, UUID: imageID,
		AccountID: spec.AccountID, BackupObjectID: reg.BackupObjectID, DisplayName: spec.DisplayName, Description: spec.Description,
		Arch: spec.Arch, IsPublic: spec.Public, State: "available", BootDevType: 2, FileFormat: "raw",
		ServiceType: registry.DefaultServiceType, OSType: "linux", CreatedAt: now, UpdatedAt: now})
	reg.ImageID = imageID
	reg.Created = true
	return reg, nil
}

// imageConflict compares the image registered for the pair with spec: nil
// when they agree, else a *registry.ConflictError naming the fields.
func imageConflict(im registry.Image, spec registry.ImageSpec) error {
	var d diffs
	if spec.UUID != "" {
		d.add("uuid", im.UUID, registry.Canonical(registry.PrefixImage, spec.UUID))
	}
	d.add("account id", im.AccountID, spec.AccountID)
	d.add("display name", im.DisplayName, spec.DisplayName)
	d.add("arch", im.Arch, spec.Arch)
	d.add("description", im.Description, spec.Description)
	d.add("public", strconv.FormatBool(im.IsPublic), strconv.FormatBool(spec.Public))
	if len(d) > 0 {
		return &registry.ConflictError{Kind: "image", ID: im.UUID, Fields: d}
	}
	return nil
}

// diffs collects the fields where a stored record differs from a request.
type diffs []registry.FieldDiff

// add records the field when have and want differ.
func (d *diffs) add(field, have, want string) {
	if have != want {
		*d = append(*d, registry.FieldDiff{Field: field, Existing: have, Requested: want})
	}
}
