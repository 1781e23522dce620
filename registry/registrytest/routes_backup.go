package registrytest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/esxi-hva/esxi-hva/registry"
)

// ---- backup storages (12.03/backup_storages.rb) ----

var storageTypes = []string{"local", "webdav", "ifs"}

// applyStorage sets the fields POST and PUT take; it returns a message for
// a generic 500 when the model would refuse the result.
func applyStorage(b *registry.BackupStorage, _ int, f url.Values) string {
	get := func(k string, dst *string) {
		if v, ok := f[k]; ok && len(v) > 0 {
			*dst = v[0]
		}
	}
	get("display_name", &b.DisplayName)
	get("storage_type", &b.StorageType)
	get("base_uri", &b.BaseURI)
	get("description", &b.Description)
	if !slices.Contains(storageTypes, b.StorageType) {
		return "Sequel::ValidationFailed: storage_type is not one of local, webdav, ifs: " + b.StorageType
	}
	if b.BaseURI == "" {
		return "Sequel::DatabaseError: Column 'base_uri' cannot be null"
	}
	return ""
}

func (s *Server) createStorage(w http.ResponseWriter, r *http.Request) {
	var b registry.BackupStorage
	if msg := applyStorage(&b, -1, r.PostForm); msg != "" {
		internalError(w, "%s", msg)
		return
	}
	storageKind.create(s, w, b, r.PostForm.Get("uuid"))
}

func (s *Server) deleteStorage(w http.ResponseWriter, _ *http.Request, rec *record[registry.BackupStorage]) {
	rec.v.DeletedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, []string{rec.v.UUID})
}

// ---- backup objects (12.03/backup_objects.rb) ----

// keepObject applies dcmgr's backup_objects filters and the account check.
func keepObject(r *http.Request, b registry.BackupObject) bool {
	f := r.Form
	return ownedBy(r, b.AccountID) && match(f, "state", b.State) && match(f, "account_id", b.AccountID) &&
		match(f, "display_name", b.DisplayName) && match(f, "backup_storage_id", b.BackupStorageID) &&
		match(f, "service_type", b.ServiceType)
}

func (s *Server) createObject(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	bkst := f.Get("backup_storage_id")
	storage := storageKind.first(s, func(b registry.BackupStorage) bool { return b.UUID == bkst })
	if storage == nil {
		writeError(w, http.StatusNotFound, registry.ClassUnknownBackupStorage, "153", bkst)
		return
	}
	b := registry.BackupObject{
		BackupStorageID: storage.v.UUID, BackupStorage: registry.ObjectRef{ID: storage.v.UUID},
		AccountID: f.Get("account_id"), ObjectKey: f.Get("object_key"), Checksum: f.Get("checksum"),
		ServiceType: registry.DefaultServiceType, State: "initialized",
	}
	if h := r.Header.Get(registry.AccountHeader); h != "" {
		b.AccountID = h
	}
	for _, k := range []string{"account_id", "object_key", "size", "checksum"} {
		if k == "account_id" && b.AccountID != "" {
			continue
		}
		if f.Get(k) == "" {
			internalError(w, "Sequel::DatabaseError: Column '%s' cannot be null", k)
			return
		}
	}
	var err error
	if b.Size, err = strconv.ParseInt(f.Get("size"), 10, 64); err != nil || b.Size < 0 {
		internalError(w, "Sequel::InvalidValue: size: %s", f.Get("size"))
		return
	}
	b.AllocationSize = b.Size
	if v := f.Get("allocation_size"); v != "" {
		if b.AllocationSize, err = strconv.ParseInt(v, 10, 64); err != nil {
			internalError(w, "Sequel::InvalidValue: allocation_size: %s", v)
			return
		}
	}
	setNonEmpty(f, map[string]*string{"service_type": &b.ServiceType, "display_name": &b.DisplayName,
		"description": &b.Description, "state": &b.State})
	rec := objectKind.insert(s, b, registry.Canonical(registry.PrefixBackupObject, newUUID()))
	writeJSON(w, http.StatusOK, rec.v)
}

// applyObject sets what PUT /backup_objects/:id takes.
func applyObject(b *registry.BackupObject, _ int, f url.Values) string {
	setNonEmpty(f, map[string]*string{"service_type": &b.ServiceType, "display_name": &b.DisplayName,
		"description": &b.Description})
	return ""
}

// setNonEmpty sets each destination whose form value is not empty.
func setNonEmpty(f url.Values, dst map[string]*string) {
	for k, d := range dst {
		if v := f.Get(k); v != "" {
			*d = v
		}
	}
}

func (s *Server) deleteObject(w http.ResponseWriter, _ *http.Request, rec *record[registry.BackupObject]) {
	if rec.v.State != "available" {
		writeError(w, http.StatusBadRequest, registry.ClassInvalidBackupObjectState, "157", rec.v.UUID+":"+rec.v.State)
		return
	}
	rec.v.State = "deleted"
	rec.v.DeletedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, []string{rec.v.UUID})
}

// ---- images (12.03/images.rb) ----

// keepImage applies dcmgr's images filters: with an account header, the
// account's and the public images.
func keepImage(r *http.Request, im registry.Image) bool {
	f := r.Form
	if acct := r.Header.Get(registry.AccountHeader); acct != "" && im.AccountID != acct && !im.IsPublic {
		return false
	}
	if !match(f, "service_type", im.ServiceType) {
		return false
	}
	switch f.Get("state") {
	case "alive":
		return im.DeletedAt.IsZero()
	case "available", "deleted":
		return im.State == f.Get("state")
	}
	return true
}

// applyImage sets what PUT /images/:id takes, also to "".
func applyImage(im *registry.Image, _ int, f url.Values) string {
	if v, ok := f["display_name"]; ok {
		im.DisplayName = v[0]
	}
	if v, ok := f["description"]; ok {
		im.Description = v[0]
	}
	return ""
}

func (s *Server) deleteImage(w http.ResponseWriter, _ *http.Request, rec *record[registry.Image]) {
	rec.v.State = "deleted"
	rec.v.DeletedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, []string{rec.v.UUID})
}
