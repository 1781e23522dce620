package registrytest

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/registry"
)

const api = registry.DefaultAPIPath

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+api+"host_nodes", s.listHosts)
	mux.HandleFunc("GET "+api+"host_nodes/{id}", s.getHost)
	mux.HandleFunc("POST "+api+"host_nodes", s.createHost)
	mux.HandleFunc("PUT "+api+"host_nodes/{id}", s.updateHost)
	mux.HandleFunc("DELETE "+api+"host_nodes/{id}", s.deleteHost)

	mux.HandleFunc("GET "+api+"backup_storages", s.listStorages)
	mux.HandleFunc("GET "+api+"backup_storages/{id}", s.getStorage)
	mux.HandleFunc("POST "+api+"backup_storages", s.createStorage)
	mux.HandleFunc("PUT "+api+"backup_storages/{id}", s.updateStorage)
	mux.HandleFunc("DELETE "+api+"backup_storages/{id}", s.deleteStorage)

	mux.HandleFunc("GET "+api+"backup_objects", s.listObjects)
	mux.HandleFunc("GET "+api+"backup_objects/{id}", s.getObject)
	mux.HandleFunc("POST "+api+"backup_objects", s.createObject)
	mux.HandleFunc("PUT "+api+"backup_objects/{id}", s.updateObject)
	mux.HandleFunc("DELETE "+api+"backup_objects/{id}", s.deleteObject)

	mux.HandleFunc("GET "+api+"images", s.listImages)
	mux.HandleFunc("GET "+api+"images/{id}", s.getImage)
	mux.HandleFunc("PUT "+api+"images/{id}", s.updateImage)
	mux.HandleFunc("DELETE "+api+"images/{id}", s.deleteImage)
}

// ---- host nodes (12.03/host_nodes.rb) ----

func hostUUID(h registry.HostNode) string { return h.UUID }

// hostDoc adds the status dcmgr computes from node_states; s.mu is held.
func (s *Server) hostDoc(r *record[registry.HostNode]) registry.HostNode {
	h := r.v
	h.Status = "offline"
	if st, ok := s.nodeStates[h.NodeID]; ok {
		h.Status = st
	}
	return h
}

func (s *Server) listHosts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.Form
	var out []*record[registry.HostNode]
	for _, rec := range s.hosts {
		h := s.hostDoc(rec)
		if id := f.Get("id"); id != "" && !strings.HasPrefix(strings.TrimPrefix(h.UUID, "hn-"), strings.TrimPrefix(id, "hn-")) {
			continue
		}
		if !match(f, "node_id", h.NodeID) || !match(f, "display_name", h.DisplayName) || !match(f, "arch", h.Arch) ||
			!match(f, "hypervisor", h.Hypervisor) || !match(f, "cpu_cores", strconv.Itoa(h.OfferingCPUCores)) ||
			!match(f, "memory_size", strconv.Itoa(h.OfferingMemorySize)) {
			continue
		}
		switch f.Get("status") {
		case "online":
			if h.Status != "online" || !h.SchedulingEnabled {
				continue
			}
		case "offline":
			if h.Status != "offline" {
				continue
			}
		}
		out = append(out, &record[registry.HostNode]{id: rec.id, v: h})
	}
	page(w, r, out)
}

func match(f map[string][]string, key, value string) bool {
	v, ok := f[key]
	return !ok || len(v) == 0 || v[0] == value
}

func (s *Server) getHost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := lookup(w, s.hosts, registry.PrefixHostNode, r.PathValue("id"), hostUUID); rec != nil {
		writeJSON(w, http.StatusOK, s.hostDoc(rec))
	}
}

var (
	hostColumns = []string{"uuid", "node_id", "display_name", "arch", "hypervisor", "offering_cpu_cores",
		"offering_memory_size", "offering_disk_space_mb", "scheduling_enabled", "created_at", "updated_at"}
	nodeIDRe = regexp.MustCompile(`^hva[-.]`)
)

