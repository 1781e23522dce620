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

	var st *record[registry.BackupStorage]
	for _, r := range s.storages {
		if r.v.BaseURI == pair.BaseURI && r.v.DeletedAt.IsZero() {
			st = r
			break
		}
	}
	var newStorage *record[registry.BackupStorage]
	if st == nil {
		typ := "webdav"
		if strings.HasPrefix(pair.BaseURI, "file:") {
			typ = "local"
		}
		id := registry.Canonical(registry.PrefixBackupStorage, newUUID())
		newStorage = &record[registry.BackupStorage]{v: registry.BackupStorage{ID: id, UUID: id, DisplayName: pair.BaseURI,
			StorageType: typ, BaseURI: pair.BaseURI, Description: "registered by esxi-hva registry", CreatedAt: now, UpdatedAt: now}}
		st = newStorage
		reg.StorageCreated = true
	}
	reg.BackupStorageID = st.v.UUID

	var bo *record[registry.BackupObject]
	for _, r := range s.objects {
		if r.v.BackupStorageID == st.v.UUID && r.v.ObjectKey == pair.ObjectKey && r.v.DeletedAt.IsZero() {
			bo = r
			break
		}
	}
	var newObject *record[registry.BackupObject]
	if bo != nil {
		var d []registry.FieldDiff
		if bo.v.Checksum != spec.MD5 {
			d = append(d, registry.FieldDiff{Field: "checksum", Existing: bo.v.Checksum, Requested: spec.MD5})
		}
		if bo.v.Size != size {
			d = append(d, registry.FieldDiff{Field: "size", Existing: strconv.FormatInt(bo.v.Size, 10), Requested: strconv.FormatInt(size, 10)})
		}
		if len(d) > 0 {
			return reg, &registry.ConflictError{Kind: "backup object", ID: bo.v.UUID, Fields: d}
		}
	} else {
		id := registry.Canonical(registry.PrefixBackupObject, newUUID())
		newObject = &record[registry.BackupObject]{v: registry.BackupObject{ID: id, UUID: id, AccountID: spec.AccountID,
			State: "available", Size: size, AllocationSize: size, BackupStorageID: st.v.UUID,
			BackupStorage: registry.ObjectRef{ID: st.v.UUID}, ObjectKey: pair.ObjectKey, Checksum: spec.MD5,
			Description: spec.Description, DisplayName: spec.DisplayName, ServiceType: registry.DefaultServiceType,
			CreatedAt: now, UpdatedAt: now}}
		bo = newObject
	}
	reg.BackupObjectID = bo.v.UUID

	for _, r := range s.images {
		im := r.v
		if im.BackupObjectID != bo.v.UUID || !im.DeletedAt.IsZero() {
			continue
		}
		reg.ImageID = im.UUID
		var d []registry.FieldDiff
		add := func(f, have, want string) {
			if have != want {
				d = append(d, registry.FieldDiff{Field: f, Existing: have, Requested: want})
			}
		}
		if spec.UUID != "" {
			add("uuid", im.UUID, registry.Canonical(registry.PrefixImage, spec.UUID))
		}
		add("account id", im.AccountID, spec.AccountID)
		add("display name", im.DisplayName, spec.DisplayName)
		add("arch", im.Arch, spec.Arch)
		add("description", im.Description, spec.Description)
		add("public", strconv.FormatBool(im.IsPublic), strconv.FormatBool(spec.Public))
		if len(d) > 0 {
			return reg, &registry.ConflictError{Kind: "image", ID: im.UUID, Fields: d}
		}
		return reg, nil
	}
	u := spec.UUID
	if u == "" {
		u = newUUID()
	}
	imageID := registry.Canonical(registry.PrefixImage, u)
	for _, r := range s.images {
		if r.v.UUID == imageID {
			return reg, &registry.ConflictError{Kind: "image", ID: imageID, Reason: "(duplicate UUID)"}
		}
	}
	// Everything checked: store the rows together, as one transaction would.
	if newStorage != nil {
		s.seq++
		newStorage.id = s.seq
		s.storages = append(s.storages, newStorage)
	}
	if newObject != nil {
		s.seq++
		newObject.id = s.seq
		s.objects = append(s.objects, newObject)
	}
	s.seq++
	s.images = append(s.images, &record[registry.Image]{id: s.seq, v: registry.Image{ID: imageID, UUID: imageID,
		AccountID: spec.AccountID, BackupObjectID: bo.v.UUID, DisplayName: spec.DisplayName, Description: spec.Description,
		Arch: spec.Arch, IsPublic: spec.Public, State: "available", BootDevType: 2, FileFormat: "raw",
		ServiceType: registry.DefaultServiceType, OSType: "linux", CreatedAt: now, UpdatedAt: now}})
	reg.ImageID = imageID
	reg.Created = true
	return reg, nil
}
