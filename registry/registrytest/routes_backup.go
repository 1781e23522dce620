package registrytest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/registry"
)

// ---- backup storages (12.03/backup_storages.rb) ----

var storageTypes = []string{"local", "webdav", "ifs"}

func storageUUID(b registry.BackupStorage) string { return b.UUID }

func (s *Server) listStorages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	page(w, r, s.storages)
}

func (s *Server) getStorage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := lookup(w, s.storages, registry.PrefixBackupStorage, r.PathValue("id"), storageUUID); rec != nil {
		writeJSON(w, http.StatusOK, rec.v)
	}
}

// applyStorage sets the fields POST and PUT take; it returns a message for
// a generic 500 when the model would refuse the result.
func applyStorage(b *registry.BackupStorage, f map[string][]string) string {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	var b registry.BackupStorage
	if msg := applyStorage(&b, r.PostForm); msg != "" {
		internalError(w, "%s", msg)
		return
	}
	u := strings.TrimPrefix(r.PostForm.Get("uuid"), registry.PrefixBackupStorage+"-")
	if u == "" {
		u = newUUID()
	}
	if !wordRe.MatchString(u) {
		internalError(w, "Dcmgr::Models::InvalidUUIDError: UUID syntax invalid: %s", r.PostForm.Get("uuid"))
		return
	}
	b.UUID = registry.Canonical(registry.PrefixBackupStorage, u)
	b.ID = b.UUID
	for _, o := range s.storages {
		if o.v.UUID == b.UUID {
			internalError(w, "Duplicate UUID: %s already exists", b.UUID)
			return
		}
	}
	b.CreatedAt = registry.Time{Time: s.now()}
	b.UpdatedAt = b.CreatedAt
	s.seq++
	s.storages = append(s.storages, &record[registry.BackupStorage]{id: s.seq, v: b})
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) updateStorage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := lookup(w, s.storages, registry.PrefixBackupStorage, r.PathValue("id"), storageUUID)
	if rec == nil {
		return
	}
	b := rec.v
	if msg := applyStorage(&b, r.PostForm); msg != "" {
		internalError(w, "%s", msg)
		return
	}
	b.UpdatedAt = registry.Time{Time: s.now()}
	rec.v = b
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) deleteStorage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := lookup(w, s.storages, registry.PrefixBackupStorage, r.PathValue("id"), storageUUID)
	if rec == nil {
		return
	}
	rec.v.DeletedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, []string{rec.v.UUID})
}

// ---- backup objects (12.03/backup_objects.rb) ----

func objectUUID(b registry.BackupObject) string { return b.UUID }

// ownedBy is dcmgr's find_by_uuid account check: with an account header,
// another account's resource does not exist.
func ownedBy(r *http.Request, account string) bool {
	h := r.Header.Get(registry.AccountHeader)
	return h == "" || h == account
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.Form
	var out []*record[registry.BackupObject]
	for _, rec := range s.objects {
		b := rec.v
		if !ownedBy(r, b.AccountID) || !match(f, "state", b.State) || !match(f, "account_id", b.AccountID) ||
			!match(f, "display_name", b.DisplayName) || !match(f, "backup_storage_id", b.BackupStorageID) ||
			!match(f, "service_type", b.ServiceType) {
			continue
		}
		out = append(out, rec)
	}
	page(w, r, out)
}

func (s *Server) findObject(w http.ResponseWriter, r *http.Request) *record[registry.BackupObject] {
	rec := lookup(w, s.objects, registry.PrefixBackupObject, r.PathValue("id"), objectUUID)
	if rec != nil && !ownedBy(r, rec.v.AccountID) {
		writeError(w, http.StatusNotFound, registry.ClassUnknownUUIDResource, "100", r.PathValue("id"))
		return nil
	}
	return rec
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.findObject(w, r); rec != nil {
		writeJSON(w, http.StatusOK, rec.v)
	}
}

func (s *Server) createObject(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.PostForm
	bkst := f.Get("backup_storage_id")
	var storage *record[registry.BackupStorage]
	for _, o := range s.storages {
		if o.v.UUID == bkst {
			storage = o
		}
	}
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
	for k, dst := range map[string]*string{"service_type": &b.ServiceType, "display_name": &b.DisplayName,
		"description": &b.Description, "state": &b.State} {
		if v := f.Get(k); v != "" {
			*dst = v
		}
	}
	b.UUID = registry.Canonical(registry.PrefixBackupObject, newUUID())
	b.ID = b.UUID
	b.CreatedAt = registry.Time{Time: s.now()}
	b.UpdatedAt = b.CreatedAt
	s.seq++
	s.objects = append(s.objects, &record[registry.BackupObject]{id: s.seq, v: b})
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) updateObject(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.findObject(w, r)
	if rec == nil {
		return
	}
	for k, dst := range map[string]*string{"service_type": &rec.v.ServiceType, "display_name": &rec.v.DisplayName,
		"description": &rec.v.Description} {
		if v := r.PostForm.Get(k); v != "" {
			*dst = v
		}
	}
	rec.v.UpdatedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, rec.v)
}

func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.findObject(w, r)
	if rec == nil {
		return
	}
	if rec.v.State != "available" {
		writeError(w, http.StatusBadRequest, registry.ClassInvalidBackupObjectState, "157", rec.v.UUID+":"+rec.v.State)
		return
	}
	rec.v.State = "deleted"
	rec.v.DeletedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, []string{rec.v.UUID})
}

// ---- images (12.03/images.rb) ----

func imageUUID(i registry.Image) string { return i.UUID }

func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.Form
	acct := r.Header.Get(registry.AccountHeader)
	var out []*record[registry.Image]
	for _, rec := range s.images {
		im := rec.v
		if acct != "" && im.AccountID != acct && !im.IsPublic {
			continue
		}
		if !match(f, "service_type", im.ServiceType) {
			continue
		}
		switch f.Get("state") {
		case "alive":
			if !im.DeletedAt.IsZero() {
				continue
			}
		case "available", "deleted":
			if im.State != f.Get("state") {
				continue
			}
		}
		out = append(out, rec)
	}
	page(w, r, out)
}

func (s *Server) findImage(w http.ResponseWriter, r *http.Request) *record[registry.Image] {
	rec := lookup(w, s.images, registry.PrefixImage, r.PathValue("id"), imageUUID)
	if rec != nil && !ownedBy(r, rec.v.AccountID) {
		// dcmgr's find_by_uuid rejects other accounts' images, public or not.
		writeError(w, http.StatusNotFound, registry.ClassUnknownUUIDResource, "100", r.PathValue("id"))
		return nil
	}
	return rec
}

func (s *Server) getImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.findImage(w, r); rec != nil {
		writeJSON(w, http.StatusOK, rec.v)
	}
}

func (s *Server) updateImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.findImage(w, r)
	if rec == nil {
		return
	}
	if v, ok := r.PostForm["display_name"]; ok {
		rec.v.DisplayName = v[0]
	}
	if v, ok := r.PostForm["description"]; ok {
		rec.v.Description = v[0]
	}
	rec.v.UpdatedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, rec.v)
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.findImage(w, r)
	if rec == nil {
		return
	}
	rec.v.State = "deleted"
	rec.v.DeletedAt = registry.Time{Time: s.now()}
	writeJSON(w, http.StatusOK, []string{rec.v.UUID})
}