// applyHost sets form fields on h the way Sequel's mass assignment plus
// HostNode#validate would; it returns a message for a generic 500.
func (s *Server) applyHost(h *registry.HostNode, self int, form map[string][]string) string {
	for k, v := range form {
		if k == "account_id" {
			return "Sequel::Error: method account_id= doesn't exist (the X-VDC-Account-UUID header must not be sent with POST /host_nodes)"
		}
		if !slices.Contains(hostColumns, k) {
			return "Sequel::Error: method " + k + "= doesn't exist or access is restricted to it"
		}
		val := v[0]
		var err error
		switch k {
		case "uuid":
			h.UUID = val
		case "node_id":
			h.NodeID = val
		case "display_name":
			h.DisplayName = val
		case "arch":
			h.Arch = val
		case "hypervisor":
			h.Hypervisor = val
		case "offering_cpu_cores":
			h.OfferingCPUCores, err = strconv.Atoi(val)
		case "offering_memory_size":
			h.OfferingMemorySize, err = strconv.Atoi(val)
		case "offering_disk_space_mb":
			h.OfferingDiskSpaceMB, err = strconv.Atoi(val)
		case "scheduling_enabled":
			h.SchedulingEnabled = val == "true" || val == "1"
		}
		if err != nil {
			return "Sequel::InvalidValue: " + k + ": " + val
		}
	}
	if h.NodeID != "" && !nodeIDRe.MatchString(h.NodeID) {
		return "Sequel::ValidationFailed: node_id is invalid ID: " + h.NodeID
	}
	for _, o := range s.hosts {
		if o.id != self && h.NodeID != "" && o.v.NodeID == h.NodeID {
			return "Sequel::ValidationFailed: node_id " + h.NodeID + " is already been associated to " + o.v.UUID
		}
	}
	if !slices.Contains(registry.Arches(), h.Arch) {
		return "Sequel::ValidationFailed: arch unknown architecture type: " + h.Arch
	}
	if h.OfferingCPUCores < 0 || h.OfferingMemorySize < 0 || h.OfferingDiskSpaceMB < 0 {
		return "Sequel::ValidationFailed: offering it can not be less than zero"
	}
	return ""
}

func (s *Server) createHost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	form := map[string][]string(r.PostForm)
	if acct := r.Header.Get(registry.AccountHeader); acct != "" {
		form = cloneForm(form)
		form["account_id"] = []string{acct}
	}
	if _, ok := form["id"]; ok {
		internalError(w, "Sequel::Error: method id= doesn't exist or access is restricted to it")
		return
	}
	h := registry.HostNode{SchedulingEnabled: true}
	if msg := s.applyHost(&h, -1, form); msg != "" {
		internalError(w, "%s", msg)
		return
	}
	u := strings.TrimPrefix(h.UUID, registry.PrefixHostNode+"-")
	if u == "" {
		u = newUUID()
	}
	if !wordRe.MatchString(u) {
		internalError(w, "Dcmgr::Models::InvalidUUIDError: UUID syntax invalid: %s", h.UUID)
		return
	}
	h.UUID = registry.Canonical(registry.PrefixHostNode, u)
	h.ID = h.UUID
	for _, o := range s.hosts {
		if o.v.UUID == h.UUID {
			internalError(w, "Duplicate UUID: %s already exists", h.UUID)
			return
		}
	}
	h.CreatedAt = registry.Time{Time: s.now()}
	h.UpdatedAt = h.CreatedAt
	s.seq++
	rec := &record[registry.HostNode]{id: s.seq, v: h}
	s.hosts = append(s.hosts, rec)
	writeJSON(w, http.StatusOK, s.hostDoc(rec))
}

func cloneForm(f map[string][]string) map[string][]string {
	out := make(map[string][]string, len(f)+1)
	for k, v := range f {
		out[k] = v
	}
	return out
}

func (s *Server) updateHost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := lookup(w, s.hosts, registry.PrefixHostNode, r.PathValue("id"), hostUUID)
	if rec == nil {
		return
	}
	h := rec.v
	if msg := s.applyHost(&h, rec.id, r.PostForm); msg != "" {
		internalError(w, "%s", msg)
		return
	}
	h.UpdatedAt = registry.Time{Time: s.now()}
	rec.v = h
	writeJSON(w, http.StatusOK, s.hostDoc(rec))
}

func (s *Server) deleteHost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := lookup(w, s.hosts, registry.PrefixHostNode, r.PathValue("id"), hostUUID)
	if rec == nil {
		return
	}
	s.hosts = slices.DeleteFunc(s.hosts, func(o *record[registry.HostNode]) bool { return o == rec })
	writeJSON(w, http.StatusOK, map[string]string{"uuid": rec.v.UUID})
}
